package main

import (
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/sim"
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/paxosnode/paxos"
)

// node is this binary's node under the command-line options o.
func node(o kvserver.Options) nodes.Machine { return kvserver.New(kvserver.Configure(o, serverConfig)) }

// TestSimulation runs Multi-Paxos clusters of the real server, each seed with its own cluster size,
// node settings and fault mix, and checks every history with porcupine and every acknowledged
// write for a quorum of witnesses (see sim.SweepClusters; -sim.seed N -sim.seeds 1 replays one
// seed).
func TestSimulation(t *testing.T) {
	sim.SweepClusters(t, paxos.DefaultElectionTicks*time.Millisecond, node)
}

// TestOneWayRing: under Maelstrom's 3-node :majorities-ring no two nodes talk both ways; only
// relaying round the ring (nodes/kvserver, relay.go) lets the cluster serve.
func TestOneWayRing(t *testing.T) {
	sim.CheckOneWayRing(t, node)
}
