package paxos

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

func noLease(c *consensus.Config)   { c.LeaseReads = false }
func withLease(c *consensus.Config) { c.LeaseReads = true }

// A leader cut off from its quorum never serves a read; the read is
// dropped when check-quorum makes it step down.
func TestPartitionedLeaderServesNoRead(t *testing.T) {
	nw := newNetwork(t, 3, noLease)
	nw.elect("n0")
	nw.isolate("n0")
	require.True(t, nw.node("n0").ReadIndex(1))
	nw.tick(defaultElectionTicks+defaultHeartbeatTicks+1, "n0")
	require.Equal(t, consensus.Follower, nw.node("n0").role)
	require.Empty(t, nw.nodes["n0"].reads)
	require.Empty(t, nw.node("n0").lead.reads)
}

// The lease starts at the tick the leader sent the round a quorum acknowledged
// (doc.go), not when the answers arrive: an acceptor that answered refuses
// other proposers for ElectionTicks from when it received the round, which may
// be as early as the send. Here the answers come back 20 ticks after the round
// left; a lease counted from their arrival would last 20 ticks too long.
func TestLeaseCountsFromTheRoundsSendTick(t *testing.T) {
	nw := newNetwork(t, 3, withLease)
	nw.elect("n0")
	nw.propose("n0", "a")
	nw.stabilize()
	n0 := nw.node("n0")
	for range defaultHeartbeatTicks {
		n0.Tick() // a round is due, and no answer comes meanwhile
	}
	sent := n0.now
	nw.collect("n0") // the round leaves now...
	for range 20 {
		n0.Tick() // ...and its answers take 20 ticks to come back
	}
	nw.stabilize()
	require.True(t, n0.leaseValid())

	nw.isolate("n0")
	for n0.leaseValid() {
		require.Less(t, n0.now, sent+int64(2*defaultElectionTicks), "the lease never ended")
		nw.tick(1, "n0")
	}
	require.Equal(t, sent+int64(defaultElectionTicks-3), n0.now, "valid while now < sent + ElectionTicks - 3")
}

// The acceptor half of the lease: after hearing from the leader, acceptors
// refuse to promise anyone else for ElectionTicks.
func TestAcceptorsRefusePromisesDuringLease(t *testing.T) {
	nw := newNetwork(t, 3, withLease)
	nw.elect("n0")
	nw.cutLink("n0", "n2")
	nw.node("n2").becomeCandidate()
	nw.stabilize()
	require.Equal(t, consensus.Leader, nw.node("n0").role, "n1 heard n0 and refused n2")
	require.Equal(t, consensus.Candidate, nw.node("n2").role)
	require.Equal(t, nw.node("n0").ballot, nw.node("n1").promised)
	// Once n1 has not heard n0 for ElectionTicks it may promise.
	nw.isolate("n0")
	nw.age(defaultElectionTicks, "n1", "n2")
	nw.node("n2").becomeCandidate()
	nw.stabilize()
	require.Equal(t, consensus.Leader, nw.node("n2").role)
}

// A new leader serves reads only once every slot it found open in phase 1
// is chosen.
func TestReadWaitsForPhase1Slots(t *testing.T) {
	nw := newNetwork(t, 3, noLease)
	nw.elect("n0")
	nw.cutLink("n1", "n0")
	nw.cutLink("n0", "n2")
	nw.propose("n0", "b") // slot 1 accepted by n0, n1; n0 never learns it
	nw.stabilize()
	nw.isolate("n0")
	nw.age(defaultElectionTicks, "n1", "n2")
	// n2's re-proposal of slot 1 cannot reach n1, heartbeats can.
	nw.drop = func(m Message) bool { return m.Type == MsgAccept && len(m.Entries) > 0 }
	nw.elect("n2")
	require.True(t, nw.node("n2").ReadIndex(5))
	nw.stabilize()
	require.Empty(t, nw.nodes["n2"].reads, "slot 1 is not chosen under n2's ballot yet")
	nw.drop = nil
	nw.tick(defaultElectionTicks / 2)
	require.Equal(t, []consensus.ReadState{{ID: 5, Index: 1}}, nw.nodes["n2"].reads)
	require.Equal(t, []string{"b"}, nw.nodes["n2"].state)
}
