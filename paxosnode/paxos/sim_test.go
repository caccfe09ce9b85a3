package paxos

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/simnet"
)

var (
	simSeeds = flag.Int("sim.seeds", 250, "seeds the randomized simulation runs")
	simSeed  = flag.Int64("sim.seed", -1, "run only this seed")
	simTrace = flag.Int64("sim.trace", 0, "log every delivery from this tick on")
)

type readCall struct {
	node     string
	minIndex uint64 // highest slot delivered anywhere when ReadIndex was called
	served   bool
}

// sim is a seeded cluster run: random latency (exponential, or constant),
// loss, duplication, reordering, partitions (also one-way), proposals, reads
// and compaction, on the shared simulated network. Any failure reproduces
// from its seed.
type sim struct {
	*network
	rng       *rand.Rand
	reads     map[uint64]*readCall
	readID    uint64
	proposed  map[string]bool
	nextVal   int
	compactN  uint64
	traceFrom int64 // log deliveries from this tick on (debugging)
}

func newSim(t testing.TB, seed uint64) *sim {
	rng := rand.New(rand.NewPCG(seed, 99))
	size := []int{3, 3, 5}[rng.IntN(3)]
	nw := newNetworkRand(t, size, rng, func(c *Config) {
		c.Rand = rand.New(rand.NewPCG(seed, uint64(len(c.ID))+rng.Uint64()))
		c.LeaseReads = rng.IntN(2) == 0
		c.MaxBatch = 16 + rng.IntN(64)
		c.MaxInflight = 2 + rng.IntN(8)
		c.Logf = nil
	})
	s := &sim{network: nw, rng: rng, reads: map[uint64]*readCall{}, proposed: map[string]bool{},
		compactN: uint64(10 + rng.IntN(100))}
	meanLat := float64(rng.IntN(30))
	if rng.IntN(4) == 0 {
		meanLat = 100 // Maelstrom's worst case: exponential with mean 100 ms
	}
	s.setLatency(meanLat, false)
	// Messages due at one instant arrive in random order.
	s.net.Faults.Shuffle = true
	s.net.Observe = func(e *simnet.Envelope[Message], f simnet.Fate) {
		if s.traceFrom > 0 && s.now() >= s.traceFrom {
			s.t.Logf("%d %s %s", s.now(), f, Describe(e.Msg))
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

// partition picks one of Maelstrom's shapes, or random one-way cuts.
func (s *sim) partition() {
	s.heal()
	ids := slices.Clone(s.ids)
	s.rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	switch s.rng.IntN(4) {
	case 0: // one node cut off
		s.isolate(ids[0])
	case 1: // majority / minority
		for _, a := range ids[:len(ids)/2] {
			for _, b := range ids[len(ids)/2:] {
				s.cutLink(a, b)
				s.cutLink(b, a)
			}
		}
	case 2: // ring: each node hears only a window of a majority
		k := len(ids)/2 + 1
		for i, a := range ids {
			for j := k; j < len(ids); j++ {
				s.cutLink(ids[(i+j)%len(ids)], a)
			}
		}
	case 3: // random one-way cuts
		for _, a := range ids {
			for _, b := range ids {
				if a != b && s.rng.IntN(3) == 0 {
					s.cutLink(a, b)
				}
			}
		}
	}
}

func (s *sim) leaderGuess() string {
	for _, id := range s.ids {
		if s.node(id).Role() == Leader && s.rng.IntN(5) > 0 {
			return id
		}
	}
	return s.ids[s.rng.IntN(len(s.ids))]
}

func (s *sim) propose() (string, bool) {
	v := fmt.Sprintf("v%d", s.nextVal)
	s.nextVal++
	ok := s.node(s.leaderGuess()).Propose([]byte(v))
	if ok {
		s.proposed[v] = true
	}
	return v, ok
}

func (s *sim) read() (uint64, bool) {
	id := s.leaderGuess()
	s.readID++
	s.reads[s.readID] = &readCall{node: id, minIndex: s.maxDel}
	return s.readID, s.node(id).ReadIndex(s.readID)
}

// step runs one tick: due messages, timers, client work, Ready.
func (s *sim) step(clientRate float64) {
	t := s.t
	s.net.Step()
	if s.rng.Float64() < clientRate {
		s.propose()
	}
	if s.rng.Float64() < clientRate/2 {
		s.read()
	}
	for _, id := range s.ids {
		n := s.node(id)
		if !n.HasReady() {
			continue
		}
		r := s.nodes[id]
		rd := n.Ready()
		before := len(r.reads)
		s.apply(id, r, rd)
		for _, e := range rd.Committed {
			if e.Data != nil {
				require.True(t, s.proposed[string(e.Data)], "%s delivered %q, never proposed", id, e.Data)
			}
		}
		for _, rs := range r.reads[before:] {
			c := s.reads[rs.ID]
			require.NotNil(t, c, "%s served unknown read %d", id, rs.ID)
			require.Equal(t, c.node, id, "read %d served by the wrong node", rs.ID)
			require.False(t, c.served, "read %d served twice", rs.ID)
			require.GreaterOrEqual(t, rs.Index, c.minIndex,
				"%s read %d at %d misses slot %d delivered before the call", id, rs.ID, rs.Index, c.minIndex)
			c.served = true
		}
		for _, m := range rd.Messages {
			s.net.Send(m.From, m.To, m)
		}
		if applied := uint64(len(r.state)); applied >= n.log.snap.Index+s.compactN {
			n.Compact(applied, encodeState(r.state))
		}
	}
}

// dump describes every node for a failure message.
func (s *sim) dump() string {
	out := ""
	for _, id := range s.ids {
		n := s.node(id)
		out += fmt.Sprintf("%s %s ballot=%s promised=%s leader=%q commit=%d applied=%d snap=%d last=%d learn=%s/%d match=%d/%s delivered=%d timeout=%d\n",
			id, n.role, n.ballot, n.promised, n.leader, n.log.commit, n.log.applied, n.log.snap.Index, n.log.last(),
			n.learnBallot, n.learnCommit, n.match, n.matchBallot, len(s.nodes[id].state), n.timeout)
		if n.role == Leader {
			for i, pr := range n.lead.prog {
				out += fmt.Sprintf("  -> %s %+v\n", s.ids[i], pr)
			}
			out += fmt.Sprintf("  nextSlot=%d ready=%d round=%d confirmed=%d\n", n.lead.nextSlot, n.lead.readyIndex, n.lead.round, n.lead.confirmed)
		}
	}
	return out
}

// run is one seed: chaos, then heal and demand progress.
func runSim(t testing.TB, seed uint64, chaosTicks int) {
	s := newSim(t, seed)
	s.traceFrom = *simTrace
	s.net.Faults.Loss = []float64{0, 0.01, 0.1, 0.3}[s.rng.IntN(4)]
	s.net.Faults.Dup = []float64{0, 0.02, 0.1}[s.rng.IntN(3)]
	// Half the seeds are storms: faults every few round trips.
	faultGap := []int{1500, 300}[s.rng.IntN(2)]
	nextFault := int64(s.rng.IntN(500))
	for s.now() < int64(chaosTicks) {
		if s.now() >= nextFault {
			if !s.net.Partitioned() {
				s.partition()
			} else {
				s.heal()
			}
			nextFault = s.now() + int64(30+s.rng.IntN(faultGap))
		}
		s.step(0.2)
	}
	// Heal: within the deadline some marker value must be chosen and
	// delivered everywhere, and a read issued after that must be served.
	// A proposal or read may be lost to a leader change, so both are retried.
	s.heal()
	s.net.Faults.Loss, s.net.Faults.Dup = 0, 0
	deadline := s.now() + 6000
	markers := map[string]bool{}
	var readID uint64
	var lastTry int64 = -1000
	for s.now() < deadline {
		s.step(0.1)
		everywhere := false
		for m := range markers {
			all := true
			for _, id := range s.ids {
				all = all && slices.Contains(s.nodes[id].state, m)
			}
			everywhere = everywhere || all
		}
		if readID != 0 && s.reads[readID].served {
			break
		}
		if s.now()-lastTry < 300 {
			continue
		}
		if !everywhere {
			if v, ok := s.propose(); ok {
				markers[v] = true
				lastTry = s.now()
			}
		} else if id, ok := s.read(); ok {
			readID, lastTry = id, s.now()
		}
	}
	require.NotZero(t, readID, "no marker delivered everywhere after healing\n%s", s.dump())
	require.True(t, s.reads[readID].served, "read %d never served after healing\n%s", readID, s.dump())
}

// TestSimulation runs the seeded simulation; a failure names its seed, and
// -sim.seed=N reruns just that one.
func TestSimulation(t *testing.T) {
	seeds := make([]uint64, 0, *simSeeds)
	if *simSeed >= 0 {
		seeds = append(seeds, uint64(*simSeed))
	} else {
		for i := range *simSeeds {
			seeds = append(seeds, uint64(i))
		}
	}
	ticks := 3000
	if testing.Short() {
		ticks = 1500
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			t.Cleanup(func() {
				if t.Failed() {
					t.Logf("seed %d failed; rerun with: go test ./paxosnode/paxos/ -run TestSimulation -sim.seed=%d", seed, seed)
				}
			})
			runSim(t, seed, ticks)
		})
	}
}
