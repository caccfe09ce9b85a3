package paxos

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/consensus/scenario"
)

// TestScenarios replays the protocol scenarios in testdata/, the same stories raftnode/raft
// tells in the same words (see package scenario); regenerate with -rewrite and read the diff.
func TestScenarios(t *testing.T) {
	scenario.Run(t, "testdata", scenario.Hooks[Message]{
		New: func(o scenario.Options) consensus.Core[Message] {
			return New(Config{ID: o.ID, Peers: o.Peers, LeaseReads: o.Lease,
				Rand: rand.New(rand.NewPCG(o.Seed, uint64(o.ID[len(o.ID)-1])))})
		},
		Describe: Describe,
		Campaign: func(c consensus.Core[Message]) { c.(*Node).becomePreCandidate() },
		Status: func(c consensus.Core[Message]) string {
			n := c.(*Node)
			return fmt.Sprintf("%s ballot=%s promised=%s commit=%d", n.Role(), n.Ballot(), n.Promised(), n.CommitIndex())
		},
		Lease:          func(c consensus.Core[Message]) bool { return c.(*Node).LeaseValid() },
		ElectionTicks:  DefaultElectionTicks,
		HeartbeatTicks: DefaultHeartbeatTicks,
	})
}
