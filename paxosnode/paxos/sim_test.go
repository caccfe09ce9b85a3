package paxos

import (
	"flag"
	"fmt"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/harness/simseed"
)

var simTrace = flag.Int64("sim.trace", 0, "log every delivery from this tick on")

type readCall struct {
	node     string
	minIndex uint64 // highest chosen point anywhere when ReadIndex was called
	served   bool
}

// sim is a seeded cluster run on the shared simulated network: a fault model, proposals,
// reads and compaction, with the oracle checking the protocol's promises at every step.
// Any failure reproduces from its seed.
type sim struct {
	*network
	rng       *rand.Rand // client work
	cfg       simConfig  // what the seed drew (zero for the failover tests' plain sims)
	or        *oracle
	reads     map[uint64]*readCall
	readID    uint64
	proposed  map[string]bool
	nextVal   int
	compactN  uint64 // compact every compactN applied slots; 0: never
	traceFrom int64  // log deliveries from this tick on (debugging)
	aimed     aimed
	crashes   crashes
}

// newSim is a plain simulation for the failover tests: a random size (3 or 5) and settings,
// and exponential or constant latency with nothing else going wrong unless the test says so.
func newSim(t testing.TB, seed uint64) *sim {
	rng := rand.New(rand.NewPCG(seed, 99))
	size := []int{3, 3, 5}[rng.IntN(3)]
	nw := newNetworkRand(t, size, rng, func(c *consensus.Config) {
		c.Rand = rand.New(rand.NewPCG(seed, uint64(len(c.ID))+rng.Uint64()))
		c.LeaseReads = rng.IntN(2) == 0
		c.Timing.MaxBatch = 16 + rng.IntN(64)
		c.Timing.MaxInflight = 2 + rng.IntN(8)
		c.Logger = nil
	})
	s := newSimOn(nw, rng, uint64(10+rng.IntN(100)))
	meanLat := float64(rng.IntN(30))
	if rng.IntN(4) == 0 {
		meanLat = 100 // Maelstrom's worst case: exponential with mean 100 ms
	}
	s.setLatency(meanLat, false)
	// Messages due at one instant arrive in random order.
	s.net.Faults.Shuffle = true
	return s
}

// newSimOn wires a sim and its oracle to a cluster: the oracle sees every delivery and tick.
func newSimOn(nw *network, rng *rand.Rand, compactN uint64) *sim {
	s := &sim{network: nw, rng: rng, reads: map[uint64]*readCall{}, proposed: map[string]bool{},
		compactN: compactN, traceFrom: *simTrace, crashes: newCrashes(crashPlan{}, nil)}
	s.or = newOracle(nw, func(format string, args ...any) {
		nw.t.Helper()
		require.FailNow(nw.t, fmt.Sprintf("tick %d: ", nw.now())+fmt.Sprintf(format, args...), "%s", s.dump())
	})
	deliver, tick := nw.net.Deliver, nw.net.Tick
	nw.net.Deliver = func(e *simnet.Envelope[Message]) {
		deliver(e)
		s.or.afterDeliver(e)
	}
	nw.net.Tick = func(id string) {
		tick(id)
		s.or.afterTick(id)
	}
	nw.net.Observe = func(e *simnet.Envelope[Message], f simnet.Fate) {
		if s.traceFrom > 0 && s.now() >= s.traceFrom {
			s.t.Logf("%d %s %s", s.now(), f, describe(e.Msg))
		}
	}
	return s
}

// setLatency makes messages take an exponential time with the given mean
// (a long tail, and reordering even from one sender), or exactly mean when
// constant (Maelstrom's default distribution).
func (s *sim) setLatency(mean float64, constant bool) {
	dist := simnet.Exponential
	if constant {
		dist = simnet.Constant
	}
	s.net.Faults.Latency = simnet.Latency{Dist: dist, Mean: mean}
}

// leaderGuess is the node a client asks: usually a leader, sometimes any node, never a
// paused one ("" then): a paused process takes no requests, and its frozen clock would make
// an expired lease look valid.
func (s *sim) leaderGuess() string {
	for _, id := range s.ids {
		if s.node(id).role == consensus.Leader && !s.net.Paused(id) && s.rng.IntN(5) > 0 {
			return id
		}
	}
	if id := s.ids[s.rng.IntN(len(s.ids))]; !s.net.Paused(id) {
		return id
	}
	return ""
}

// leaseHolder names the node faults should aim at: a leader holding a lease if there is
// one, else any leader, else "".
func (s *sim) leaseHolder() string {
	l := ""
	for _, id := range s.ids {
		if n := s.node(id); n.leaseValid() {
			return id
		} else if n.role == consensus.Leader {
			l = id
		}
	}
	return l
}

func (s *sim) propose() (string, bool) {
	v := fmt.Sprintf("v%d", s.nextVal)
	s.nextVal++
	id := s.leaderGuess()
	if id == "" {
		return v, false
	}
	n := s.node(id)
	if s.cfg.maxOpen > 0 && n.role == consensus.Leader && n.lead.nextSlot-n.log.commit > s.cfg.maxOpen {
		return v, false // the clients wait for their answers
	}
	ok := n.Propose([]byte(v))
	if ok {
		s.proposed[v] = true
	}
	return v, ok
}

// maxCommit is the highest chosen point any node knows: a read called now must cover it.
func (s *sim) maxCommit() uint64 {
	c := s.maxDel
	for _, id := range s.ids {
		c = max(c, s.node(id).log.commit)
	}
	return c
}

func (s *sim) read() (uint64, bool) {
	id := s.leaderGuess()
	if id == "" {
		return 0, false
	}
	s.readID++
	s.reads[s.readID] = &readCall{node: id, minIndex: s.maxCommit()}
	ok := s.node(id).ReadIndex(s.readID)
	if ok && s.traceFrom > 0 {
		s.t.Logf("%d read %d at %s min %d lease=%t\n%s", s.now(), s.readID, id, s.maxCommit(), s.node(id).leaseValid(), s.dump())
	}
	return s.readID, ok
}

// step runs one tick: due messages and timers, restarts, the cluster-wide checks, client
// work, crashes, Ready.
func (s *sim) step(clientRate float64) {
	s.net.Step()
	s.restartDue()
	s.aim()
	s.or.check(s.net.Paused)
	if s.rng.Float64() < clientRate {
		s.propose()
	}
	if s.rng.Float64() < clientRate/2 {
		s.read()
	}
	s.crashDue()
	for _, id := range s.ids {
		if len(s.crashes.now) > 0 {
			if at, ok := s.crashes.now[id]; ok {
				delete(s.crashes.now, id)
				s.crashAt(id, at)
				continue
			}
		}
		if r := s.nodes[id]; !r.down && r.node.HasReady() {
			s.handleReady(id, noCrash)
		}
	}
}

// handleReady plays the server for one Ready: save its Stable, apply it, serve the reads it
// allows, send its messages, checking what the node delivers and serves. With a crash point,
// the process dies there (crashAt).
func (s *sim) handleReady(id string, crash crashPoint) {
	t := s.t
	n := s.node(id)
	r := s.nodes[id]
	rd := n.Ready()
	if crash == crashAfterReady {
		return
	}
	s.or.saved(id, s.save(id, rd))
	if crash == crashAfterSave {
		return
	}
	before := len(r.reads)
	s.apply(id, r, rd)
	for _, e := range rd.Committed {
		if e.Data != nil && !s.proposed[string(e.Data)] {
			require.Fail(t, "delivered a value never proposed", "%s delivered %q in slot %d", id, e.Data, e.Index)
		}
		s.or.delivered(id, e)
	}
	for _, rs := range r.reads[before:] {
		c := s.reads[rs.ID]
		switch {
		case c == nil || c.node != id || c.served:
			require.Fail(t, "a read served that was not asked for", "%s served read %d (%+v)", id, rs.ID, c)
		case rs.Index < c.minIndex:
			require.Fail(t, "LINEARIZABILITY: a read misses a chosen slot",
				"%s read %d at %d misses slot %d chosen before the call\n%s", id, rs.ID, rs.Index, c.minIndex, s.dump())
		case rs.Index > n.log.commit:
			require.Fail(t, "a read beyond the chosen point", "%s read %d at %d, chosen point %d", id, rs.ID, rs.Index, n.log.commit)
		}
		c.served = true
	}
	for _, m := range rd.Messages {
		if s.crashes.kills == 0 && (m.Inc != 0 || m.Damaged || m.Catchup != 0) {
			// Without a restart a node sends exactly what it sent before it had a disk.
			require.Fail(t, "a node that never restarted speaks of incarnations", "%s", describe(m))
		}
		s.net.Send(m.From, m.To, m)
	}
	if applied := uint64(len(r.state)); s.compactN > 0 && applied >= n.log.snap.Index+s.compactN {
		n.Compact(applied, encodeState(r.state))
	}
}

// dump describes every node for a failure message.
func (s *sim) dump() string {
	out := fmt.Sprintf("tick %d, partition %s\n", s.now(), s.net.Partition())
	for _, id := range s.ids {
		n := s.node(id)
		out += fmt.Sprintf("%s %s ballot=%s promised=%s leader=%q commit=%d applied=%d snap=%d last=%d learn=%s/%d match=%d/%s delivered=%d timeout=%d paused=%t down=%t inc=%d damaged=%t\n",
			id, n.role, n.ballot, n.promised, n.leader, n.log.commit, n.log.applied, n.log.snap.Index, n.log.last(),
			n.learnBallot, n.learnCommit, n.match, n.matchBallot, len(s.nodes[id].state), n.timeout, s.net.Paused(id),
			s.nodes[id].down, n.inc, n.damaged)
		if n.role == consensus.Leader {
			for i, pr := range n.lead.prog {
				out += fmt.Sprintf("  -> %s %+v\n", s.ids[i], pr)
			}
			out += fmt.Sprintf("  nextSlot=%d ready=%d round=%d confirmed=%d leaseFrom=%d lease=%t\n",
				n.lead.nextSlot, n.lead.readyIndex, n.lead.round, n.lead.confirmed, n.lead.leaseFrom, n.leaseValid())
		}
	}
	return out
}

// progress sums what every replica applied: it grows while the cluster makes progress.
func (s *sim) progress() uint64 {
	var p uint64
	for _, id := range s.ids {
		p += uint64(len(s.nodes[id].state))
	}
	return p
}

// recover stops the faults (the latency's base distribution and the links' asymmetry
// stay) and demands progress: a leader gets a marker value chosen and delivered
// everywhere, then serves a read issued after that. A proposal or read may be lost to a
// leader change, so both are retried. A slow cluster may take its time (a new leader may
// have thousands of slots to re-propose one at a time) as long as some replica keeps
// applying: it fails after stall ticks without progress, or after limit ticks in all.
func (s *sim) recover(stall, limit int64) {
	s.net.Faults = s.net.Faults.Calm()
	s.aimed = aimed{} // a pending restart act included
	s.heal()
	s.crashes.every = 0
	for _, id := range s.ids {
		if s.nodes[id].down {
			s.crashes.restartAt[id] = s.now()
		}
	}
	start, lastProgress, progress := s.now(), s.now(), s.progress()
	markers := map[string]bool{}
	var readIDs []uint64 // reads issued once a marker was everywhere; one must be served
	var lastTry int64 = -1000
	for s.now()-lastProgress < stall && s.now()-start < limit {
		s.step(0.1)
		if p := s.progress(); p > progress {
			progress, lastProgress = p, s.now()
		}
		if slices.ContainsFunc(readIDs, func(id uint64) bool { return s.reads[id].served }) {
			return
		}
		if s.now()-lastTry < 300 {
			continue
		}
		if !s.markerEverywhere(markers) {
			if v, ok := s.propose(); ok {
				markers[v] = true
				lastTry = s.now()
			}
		} else if id, ok := s.read(); ok {
			readIDs, lastTry = append(readIDs, id), s.now()
		}
	}
	require.NotEmpty(s.t, readIDs, "no marker delivered everywhere %d ticks after the faults stopped\n%s", s.now()-start, s.dump())
	require.Fail(s.t, "no read served after the faults stopped", "%d issued, the first is read %d\n%s", len(readIDs), readIDs[0], s.dump())
}

// markerEverywhere reports whether some marker was delivered by every replica.
func (s *sim) markerEverywhere(markers map[string]bool) bool {
	for m := range markers {
		all := true
		for _, id := range s.ids {
			all = all && slices.Contains(s.nodes[id].state, m)
		}
		if all {
			return true
		}
	}
	return false
}

// runSim is one seed: faults for cfg.chaos ticks under client load, then calm and
// recovery. It returns the sim, to count what it did.
func runSim(t testing.TB, seed uint64, cfg simConfig) *sim {
	s := newSwarmSim(t, seed, cfg)
	for s.now() < cfg.chaos {
		s.step(cfg.rate)
	}
	s.recover(10_000, 120_000)
	return s
}

// TestSimulation runs the seeded swarm simulation: each seed draws its own cluster,
// settings and fault mix (simConfig). A failure prints what the seed drew and the command
// that replays it; the seed flags are package simseed's (15000 seeds from 0 by default).
func TestSimulation(t *testing.T) {
	var simulated, kills, lost atomic.Int64 // virtual milliseconds, nodes killed, records lost
	seeds := simseed.Seeds(15000)
	t.Cleanup(func() { // after every seed's subtest
		t.Logf("%d seeds, %.0f simulated seconds, %d nodes killed, %d records lost", len(seeds),
			float64(simulated.Load())/1000, kills.Load(), lost.Load())
	})
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			cfg := drawConfig(seed)
			if testing.Short() {
				cfg.chaos /= 2
			}
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("seed %d drew: %s", seed, cfg)
					t.Logf("replay: %s", simseed.Replay("TestSimulation", seed))
				}
			})
			s := runSim(t, seed, cfg)
			simulated.Add(s.now())
			kills.Add(int64(s.crashes.kills))
			lost.Add(int64(s.crashes.damaged))
		})
	}
}
