package sim

import (
	"flag"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/nodes"
)

var (
	sweepSeeds = flag.Uint64("sim.seeds", 250, "seeds per cluster size in Sweep and SweepClusters")
	sweepFirst = flag.Uint64("sim.seed", 1, "first seed of Sweep and SweepClusters")
)

// Sweep runs the seeds -sim.seed to -sim.seed + -sim.seeds - 1 (1 to 250 by default), in
// parallel chunks, and fails the test at the first seed whose run has protocol problems, a
// non-linearizable history, or no ok operation after the faults healed. A failure writes the
// run's store directory (see Result.WriteStore) under -sim.store and names the seed, the
// directory and the go test command that replays that one seed.
func Sweep(t *testing.T, config func(seed uint64) Config) {
	const chunks = 8
	first, count := *sweepFirst, *sweepSeeds
	replay := func(seed uint64) string {
		return replayCommand(t.Name(), "-sim.seed", strconv.FormatUint(seed, 10), "-sim.seeds", "1")
	}
	per := (count + chunks - 1) / chunks
	for lo := first; lo < first+count; lo += per {
		hi := min(lo+per, first+count)
		t.Run(fmt.Sprintf("seeds-%d-%d", lo, hi-1), func(t *testing.T) {
			t.Parallel()
			for seed := lo; seed < hi; seed++ {
				if err := checkSeed(config(seed), replay(seed)); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
		})
	}
}

// checkSeed runs one seed and says what is wrong with it, if anything, after writing its store.
func checkSeed(cfg Config, replay string) error {
	res := Run(cfg)
	lin := res.Check(time.Minute)
	var err error
	switch {
	case len(res.Problems) > 0:
		err = fmt.Errorf("%d protocol problems, the first: %s: %s: %s", len(res.Problems),
			res.Problems[0].Node, res.Problems[0].Error, res.Problems[0].Line)
	case lin.Valid != check.Valid:
		err = fmt.Errorf("%d nodes: linearizable? %s, keys %v not linearizable (%d ok, %d info)",
			res.cfg.Nodes, lin.Valid, lin.Failures, res.OK, res.Info)
	case res.RecoveredOK == 0:
		err = fmt.Errorf("%d nodes: no ok operation after the faults healed (%d ok, %d fail, %d info)",
			res.cfg.Nodes, res.OK, res.Fail, res.Info)
	default:
		return nil
	}
	return failure(defaultStoreRoot(), res, lin, replay, err)
}

// failure writes a failing run's store under root and adds it and the replay command to err.
func failure(root string, res *Result, lin *check.LinResult, replay string, err error) error {
	dir, serr := res.WriteStore(root, replay, lin)
	if serr != nil {
		dir = "not written: " + serr.Error()
	}
	return fmt.Errorf("%w\n  store: %s\n  replay: %s", err, dir, replay)
}

// Variant is how SweepClusters configures the nodes of one seed.
type Variant struct {
	// Lease: serve reads under leader leases.
	Lease bool
	// Batch: batch at every load (the server's BatchRate as low as it goes), so that requests
	// wait in batches while faults strike; the simulated clients alone would rarely make a
	// node linger.
	Batch bool
}

// SweepClusters is the standard simulation of a consensus-backed node: 3- and 5-node clusters
// through partitions, pauses, 5% loss, 5% duplication and reordering, seeds as Sweep takes
// them. A quarter of the seeds run without leader leases, a third batch at every load. A
// failure names its seed and its store; `go test -run 'TestSimulation/3-nodes' -sim.seed N
// -sim.seeds 1` replays it (the failure prints the exact command).
func SweepClusters(t *testing.T, newMachine func(Variant) nodes.Machine) {
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("%d-nodes", n), func(t *testing.T) {
			Sweep(t, func(seed uint64) Config {
				v := Variant{Lease: seed%4 != 0, Batch: seed%3 == 0}
				return Config{
					Seed: seed, Nodes: n,
					NewMachine: func() nodes.Machine { return newMachine(v) },
					Duration:   2 * time.Second, Recovery: 2500 * time.Millisecond,
					Partitions: true, Pauses: true, Loss: 0.05, Duplicate: 0.05,
				}
			})
		})
	}
}

// CheckOneWayRing runs 3-node clusters under Maelstrom's 3-node :majorities-ring for the
// whole fault period (5 s, from the start): every node drops the messages of the next one, so
// every link works in one direction only, and no leader can commit unless messages go round
// the ring. newMachine(relay) builds a node that relays round one-way links or not. Every
// history must be linearizable; with relaying every seed must serve more than 100 ok
// operations under the cut, and without it none (the cut bites).
func CheckOneWayRing(t *testing.T, newMachine func(relay bool) nodes.Machine) {
	t.Helper()
	replay := replayCommand(t.Name())
	for _, relay := range []bool{true, false} {
		var faultOK []int
		for seed := uint64(1); seed <= 4; seed++ {
			cfg := Config{Seed: seed, Nodes: 3, NewMachine: func() nodes.Machine { return newMachine(relay) },
				Duration: 5 * time.Second, Cut: func(from, to int) bool { return from == (to+1)%3 }}
			res := Run(cfg)
			lin := res.Check(time.Minute)
			var err error
			switch {
			case len(res.Problems) > 0:
				err = fmt.Errorf("%d protocol problems, the first: %s: %s", len(res.Problems), res.Problems[0].Error, res.Problems[0].Line)
			case lin.Valid != check.Valid:
				err = fmt.Errorf("linearizable? %s, keys %v not linearizable", lin.Valid, lin.Failures)
			case relay && res.FaultOK <= 100:
				err = fmt.Errorf("only %d ok operations under the cut with relaying", res.FaultOK)
			case !relay && res.FaultOK > 0:
				err = fmt.Errorf("%d ok operations under the cut without relaying: the cut does not bite", res.FaultOK)
			}
			if err != nil {
				t.Errorf("seed %d, relay %v: %v", seed, relay, failure(defaultStoreRoot(), res, lin, replay, err))
			}
			faultOK = append(faultOK, res.FaultOK)
		}
		t.Logf("relay=%v: ok operations under the cut per seed: %v", relay, faultOK)
	}
}
