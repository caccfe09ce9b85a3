package raft

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/simnet"
)

// TestSimulation runs many seeded clusters through random partitions (symmetric, one-way,
// rings), process pauses, message loss, duplication, reordering and long delays while clients
// propose, read and the servers compact. The cluster helper checks safety on every Ready: one leader per term, no
// two nodes committing different entries at an index, identical state at every index, snapshots
// matching the cluster's state, and every read covering each commit seen before it was asked.
// After the faults stop, the cluster must elect a stable leader, commit a new entry on every
// node and serve a read. A failure names its seed; rerun it with
//
//	go test ./raftnode/raft -run 'TestSimulation/seed=N$' -v
//
// More seeds: go test ./raftnode/raft -run TestSimulation -sim.seeds 5000 -sim.first 300
func TestSimulation(t *testing.T) {
	seeds := *simSeeds
	if testing.Short() {
		seeds = min(seeds, 50)
	}
	for seed := *simFirst; seed < *simFirst+uint64(seeds); seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			runSim(t, seed)
		})
	}
}

var (
	simSeeds = flag.Int("sim.seeds", 300, "number of TestSimulation seeds")
	simFirst = flag.Uint64("sim.first", 0, "first TestSimulation seed")
)

type simParams struct {
	size                int
	election, heartbeat int
	lease               bool
	inflight, batch     int
	uncommitted         int
	margin              int
	compactEvery        uint64
	minLat, maxLat      uint64
	tail, drop, dup     float64
	proposeP, readP     float64
	chaosTicks          int
}

func (p simParams) String() string {
	return fmt.Sprintf("nodes=%d election=%d heartbeat=%d lease=%v inflight=%d batch=%d uncommitted=%d margin=%d compact=%d lat=%d..%d tail=%.2f drop=%.2f dup=%.2f",
		p.size, p.election, p.heartbeat, p.lease, p.inflight, p.batch, p.uncommitted, p.margin, p.compactEvery,
		p.minLat, p.maxLat, p.tail, p.drop, p.dup)
}

func randomParams(r *rand.Rand) simParams {
	p := simParams{
		size:         []int{3, 3, 5}[r.IntN(3)],
		election:     40 + r.IntN(40),
		lease:        r.IntN(2) == 0,
		inflight:     1 + r.IntN(8),
		batch:        1 + r.IntN(20),
		uncommitted:  []int{0, 0, 0, 5 + r.IntN(50)}[r.IntN(4)],
		margin:       r.IntN(20),
		compactEvery: uint64(5 + r.IntN(50)),
		minLat:       uint64(r.IntN(3)),
		tail:         r.Float64() * 0.05,
		drop:         r.Float64() * 0.15,
		dup:          r.Float64() * 0.1,
		proposeP:     0.05 + r.Float64()*0.3,
		readP:        r.Float64() * 0.2,
		chaosTicks:   2000 + r.IntN(2000),
	}
	p.heartbeat = p.election / (4 + r.IntN(4))
	p.maxLat = p.minLat + uint64(r.IntN(p.election/3))
	return p
}

func runSim(t *testing.T, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 0x5EED))
	p := randomParams(r)
	c := newCluster(t, p.size, seed, func(cfg *Config) {
		cfg.ElectionTicks, cfg.HeartbeatTicks = p.election, p.heartbeat
		cfg.LeaseReads = p.lease
		cfg.MaxInflight, cfg.MaxBatch, cfg.CompactMargin = p.inflight, p.batch, p.margin
		cfg.MaxUncommitted = p.uncommitted
	})
	c.compactEvery = p.compactEvery
	c.net.Faults = simnet.Faults{Loss: p.drop, Dup: p.dup, Latency: simnet.Latency{Dist: simnet.Uniform,
		Min: int64(p.minLat), Max: int64(p.maxLat), Slow: simnet.Spike{P: p.tail, Max: 10 * int64(p.maxLat)}}}
	defer func() {
		if t.Failed() {
			t.Logf("seed=%d %s", seed, p)
		}
	}()

	proposals := 0
	nextFault := 0
	for tick := 0; tick < p.chaosTicks; tick++ {
		if tick >= nextFault {
			c.randomPartition(r)
			if r.IntN(4) == 0 {
				c.pause(c.ids[r.IntN(len(c.ids))], uint64(1+r.IntN(3*p.election)))
			}
			nextFault = tick + 50 + r.IntN(8*p.election)
		}
		c.step()
		for _, id := range c.ids {
			if c.node(id).Role() != Leader || c.paused(id) {
				continue
			}
			if r.Float64() < p.proposeP {
				for range 1 + r.IntN(3) {
					proposals++
					c.node(id).Propose([]byte(fmt.Sprintf("s%d-%d", seed, proposals)))
				}
			}
			if r.Float64() < p.readP {
				c.read(id)
			}
		}
		if t.Failed() {
			return
		}
	}

	// Liveness: with the network healed, a leader emerges, commits, and serves a read.
	c.heal()
	c.events = append(c.events, fmt.Sprintf("t=%d healed", c.now()))
	c.net.Faults = c.net.Faults.Calm()
	limit := 60 * p.election
	if !c.runUntil(limit, func() bool { return c.stableLeader() != "" }) {
		c.fatalf("seed=%d: no stable leader %d ticks after healing (%s)", seed, limit, c.describeNodes())
	}
	// Propose until one proposal is applied everywhere: a leader elected during the faults may
	// still step down (check-quorum counts the silence before the heal) and lose its entry.
	sl := c.stableLeader()
	if c.node(sl).LastIndex() < c.maxCommit() {
		// Leader completeness (paper §5.4): the subtraction below would wrap round and the
		// phase would wait forever.
		c.fatalf("SAFETY: seed=%d: leader %s holds %d entries, %d are committed (%s)", seed, sl, c.node(sl).LastIndex(), c.maxCommit(), c.describeNodes())
	}
	backlog := c.node(sl).LastIndex() - c.maxCommit()
	limit += int(backlog/uint64(p.batch*p.inflight)+1) * int(4*(p.maxLat+1))
	l, done := c.proposeUntilApplied(limit)
	if !done {
		c.fatalf("seed=%d: no proposal applied everywhere %d ticks after healing (%s)", seed, limit, c.describeNodes())
	}
	before := c.readsDone
	if _, ok := c.read(l); !ok {
		c.fatalf("seed=%d: leader %s refused a read", seed, l)
	}
	if !c.runUntil(limit, func() bool { return c.readsDone > before }) {
		c.fatalf("seed=%d: read not served after healing", seed)
	}
}

// randomPartition picks one of Maelstrom's shapes (or none, or a one-way cut).
func (c *cluster) randomPartition(r *rand.Rand) {
	c.heal()
	ids := append([]string(nil), c.ids...)
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	switch r.IntN(6) {
	case 0: // healed
	case 1: // one node isolated
		c.isolate(ids[0])
	case 2: // majority / minority split
		k := len(ids) / 2
		for _, a := range ids[:k] {
			for _, b := range ids[k:] {
				c.cut(a, b)
			}
		}
	case 3: // majorities ring: each node hears only its window of neighbours
		n := len(ids)
		for i, a := range ids {
			keep := map[string]bool{}
			for d := -(n / 2) / 2; len(keep) < n/2+1; d++ {
				keep[ids[((i+d)%n+n)%n]] = true
			}
			for _, b := range ids {
				if !keep[b] {
					c.block(b, a)
				}
			}
		}
	case 4: // one-way: a node hears nobody but is heard
		for _, b := range ids[1:] {
			c.block(b, ids[0])
		}
	case 5: // one-way: a node is not heard but hears
		for _, b := range ids[1:] {
			c.block(ids[0], b)
		}
	}
	c.tracef("partition %s", c.net.Partition())
}

func (c *cluster) describeNodes() string {
	s := ""
	for _, id := range c.ids {
		n := c.node(id)
		s += fmt.Sprintf("[%s %s t=%d lead=%q commit=%d last=%d applied=%d] ", id, n.Role(), n.Term(), n.Leader(), n.CommitIndex(), n.LastIndex(), c.sms[id].applied)
	}
	return s
}

// proposeUntilApplied runs until an entry proposed by a stable leader of the current term is
// applied on every node, proposing again whenever the leader changes or refuses (its
// uncommitted tail may be full, as it is right after an election with MaxUncommitted 1). It
// returns that leader, or false after limit ticks.
func (c *cluster) proposeUntilApplied(limit int) (string, bool) {
	var l, final string
	var want, term uint64
	done := c.runUntil(limit, func() bool {
		if want != 0 && c.allApplied(want) && strings.Contains(c.entryAt[want], final) {
			return true
		}
		if sl := c.stableLeader(); sl != "" && (want == 0 || c.node(sl).Term() != term) {
			l, term = sl, c.node(sl).Term()
			final = fmt.Sprintf("final-%d", term)
			want = 0 // until a proposal of this term is accepted: try again at the next tick
			if c.node(l).Propose([]byte(final)) {
				want = c.node(l).LastIndex()
				c.events = append(c.events, fmt.Sprintf("t=%d proposed %s at %s index %d", c.now(), final, l, want))
			}
		}
		return false
	})
	return l, done
}

// TestProposeUntilAppliedRetriesAfterARefusal: the simulation's last phase once reported
// "no proposal applied everywhere" for a healthy cluster. Its first leader's proposal was lost
// to a leader change, and the new leader refused the next one (with MaxUncommitted 1 its own
// no-op fills the tail until it commits); the phase then waited forever for the lost entry.
func TestProposeUntilAppliedRetriesAfterARefusal(t *testing.T) {
	c := newCluster(t, 3, 45, func(cfg *Config) { cfg.MaxUncommitted = 1 })
	c.elect("n0")
	c.run(10)
	// n0's messages are lost for a while, so its proposal never commits and the others elect a
	// new leader, which everyone hears at the same tick.
	const healAt = 3 * DefaultElectionTicks
	c.filter = func(m *Message) bool { return m.From != "n0" || c.now() >= healAt }
	l, ok := c.proposeUntilApplied(10 * DefaultElectionTicks)
	require.True(t, ok, "no proposal applied everywhere (%s)", c.describeNodes())
	require.NotEqual(t, "n0", l)
	require.Contains(t, strings.Join(c.events, "\n"), "proposed final-1 at n0", "the schedule reaches its point")
}
