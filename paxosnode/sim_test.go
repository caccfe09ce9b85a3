package main

import (
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/sim"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/paxosnode/paxos"
)

// TestSimulation runs the whole-node simulations (sim.CheckBinary) on Multi-Paxos clusters of
// this binary's server; the hold bias strikes the election messages and the acknowledgements.
func TestSimulation(t *testing.T) {
	elections := []paxos.MsgType{paxos.MsgPreVote, paxos.MsgPreVoteReply, paxos.MsgPrepare, paxos.MsgPromise, paxos.MsgNack}
	acks := []paxos.MsgType{paxos.MsgAccepted}
	sim.CheckBinary(t, sim.Binary{New: sim.Server(serverConfig), ElectionTimeout: time.Duration(consensus.DefaultTiming.ElectionTicks) * time.Millisecond,
		HoldBias: sim.HoldTypes("t", elections, acks)})
}
