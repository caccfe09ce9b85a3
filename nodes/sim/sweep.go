package sim

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/quorumkit/quorumkit/nodes"
)

// Sweep runs count seeds from first, in parallel chunks, and fails the test at the first seed
// whose run has protocol problems, a non-linearizable history, or no ok operation after the
// faults healed. A failure names the seed and writes porcupine's visualization of the history.
func Sweep(t *testing.T, first, count uint64, config func(seed uint64) Config) {
	const chunks = 8
	per := (count + chunks - 1) / chunks
	for lo := first; lo < first+count; lo += per {
		hi := min(lo+per, first+count)
		t.Run(fmt.Sprintf("seeds-%d-%d", lo, hi-1), func(t *testing.T) {
			t.Parallel()
			for seed := lo; seed < hi; seed++ {
				if err := checkSeed(t, config(seed)); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
		})
	}
}

func checkSeed(t *testing.T, cfg Config) error {
	res := Run(cfg)
	if len(res.Problems) > 0 {
		return fmt.Errorf("%d protocol problems, the first: %s", len(res.Problems), res.Problems[0])
	}
	verdict, info := res.Check(time.Minute)
	if verdict != porcupine.Ok {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("seed-%d.html", cfg.Seed))
		if f, err := os.Create(path); err == nil {
			_ = porcupine.Visualize(Model, info, f)
			f.Close()
		}
		return fmt.Errorf("%d nodes: history is %s (%d ok, %d info; visualization: %s)", cfg.Nodes, verdict, res.OK, res.Info, path)
	}
	if res.RecoveredOK == 0 {
		return fmt.Errorf("%d nodes: no ok operation after the faults healed (%d ok, %d fail, %d info)", cfg.Nodes, res.OK, res.Fail, res.Info)
	}
	return nil
}

var (
	sweepSeeds = flag.Uint64("sim.seeds", 250, "seeds per cluster size in SweepClusters")
	sweepFirst = flag.Uint64("sim.seed", 1, "first seed of SweepClusters")
)

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
// through partitions, pauses, 5% loss, 5% duplication and reordering, -sim.seeds seeds each
// from -sim.seed (250 from 1). A quarter of the seeds run without leader leases, a third
// batch at every load. A failure names its seed; `go test -run TestSimulation -sim.seed N
// -sim.seeds 1` replays it.
func SweepClusters(t *testing.T, newMachine func(Variant) nodes.Machine) {
	for _, n := range []int{3, 5} {
		t.Run(fmt.Sprintf("%d-nodes", n), func(t *testing.T) {
			Sweep(t, *sweepFirst, *sweepSeeds, func(seed uint64) Config {
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
	for _, relay := range []bool{true, false} {
		var faultOK []int
		for seed := uint64(1); seed <= 4; seed++ {
			cfg := Config{Seed: seed, Nodes: 3, NewMachine: func() nodes.Machine { return newMachine(relay) },
				Duration: 5 * time.Second, Cut: func(from, to int) bool { return from == (to+1)%3 }}
			res := Run(cfg)
			if len(res.Problems) > 0 {
				t.Fatalf("seed %d: %d protocol problems, the first: %s", seed, len(res.Problems), res.Problems[0])
			}
			if verdict, _ := res.Check(time.Minute); verdict != porcupine.Ok {
				t.Fatalf("seed %d, relay %v: history is %s", seed, relay, verdict)
			}
			switch {
			case relay && res.FaultOK <= 100:
				t.Errorf("seed %d: only %d ok operations under the cut with relaying", seed, res.FaultOK)
			case !relay && res.FaultOK > 0:
				t.Errorf("seed %d: %d ok operations under the cut without relaying: the cut does not bite", seed, res.FaultOK)
			}
			faultOK = append(faultOK, res.FaultOK)
		}
		t.Logf("relay=%v: ok operations under the cut per seed: %v", relay, faultOK)
	}
}
