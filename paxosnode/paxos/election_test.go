package paxos

import (
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/simnet"
)

// takeQueued removes from the network the messages in flight that match and returns them.
func (nw *network) takeQueued(match func(Message) bool) []Message {
	var out []Message
	nw.net.Discard(func(e *simnet.Envelope[Message]) bool {
		if match(e.Msg) {
			out = append(out, e.Msg)
			return true
		}
		return false
	})
	return out
}

// TestStalePreVoteGrantIsIgnored: a pre-vote grant answers one attempt. X (n2), cut off from a
// healthy leader n0, asks C (n1), which has not heard n0 for a while and grants; the grant is
// delayed. C hears n0 again, X's attempt expires and it tries again with the same ballot (no
// higher round was seen meanwhile), and then the old grant arrives. Counting it made X a
// candidate with a higher round, which would depose n0 when the cut heals. Now a grant counts
// only if it echoes the send tick of the current attempt.
func TestStalePreVoteGrantIsIgnored(t *testing.T) {
	const L, C, X = "n0", "n1", "n2"
	nw := newNetwork(t, 3, nil)
	nw.elect(L)
	nw.settle()
	nw.isolate(X)
	nw.age(defaultElectionTicks, C) // C has not heard L for an election timeout

	nw.node(X).becomePreCandidate()
	first := nw.node(X).ballot
	nw.collect(X)
	pv := nw.takeQueued(func(m Message) bool { return m.From == X && m.To == C })
	require.Len(t, pv, 1)
	nw.node(C).Step(pv[0])
	nw.collect(C)
	grant := nw.takeQueued(func(m Message) bool { return m.From == C && m.To == X && m.Type == MsgPreVoteReply })
	require.Len(t, grant, 1)
	require.False(t, grant[0].Reject, "C grants: it lost the leader too")

	// C hears L again; X tries again, in vain, with the same ballot.
	nw.tick(defaultHeartbeatTicks+1, L, C)
	require.Equal(t, L, nw.node(C).Leader())
	nw.node(X).now += int64(defaultElectionTicks) // X's attempt expires
	nw.node(X).becomePreCandidate()
	require.Equal(t, first, nw.node(X).ballot, "the retry asks with the same ballot")
	nw.net.Discard(nil)

	nw.node(X).Step(grant[0])
	require.Equal(t, consensus.PreCandidate, nw.node(X).role, "a grant to the earlier attempt was counted")
	require.Equal(t, first, nw.node(X).ballot)

	nw.heal()
	nw.tick(3 * defaultElectionTicks)
	require.Equal(t, L, nw.leader(), "the healthy leader keeps its place")
}
