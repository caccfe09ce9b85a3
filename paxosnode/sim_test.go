package main

import (
	"testing"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/nodes/sim"
	"github.com/quorumkit/quorumkit/paxosnode/paxos"
)

// TestSimulation runs 3- and 5-node Multi-Paxos clusters of the real server through partitions,
// pauses, loss, duplication and reordering, and checks every history with porcupine (see
// sim.SweepClusters; -sim.seed N -sim.seeds 1 replays one seed).
func TestSimulation(t *testing.T) {
	sim.SweepClusters(t, func(v sim.Variant) nodes.Machine {
		cfg := NewServerConfig(paxos.Config{LeaseReads: v.Lease})
		if v.Batch {
			cfg.BatchRate = 1e-9
		}
		return kvserver.New(cfg)
	})
}
