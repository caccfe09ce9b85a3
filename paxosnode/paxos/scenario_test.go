package paxos

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

func TestElectionAndReplication(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.tick(2 * defaultElectionTicks * 2)
	l := nw.leader()
	require.NotEmpty(t, l, nw.tail())
	nw.propose(l, "a", "b", "c")
	nw.stabilize()
	nw.settle()
	for _, id := range nw.ids {
		require.Equal(t, []string{"a", "b", "c"}, nw.nodes[id].state, id)
		require.Equal(t, l, nw.node(id).Leader(), id)
	}
}

func TestSingleNodeCluster(t *testing.T) {
	nw := newNetwork(t, 1, nil)
	nw.tick(2 * defaultElectionTicks)
	require.Equal(t, "n0", nw.leader())
	nw.propose("n0", "x")
	require.True(t, nw.node("n0").ReadIndex(1))
	nw.stabilize()
	require.Equal(t, []string{"x"}, nw.nodes["n0"].state)
	require.Equal(t, []consensus.ReadState{{ID: 1, Index: 1}}, nw.nodes["n0"].reads)
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

// A leader that is deposed in the middle of phase 2: the value a majority
// accepted (though the leader never learned it) survives at its slot; the
// value only the old leader held is never delivered.
func TestLeaderDeposedMidPhase2(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.propose("n0", "a")
	nw.stabilize()
	// n1 accepts "b" but its answer never reaches n0; n2 hears nothing.
	nw.cutLink("n1", "n0")
	nw.cutLink("n0", "n2")
	nw.propose("n0", "b")
	nw.stabilize()
	require.Equal(t, uint64(1), nw.node("n0").log.commit, "n0 does not know b is chosen")
	// Then n0 is cut off entirely and proposes "c", which nobody sees.
	nw.isolate("n0")
	nw.propose("n0", "c")
	nw.stabilize()
	nw.age(defaultElectionTicks, "n1", "n2")
	nw.elect("n2")
	nw.propose("n2", "d")
	nw.stabilize()
	require.Equal(t, []string{"a", "b", "d"}, nw.nodes["n2"].state)
	nw.heal()
	nw.tick(defaultElectionTicks) // enough for n2 to resend what n0 missed
	require.Equal(t, consensus.Follower, nw.node("n0").role)
	for _, id := range nw.ids {
		require.Equal(t, []string{"a", "b", "d"}, nw.nodes[id].state, "%s\n%s", id, nw.tail())
	}
}

// A new leader fills a true gap with a no-op before delivering the slot
// after it, and drops values it cannot have seen chosen.
func TestGapFilledWithNoop(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	n0 := nw.node("n0")
	n0.Propose([]byte("a")) // slot 1: lost everywhere
	nw.collect("n0")
	nw.net.Discard(nil)
	n0.Propose([]byte("b")) // slot 2: reaches n1 only
	nw.collect("n0")
	nw.net.Discard(func(e *simnet.Envelope[Message]) bool { return e.To != "n1" })
	nw.isolate("n0")
	nw.net.Unblock("n0", "n1")
	nw.deliverAll()
	n0.Propose([]byte("c")) // slot 3: lost
	nw.collect("n0")
	nw.net.Discard(nil)
	nw.age(defaultElectionTicks, "n1", "n2")
	nw.elect("n2")
	nw.settle()
	for _, id := range []string{"n1", "n2"} {
		require.Equal(t, []string{"", "b"}, nw.nodes[id].state, id)
		require.True(t, nw.nodes[id].noops[1], "slot 1 is a no-op on %s", id)
	}
	require.Contains(t, nw.tail(), "noops=1")
}

// A replica cut off while the others compact catches up from the snapshot
// plus the chosen slots after it.
func TestLaggingAcceptorCatchesUpViaSnapshot(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.isolate("n2")
	for i := range 50 {
		nw.propose("n0", string(rune('A'+i%26)))
		nw.stabilize()
	}
	for _, id := range []string{"n0", "n1"} {
		r := nw.nodes[id]
		r.node.Compact(uint64(len(r.state)), encodeState(r.state))
	}
	nw.propose("n0", "after")
	nw.stabilize()
	nw.tick(defaultElectionTicks / 2) // n0 keeps trying n2 meanwhile
	nw.heal()
	nw.trace = true
	nw.settle()
	nw.settle()
	r2 := nw.nodes["n2"]
	require.Equal(t, 1, r2.snaps, "n2 restored a snapshot\n%s", nw.tail())
	require.Equal(t, nw.nodes["n0"].state, r2.state, nw.tail())
	require.Equal(t, "after", r2.state[len(r2.state)-1])
}

// A leader that missed its own deposition steps aside at the first nack.
func TestStaleLeaderStepsAsideOnNack(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.isolate("n0")
	nw.tick(defaultElectionTicks*3, "n1", "n2") // n0 is not ticked: it still believes it leads
	require.Equal(t, consensus.Leader, nw.node("n0").role)
	newLeader := nw.node("n1").Leader()
	require.NotEmpty(t, newLeader, nw.tail())
	nw.heal()
	nw.propose("n0", "stale")
	nw.collect("n0")
	nw.deliverAll() // the accept reaches n1, n2, which nack it
	for _, id := range []string{"n1", "n2"} {
		nw.collect(id)
	}
	nw.deliverAll()
	require.Equal(t, consensus.Follower, nw.node("n0").role, nw.tail())
	require.Contains(t, nw.tail(), "stepping aside: nack")
	nw.tick(defaultHeartbeatTicks + 1)
	for _, id := range nw.ids {
		require.NotContains(t, nw.nodes[id].state, "stale", id)
		require.Equal(t, newLeader, nw.node(id).Leader(), id)
	}
}

// An isolated node keeps losing its pre-vote, so it never raises its ballot
// and rejoins without deposing the healthy leader.
func TestPreVoteKeepsIsolatedNodeFromDeposingLeader(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	before := nw.node("n0").ballot
	nw.isolate("n2")
	nw.tick(defaultElectionTicks * 5)
	require.Equal(t, consensus.PreCandidate, nw.node("n2").role)
	nw.heal()
	nw.tick(defaultElectionTicks * 3)
	require.Equal(t, "n0", nw.leader())
	require.Equal(t, before, nw.node("n0").ballot)
	require.Equal(t, "n0", nw.node("n2").Leader())
}

func TestCheckQuorumStepsDown(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.isolate("n0")
	nw.tick(defaultElectionTicks+defaultHeartbeatTicks+1, "n0")
	require.Equal(t, consensus.Follower, nw.node("n0").role)
	require.Contains(t, nw.tail(), "check-quorum")
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

// A candidate behind the others' snapshots gets the snapshot in a promise,
// restores it, and leads from there.
func TestCandidateCatchesUpFromPromiseSnapshot(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.isolate("n2")
	for i := range 20 {
		nw.propose("n0", string(rune('a'+i)))
	}
	nw.stabilize()
	nw.settle()
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
