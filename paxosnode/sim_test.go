package main

import (
	"testing"

	"github.com/stretchr/testify/require"

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

// TestOneWayRing: under Maelstrom's 3-node :majorities-ring no two nodes talk both ways, and
// only relaying round the ring lets the cluster serve (nodes/kvserver, relay.go).
func TestOneWayRing(t *testing.T) {
	for _, relay := range []bool{true, false} {
		ok := sim.OneWayRing(t, 4, func() nodes.Machine {
			cfg := NewServerConfig(paxos.Config{LeaseReads: true})
			if !relay {
				cfg.DeafAfter = -1
			}
			return kvserver.New(cfg)
		})
		t.Logf("relay=%v: ok operations under the cut per seed: %v", relay, ok)
		for seed, n := range ok {
			if relay {
				require.Greater(t, n, 100, "seed %d", seed+1)
			} else {
				require.Zero(t, n, "seed %d: without relaying nothing can commit", seed+1)
			}
		}
	}
}
