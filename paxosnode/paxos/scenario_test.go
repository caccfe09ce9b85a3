package paxos

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/consensus/scenario"
)

// TestScenarios replays the protocol scenarios in testdata/, the same stories raftnode/raft
// tells in the same words (see package scenario); regenerate with -rewrite and read the diff.
func TestScenarios(t *testing.T) {
	scenario.Run(t, "testdata", scenario.Hooks[Message]{New: newScenarioNode, Describe: describe,
		Campaign: func(c consensus.Core[Message]) { c.(*node).becomePreCandidate() }, Status: scenarioStatus})
}

// newScenarioNode builds a node as a script asks.
func newScenarioNode(o scenario.Options) consensus.Core[Message] {
	return newNode(consensus.Config{ID: o.ID, Peers: o.Peers, LeaseReads: o.Lease, Rand: o.Rand,
		Timing: consensus.Timing{ElectionTicks: o.ElectionTicks, HeartbeatTicks: o.HeartbeatTicks}})
}

func scenarioStatus(c consensus.Core[Message]) (string, bool) {
	n := c.(*node)
	return fmt.Sprintf("%s ballot=%s promised=%s commit=%d", n.role, n.ballot, n.promised, n.log.commit), n.leaseValid()
}

// Everything proposed between two Ready calls leaves as one Accept per acceptor.
func TestProposalsBatchIntoOneAcceptPerAcceptor(t *testing.T) {
	nw := newNetwork(t, 3, func(c *consensus.Config) { c.Timing.MaxBatch = 4 })
	nw.elect("n0")
	for i := range 6 {
		require.True(t, nw.node("n0").Propose([]byte{byte('a' + i)}))
	}
	rd := nw.node("n0").Ready()
	perPeer := map[string][]int{}
	for _, m := range rd.Messages {
		require.Equal(t, MsgAccept, m.Type, describe(m))
		perPeer[m.To] = append(perPeer[m.To], len(m.Entries))
	}
	require.Equal(t, map[string][]int{"n1": {4, 2}, "n2": {4, 2}}, perPeer, "MaxBatch splits, nothing else does")
	require.Empty(t, nw.node("n1").Propose([]byte("x")), "followers refuse proposals")
}

// Two proposers run phase 1 at once: the higher ballot wins, the other is
// nacked and steps aside, and the cluster still agrees.
func TestDuelingProposers(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.node("n0").becomeCandidate()
	nw.node("n1").becomeCandidate()
	b0, b1 := nw.node("n0").ballot, nw.node("n1").ballot
	require.True(t, b0.Less(b1), "same round, higher node index wins ties: %s %s", b0, b1)
	// n0's prepares land first: n1 nacks, n2 promises and n0 leads at 1.0.
	nw.collect("n0")
	nw.deliverAll()
	nw.collect("n2")
	nw.deliverAll()
	require.Equal(t, consensus.Leader, nw.node("n0").role)
	// Then n1's nack and its higher prepare arrive: n0 steps aside at once
	// and n2, which has not heard from n0 yet, promises n1.
	nw.collect("n1")
	nw.deliverAll()
	require.Equal(t, consensus.Follower, nw.node("n0").role)
	nw.stabilize()
	require.Equal(t, "n1", nw.leader(), nw.tail())
	require.Equal(t, consensus.Follower, nw.node("n0").role)
	nw.propose("n1", "v")
	nw.stabilize()
	nw.settle()
	for _, id := range nw.ids {
		require.Equal(t, []string{"v"}, nw.nodes[id].state, id)
	}
	require.Contains(t, nw.tail(), "nack")
}

// Phase 1 must adopt the value accepted at the highest ballot: here u was
// accepted at a lower ballot by the old leader only, v was then chosen at a
// higher ballot, and the new leader's quorum holds both without knowing v
// is chosen.
func TestPhase1AdoptsHighestBallotValue(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.isolate("n0")
	nw.propose("n0", "u") // u at slot 1, ballot b1: n0 alone
	nw.stabilize()
	nw.age(defaultElectionTicks, "n1", "n2")
	nw.elect("n1")
	nw.propose("n1", "v") // v at slot 1, ballot b2 > b1: chosen by n1, n2
	nw.stabilize()
	require.Equal(t, uint64(1), nw.node("n1").log.commit)
	require.Equal(t, uint64(0), nw.node("n2").log.commit, "n2 has not learned v is chosen")
	nw.heal()
	nw.isolate("n1")
	nw.age(defaultElectionTicks, "n0", "n2")
	nw.elect("n0")
	nw.settle()
	for _, id := range []string{"n0", "n2"} {
		require.Equal(t, []string{"v"}, nw.nodes[id].state, id)
	}
	require.Equal(t, []string{"v"}, nw.nodes["n1"].state)
}

// n2MissesTwenty is a cluster where n0 leads and gets twenty values chosen while n2 is cut
// off, the start of the snapshot tests.
func n2MissesTwenty(t *testing.T) *network {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.isolate("n2")
	for i := range 20 {
		nw.propose("n0", string(rune('a'+i)))
	}
	nw.stabilize()
	nw.settle()
	return nw
}

// A candidate behind the others' snapshots gets the snapshot in a promise,
// restores it, and leads from there.
func TestCandidateCatchesUpFromPromiseSnapshot(t *testing.T) {
	nw := n2MissesTwenty(t)
	for _, id := range []string{"n0", "n1"} {
		r := nw.nodes[id]
		r.node.Compact(uint64(len(r.state)), encodeState(r.state))
	}
	nw.heal()
	nw.isolate("n0")
	nw.age(defaultElectionTicks, "n1", "n2")
	nw.elect("n2")
	nw.propose("n2", "z")
	nw.stabilize()
	nw.settle()
	require.Equal(t, 1, nw.nodes["n2"].snaps)
	require.Len(t, nw.nodes["n2"].state, 21)
	require.Equal(t, nw.nodes["n1"].state, nw.nodes["n2"].state)
	require.Contains(t, nw.tail(), "restored snapshot index=20")
}

// Every queue is bounded: a leader that cannot get slots chosen refuses
// proposals beyond maxOpenSlots, and reads beyond maxPendingReads, having
// stored nothing.
func TestBackPressure(t *testing.T) {
	nw := newNetwork(t, 3, noLease)
	nw.elect("n0")
	nw.isolate("n0")
	n0 := nw.node("n0")
	accepted := 0
	for n0.Propose([]byte("x")) {
		accepted++
	}
	require.Equal(t, maxOpenSlots, accepted)
	reads := 0
	for n0.ReadIndex(uint64(reads)) {
		reads++
	}
	require.Equal(t, maxPendingReads, reads)
	require.Equal(t, uint64(maxOpenSlots), n0.log.last())
}
