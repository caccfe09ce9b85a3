package main

import (
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/sim"
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/paxosnode/paxos"
)

// binary is this binary as the simulation sees it: its nodes under the command-line options,
// its election timeout, and the messages holds should strike (elections ten times as often as
// the rest, acknowledgements three times).
var binary = sim.Binary{
	New:             func(o kvserver.Options) nodes.Machine { return kvserver.New(kvserver.Configure(o, serverConfig)) },
	ElectionTimeout: time.Duration(consensus.DefaultTiming.ElectionTicks) * time.Millisecond,
	HoldBias: sim.HoldTypes("t", map[byte]float64{
		byte(paxos.MsgPreVote): 10, byte(paxos.MsgPreVoteReply): 10, byte(paxos.MsgPrepare): 10, byte(paxos.MsgPromise): 10,
		byte(paxos.MsgNack): 10, byte(paxos.MsgAccepted): 3,
	}),
}

// TestSimulation runs Multi-Paxos clusters of the real server, each seed with its own cluster size,
// node settings and fault mix, and checks every history with porcupine and every acknowledged
// write for a quorum of witnesses (see sim.SweepClusters; -sim.seed N -sim.seeds 1 replays one
// seed).
func TestSimulation(t *testing.T) { sim.SweepClusters(t, binary) }

// TestOneWayRing: under Maelstrom's 3-node :majorities-ring no two nodes talk both ways; only
// relaying round the ring (nodes/kvserver, relay.go) lets the cluster serve.
func TestOneWayRing(t *testing.T) { sim.CheckOneWayRing(t, binary) }

// TestHoldBias: the hold bias finds the election messages and acknowledgements on the wire.
func TestHoldBias(t *testing.T) { sim.CheckHoldBias(t, binary) }
