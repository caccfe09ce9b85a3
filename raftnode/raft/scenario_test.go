package raft

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/consensus/scenario"
)

// TestScenarios replays the protocol scenarios in testdata/, the same stories paxosnode/paxos
// tells in the same words (see package scenario); regenerate with -rewrite and read the diff.
func TestScenarios(t *testing.T) {
	scenario.Run(t, "testdata", scenario.Hooks[Message]{New: newScenarioNode, Describe: Describe,
		Campaign: func(c consensus.Core[Message]) { c.(*Node).campaign(true) }, Status: scenarioStatus})
}

// newScenarioNode builds a node as a script asks, keeping two entries below a snapshot so
// that a short script outruns them.
func newScenarioNode(o scenario.Options) consensus.Core[Message] {
	return New(Config{ID: o.ID, Peers: o.Peers, LeaseReads: o.Lease, CompactMargin: 2,
		ElectionTicks: o.ElectionTicks, HeartbeatTicks: o.HeartbeatTicks,
		Rand: rand.New(rand.NewPCG(o.Seed, uint64(o.ID[len(o.ID)-1])))})
}

func scenarioStatus(c consensus.Core[Message]) (string, bool) {
	n := c.(*Node)
	return fmt.Sprintf("%s term=%d commit=%d last=%d", n.Role(), n.Term(), n.CommitIndex(), n.LastIndex()),
		n.Role() == Leader && n.cfg.LeaseReads && n.leaseValid()
}
