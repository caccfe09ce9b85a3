package raft

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// TestMessageJSONRoundTrip: the server encodes messages with encoding/json as they are; a no-op
// (nil Data) must stay distinguishable from an empty command, and nothing may be lost.
func TestMessageJSONRoundTrip(t *testing.T) {
	in := Message{
		Type: MsgApp, From: "n0", To: "n1", Term: 3, Index: 5, LogTerm: 2, Commit: 4,
		Seq: 9, Stamp: 1234, Timeout: 300,
		Entries: []consensus.Entry{
			{Index: 6, Term: 3},
			{Index: 7, Term: 3, Data: []byte{}},
			{Index: 8, Term: 3, Data: []byte(`{"k":1}`)},
		},
	}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	require.NotContains(t, string(b), `"type"`, "the body's reserved key stays free")
	var out Message
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, in, out)
	require.Nil(t, out.Entries[0].Data)
	require.NotNil(t, out.Entries[1].Data)

	for _, m := range []Message{
		{Type: MsgHeartbeatResp, From: "n1", To: "n0", Term: 3, Index: 4, Recovering: true, Seq: 2, Stamp: 9},
		{Type: MsgHeartbeat, From: "n0", To: "n1", Term: 3, Index: 7, LogTerm: 3, Last: 7, Commit: 4},
	} {
		b, err = json.Marshal(m)
		require.NoError(t, err)
		out = Message{}
		require.NoError(t, json.Unmarshal(b, &out))
		require.Equal(t, m, out, "the durability fields")
	}

	snap := Message{Type: MsgSnap, From: "n0", To: "n2", Term: 3, LogTerm: 2, Snap: &consensus.Snapshot{Index: 40, Data: []byte("state")}}
	b, err = json.Marshal(snap)
	require.NoError(t, err)
	out = Message{}
	require.NoError(t, json.Unmarshal(b, &out))
	require.Equal(t, snap, out)
}

// TestProposeNilIsNotANoop: Propose(nil) must not look like the leader's no-op.
func TestProposeNilIsNotANoop(t *testing.T) {
	c := newCluster(t, 1, 1, nil)
	c.elect("n0")
	require.True(t, c.node("n0").Propose(nil))
	rd := c.node("n0").Ready() // the no-op was delivered during the election
	require.Len(t, rd.Committed, 1)
	require.Equal(t, uint64(2), rd.Committed[0].Index)
	require.NotNil(t, rd.Committed[0].Data, "the command")
}
