package main

import (
	"testing"

	"github.com/quorumkit/quorumkit/harness/sim"
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/raftnode/raft"
)

// TestSimulation runs 3- and 5-node Raft clusters of the real server through partitions,
// pauses, loss, duplication and reordering, and checks every history with porcupine (see
// sim.SweepClusters; -sim.seed N -sim.seeds 1 replays one seed).
func TestSimulation(t *testing.T) {
	sim.SweepClusters(t, func(v sim.Variant) nodes.Machine {
		cfg := NewServerConfig(raft.Config{LeaseReads: v.Lease})
		if v.Batch {
			cfg.BatchRate = 1e-9
		}
		return kvserver.New(cfg)
	})
}

// TestOneWayRing: under Maelstrom's 3-node :majorities-ring no two nodes talk both ways; only
// relaying round the ring (nodes/kvserver, relay.go) lets the cluster serve.
func TestOneWayRing(t *testing.T) {
	sim.CheckOneWayRing(t, func(relay bool) nodes.Machine {
		cfg := NewServerConfig(raft.Config{LeaseReads: true})
		if !relay {
			cfg.DeafAfter = -1
		}
		return kvserver.New(cfg)
	})
}
