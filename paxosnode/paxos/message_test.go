package paxos

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

func TestDescribe(t *testing.T) {
	b := ballot{Round: 2, Node: 0}
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Message{Type: MsgPreVote, From: "n0", To: "n1", Ballot: b}, "n0->n1 prevote b=2.0"},
		{Message{Type: MsgPreVoteReply, From: "n1", To: "n0", Ballot: b, Promised: ballot{1, 1}, Reject: true}, "n1->n0 prevote-reply b=2.0 p=1.1 reject=true"},
		{Message{Type: MsgPrepare, From: "n0", To: "n1", Ballot: b, Index: 4}, "n0->n1 prepare b=2.0 from=4"},
		{Message{Type: MsgPromise, From: "n1", To: "n0", Ballot: b, Index: 4, Commit: 3, Accepted: make([]acceptedValue, 2), Snapshot: &consensus.Snapshot{Index: 3}}, "n1->n0 promise b=2.0 from=4 c=3 accepted=2 snap=3"},
		{Message{Type: MsgAccept, From: "n0", To: "n1", Ballot: b, Entries: []consensus.Entry{{Index: 5}, {Index: 6}, {Index: 7}}, Commit: 4, Round: 9}, "n0->n1 accept b=2.0 [5..7] c=4 r=9"},
		{Message{Type: MsgAccept, From: "n0", To: "n1", Ballot: b, Commit: 4, Round: 9}, "n0->n1 accept b=2.0 heartbeat c=4 r=9"},
		{Message{Type: MsgAccepted, From: "n1", To: "n0", Ballot: b, Index: 5, Last: 7, Commit: 4, Match: 7, Round: 9}, "n1->n0 accepted b=2.0 [5..7] c=4 m=7 r=9"},
		{Message{Type: MsgSnapshot, From: "n0", To: "n1", Ballot: b, Snapshot: &consensus.Snapshot{Index: 40}, Commit: 44, Round: 9}, "n0->n1 snapshot b=2.0 snap=40 c=44 r=9"},
		{Message{Type: MsgNack, From: "n1", To: "n0", Ballot: ballot{3, 1}}, "n1->n0 nack b=3.1"},
		{Message{Type: 99, From: "n1", To: "n0"}, "n1->n0 msg(99) b=0.0"},
	} {
		t.Run(tc.want, func(t *testing.T) { require.Equal(t, tc.want, describe(tc.m)) })
	}
}

// The server JSON-encodes messages as they are: no-ops (nil) and empty
// commands must survive the round trip distinctly.
func TestMessageJSONRoundTrip(t *testing.T) {
	m := Message{Type: MsgAccept, From: "n0", To: "n1", Ballot: ballot{3, 0},
		Entries: []consensus.Entry{{Index: 1, Data: nil}, {Index: 2, Data: []byte{}}, {Index: 3, Data: []byte("x")}}}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	var got Message
	require.NoError(t, json.Unmarshal(b, &got))
	require.Nil(t, got.Entries[0].Data)
	require.NotNil(t, got.Entries[1].Data)
	require.Equal(t, m, got)
}

// Peer input never panics a node, whatever it holds.
func TestJunkMessagesNeverPanic(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.propose("n0", "a", "b")
	nw.stabilize()
	rng := rand.New(rand.NewPCG(1, 2))
	ids := append([]string{"", "zz"}, nw.ids...)
	pick := func() uint64 { return []uint64{0, 1, 2, 3, 1 << 20, 1<<64 - 1}[rng.IntN(6)] }
	for range 20000 {
		m := Message{Type: MsgType(rng.IntN(10)), From: ids[rng.IntN(len(ids))], To: ids[rng.IntN(len(ids))],
			Ballot:   ballot{Round: pick(), Node: rng.IntN(5) - 1},
			Promised: ballot{Round: pick(), Node: rng.IntN(4)},
			Index:    pick(), Last: pick(), Commit: pick(), Match: pick(), Round: pick(), Timeout: rng.IntN(1 << 20)}
		if rng.IntN(3) == 0 {
			m.Entries = []consensus.Entry{{Index: pick()}, {Index: pick()}}
		}
		if rng.IntN(3) == 0 {
			m.Accepted = []acceptedValue{{Slot: pick(), Ballot: ballot{Round: pick()}}}
		}
		if rng.IntN(5) == 0 {
			m.Snapshot = &consensus.Snapshot{Index: pick() % 5}
		}
		for _, id := range nw.ids {
			n := nw.node(id)
			m.To = id
			require.NotPanics(t, func() { n.Step(m); n.Tick(); n.Ready() }, describe(m))
		}
	}
}
