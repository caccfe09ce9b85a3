package paxos

import (
	"fmt"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/quorumkit/quorumkit/harness/simnet"
)

// simConfig is what one seed of the simulation draws, in the manner of swarm testing: rather
// than every fault and setting at once, each seed has its own mix, so that some seeds stress
// one thing hard and no setting is left untested.
type simConfig struct {
	size        int
	faults      simnet.Faults
	bias        float64 // Network.HoldBias of election messages (simConfig.holdBias)
	aimEvery    int64   // mean ticks between cuts aimed at the leader (aimed); 0: none
	maxInflight int
	maxBatch    int
	lease       bool
	compactN    uint64  // compact every compactN applied slots; 0: never
	rate        float64 // proposals per tick; reads come half as often
	// maxOpen bounds the proposals the clients keep open at a leader (not yet chosen): they
	// are closed-loop, as Maelstrom's are, each waiting for its answer before the next.
	maxOpen uint64
	chaos   int64 // ticks of faults before recovery
	crash   crashPlan
}

// String lists the draw, for the failure message.
func (c simConfig) String() string {
	compact := "never"
	if c.compactN > 0 {
		compact = fmt.Sprintf("every %d slots", c.compactN)
	}
	parts := []string{fmt.Sprintf("nodes=%d max-inflight=%d max-batch=%d lease-reads=%t compact=%s rate=%g/ms chaos=%dms",
		c.size, c.maxInflight, c.maxBatch, c.lease, compact, c.rate, c.chaos)}
	if c.bias > 1 {
		parts = append(parts, fmt.Sprintf("hold-bias=x%g", c.bias))
	}
	if c.aimEvery > 0 {
		parts = append(parts, fmt.Sprintf("leader-cuts=every %dms", c.aimEvery))
	}
	return strings.Join(parts, " ") + c.crash.String() + " faults: " + c.faults.String()
}

// drawConfig draws a seed's cluster, settings and faults. The faults are simnet.Swarm's,
// plus four things Swarm does not do:
//   - one seed in eight has Maelstrom's worst latency, exponential with a mean of 100 ms,
//     a third of the election timeout (Swarm's mean stays under a tenth);
//   - one in eight has a partition storm, a new partition every 30..300 ms on average;
//   - holds aimed at elections (holdBias) and cuts aimed at the leader (aimed), which the
//     lease and pre-vote rules are about;
//   - one seed in two kills nodes (crashPlan), and one of those in four loses records.
func drawConfig(seed uint64) simConfig {
	et := int64(defaultElectionTicks)
	r := rand.New(rand.NewPCG(seed, 1))
	c := simConfig{size: 3 + 2*r.IntN(2), chaos: 3000, maxOpen: 64}
	c.faults = simnet.Swarm(r, et)
	if r.IntN(8) == 0 {
		c.faults.Latency = simnet.Latency{Dist: simnet.Exponential, Mean: 100}
	}
	if r.IntN(8) == 0 {
		c.faults.Partitions = simnet.Partitions{Every: 30 + r.Int64N(270)}
	}
	c.bias = []float64{1, 5, 30, 200}[r.IntN(4)]
	if c.bias > 1 && !c.faults.Hold.On() {
		// A hold that strikes almost only the biased messages, from a tenth of a timeout
		// (an answer that comes back late but within the attempt) to two timeouts.
		c.faults.Hold = simnet.Spike{P: 0.001, Min: et / 10, Max: 2 * et}
	}
	if r.IntN(4) > 0 {
		c.aimEvery = et/2 + r.Int64N(4*et)
	}
	if c.maxInflight = 1; r.IntN(4) > 0 {
		c.maxInflight = 1 + r.IntN(16)
	}
	switch r.IntN(4) {
	case 0:
		c.maxBatch = 1
	case 1:
		c.maxBatch = 2 + r.IntN(8)
	case 2:
		c.maxBatch = 16 + r.IntN(64)
	default:
		c.maxBatch = consensus.DefaultTiming.MaxBatch
	}
	c.lease = r.IntN(2) == 0
	switch r.IntN(3) {
	case 0:
		c.compactN = uint64(5 + r.IntN(20))
	case 1:
		c.compactN = uint64(20 + r.IntN(200))
	}
	c.rate = []float64{0.02, 0.1, 0.3}[r.IntN(3)]
	if r.IntN(2) == 0 {
		c.crash = crashPlan{every: et/2 + r.Int64N(4*et), downMax: r.Int64N(2 * et), damage: r.IntN(4) == 0}
	}
	return c
}

// newSwarmSim builds seed's cluster as cfg says. Each part draws from its own stream of the
// seed (the network, the clients, each node), so a change in one leaves the others alone.
func newSwarmSim(t testing.TB, seed uint64, cfg simConfig) *sim {
	i := uint64(0)
	var nw *network
	nw = newNetworkRand(t, cfg.size, rand.New(rand.NewPCG(seed, 2)), func(c *consensus.Config) {
		i++
		c.Rand = rand.New(rand.NewPCG(seed, 100+i))
		c.LeaseReads = cfg.lease
		c.Timing.MaxBatch = cfg.maxBatch
		c.Timing.MaxInflight = cfg.maxInflight
		c.Logger = nil
		if *simTrace > 0 {
			id := c.ID
			c.Logger = logFunc(func(msg string, args ...any) { t.Logf("%d %s %s %v", nw.now(), id, msg, args) })
		}
	})
	s := newSimOn(nw, rand.New(rand.NewPCG(seed, 3)), cfg.compactN)
	s.cfg = cfg
	s.net.Faults = cfg.faults
	s.net.Leader = s.leaseHolder
	if cfg.bias > 1 {
		s.net.HoldBias = s.holdBias
	}
	s.aimed = aimed{every: cfg.aimEvery, rng: rand.New(rand.NewPCG(seed, 4))}
	s.crashes = newCrashes(cfg.crash, rand.New(rand.NewPCG(seed, 5)))
	return s
}

// holdBias makes the network hold the messages the election and lease rules are about more
// often than the rest: pre-votes, prepares and their answers always, and Accepts and their
// answers within an election timeout of a node becoming candidate or leader (the old
// leader's last rounds, which its lease rests on, and the new leader's first).
func (s *sim) holdBias(m Message) float64 {
	switch m.Type {
	case MsgPreVote, MsgPreVoteReply, MsgPrepare, MsgPromise, MsgNack:
		return s.cfg.bias
	}
	if s.now()-s.or.lastElection < int64(defaultElectionTicks) {
		return s.cfg.bias
	}
	return 1
}

// aimed cuts the leader off now and then, in one of three ways: both directions, only its
// messages out (it still hears the acknowledgements its lease counts) or only its messages
// in. The random partitions of the fault model strike the leader only by chance.
type aimed struct {
	every int64
	rng   *rand.Rand
	next  int64
	heal  int64
	cut   [][2]string // the links this cut blocked
	// restart, when set, is the second act of a lease-and-restart strike (strikeRestart).
	restart struct {
		at        int64
		leader, c string
	}
}

// aim lifts the cut aimed at the leader when its time is up, and strikes the leader again
// at random times (aimed.every apart on average) while no cut holds.
func (s *sim) aim() {
	a := &s.aimed
	now := s.now()
	if a.heal > 0 && now >= a.heal {
		for _, l := range a.cut {
			s.net.Unblock(l[0], l[1])
		}
		a.cut, a.heal = nil, 0
	}
	if a.restart.at > 0 && now >= a.restart.at {
		s.restartFollowers()
	}
	if a.every <= 0 || a.heal > 0 {
		return
	}
	if a.next == 0 {
		a.next = now + 1 + a.rng.Int64N(2*a.every)
	}
	if now < a.next {
		return
	}
	a.next = now + 1 + a.rng.Int64N(2*a.every)
	if l := s.leaseHolder(); l != "" {
		s.strike(l)
	}
}

// strike applies one fault aimed at leader l, each as likely: l cut off both ways, only
// its messages out (it still hears the acknowledgements its lease counts), only its
// messages in, l paused, or one follower cut off.
func (s *sim) strike(l string) {
	a := &s.aimed
	ways := 5
	if s.crashes.every > 0 {
		ways = 6
	}
	way := a.rng.IntN(ways)
	switch way {
	case 0, 1, 2:
		for _, o := range s.ids {
			if o == l {
				continue
			}
			if way != 2 {
				a.cut = append(a.cut, [2]string{l, o})
			}
			if way != 1 {
				a.cut = append(a.cut, [2]string{o, l})
			}
		}
	case 3:
		// A pause at the boundary: longer than the followers wait for the leader, shorter
		// than the leader's own check-quorum window (it measures nothing while paused).
		// The acceptors' refusal to promise runs out as it comes back with its lease.
		lo, hi := int64(defaultElectionTicks-defaultHeartbeatTicks), int64(s.node(l).timeout+2*defaultHeartbeatTicks)
		s.net.Pause(l, lo+a.rng.Int64N(hi-lo))
		return
	case 4:
		// One follower cut off for several of its pre-vote attempts while a quorum hears
		// the leader: it must never raise its ballot (oracle.checkCandidacy).
		f := s.ids[a.rng.IntN(len(s.ids))]
		if f == l {
			return
		}
		for _, o := range s.ids {
			if o != f {
				a.cut = append(a.cut, [2]string{f, o}, [2]string{o, f})
			}
		}
	case 5:
		s.strikeRestart(l)
		return
	}
	for _, c := range a.cut {
		s.net.Block(c[0], c[1])
	}
	a.heal = s.now() + int64(defaultElectionTicks/4) + a.rng.Int64N(int64(2*defaultElectionTicks))
	if way == 4 {
		a.heal = s.now() + int64(defaultElectionTicks) + a.rng.Int64N(int64(2*defaultElectionTicks))
	}
	if s.traceFrom > 0 {
		s.t.Logf("%d leader %s: cut %s until %d", s.now(), l, []string{"both ways", "out", "in", "", "a follower"}[way], a.heal)
	}
}
