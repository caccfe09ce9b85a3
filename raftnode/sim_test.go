package main

import (
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/sim"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/raftnode/raft"
)

// TestSimulation runs the whole-node simulations (sim.CheckBinary) on Raft clusters of this
// binary's server; the hold bias strikes the election messages and the acknowledgements.
func TestSimulation(t *testing.T) {
	elections := []raft.MsgType{raft.MsgPreVote, raft.MsgPreVoteResp, raft.MsgVote, raft.MsgVoteResp}
	acks := []raft.MsgType{raft.MsgAppResp, raft.MsgHeartbeatResp}
	sim.CheckBinary(t, sim.Binary{New: sim.Server(serverConfig), ElectionTimeout: time.Duration(consensus.DefaultTiming.ElectionTicks) * time.Millisecond,
		HoldBias: sim.HoldTypes("y", elections, acks)})
}
