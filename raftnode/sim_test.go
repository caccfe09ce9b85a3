package main

import (
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/sim"
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/raftnode/raft"
)

// binary is this binary as the simulation sees it: its nodes under the command-line options,
// its election timeout, and the messages holds should strike (elections ten times as often as
// the rest, acknowledgements three times).
var binary = sim.Binary{
	New:             func(o kvserver.Options) nodes.Machine { return kvserver.New(kvserver.Configure(o, serverConfig)) },
	ElectionTimeout: time.Duration(consensus.DefaultTiming.ElectionTicks) * time.Millisecond,
	HoldBias: sim.HoldTypes("y", map[byte]float64{
		byte(raft.MsgPreVote): 10, byte(raft.MsgPreVoteResp): 10, byte(raft.MsgVote): 10, byte(raft.MsgVoteResp): 10,
		byte(raft.MsgAppResp): 3, byte(raft.MsgHeartbeatResp): 3,
	}),
}

// TestSimulation runs Raft clusters of the real server, each seed with its own cluster size,
// node settings and fault mix, and checks every history with porcupine and every acknowledged
// write for a quorum of witnesses (see sim.SweepClusters; -sim.seed N -sim.seeds 1 replays one
// seed).
func TestSimulation(t *testing.T) { sim.SweepClusters(t, binary) }

// TestOneWayRing: under Maelstrom's 3-node :majorities-ring no two nodes talk both ways; only
// relaying round the ring (nodes/kvserver, relay.go) lets the cluster serve.
func TestOneWayRing(t *testing.T) { sim.CheckOneWayRing(t, binary) }

// TestHoldBias: the hold bias finds the election messages and acknowledgements on the wire.
func TestHoldBias(t *testing.T) { sim.CheckHoldBias(t, binary) }
