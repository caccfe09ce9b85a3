package main

import (
	"flag"
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/nodes/sim"
	"github.com/quorumkit/quorumkit/paxosnode/paxos"
)

var (
	seeds    = flag.Uint64("sim.seeds", 250, "seeds per cluster size in TestSimulation")
	fromSeed = flag.Uint64("sim.seed", 1, "first seed of TestSimulation")
)

// TestSimulation runs 3- and 5-node Multi-Paxos clusters through partitions, pauses, loss,
// duplication and reordering, and checks every history with porcupine. A failure names its
// seed; go test ./paxosnode -run TestSimulation -sim.seed N -sim.seeds 1 replays it.
func TestSimulation(t *testing.T) {
	for _, n := range []int{3, 5} {
		t.Run(map[int]string{3: "3-nodes", 5: "5-nodes"}[n], func(t *testing.T) {
			sim.Sweep(t, *fromSeed, *seeds, func(seed uint64) sim.Config {
				lease := seed%4 != 0 // a quarter of the runs use ReadIndex only
				return sim.Config{
					Seed: seed, Nodes: n,
					NewMachine: func() nodes.Machine {
						return kvserver.New(NewServerConfig(paxos.Config{LeaseReads: lease}))
					},
					Duration: 2 * time.Second, Recovery: 2500 * time.Millisecond,
					Partitions: true, Pauses: true, Loss: 0.05, Duplicate: 0.05,
				}
			})
		})
	}
}
