package kvserver

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/kv"
)

// entry is the committed entry at index of client's request msgID.
func entry(index uint64, client string, msgID uint64, cmd kv.Command) consensus.Entry {
	return consensus.Entry{Index: index, Data: logCommand{Client: client, MsgID: msgID, Command: cmd}.encode()}
}

func casCmd(from, to int) kv.Command {
	return kv.Command{Op: kv.OpCAS, Key: json.RawMessage("0"), From: json.RawMessage(fmt.Sprint(from)), To: json.RawMessage(fmt.Sprint(to))}
}

// applyAll applies entries in order and returns, for each, the answer due or nil.
func applyAll(t *testing.T, r *replica, entries ...consensus.Entry) []any {
	t.Helper()
	var answers []any
	for _, e := range entries {
		req, due, err := r.apply(e)
		require.NoError(t, err)
		if due {
			answers = append(answers, req.answer())
		} else {
			answers = append(answers, nil)
		}
	}
	return answers
}

func TestReplicaAppliesEachRequestOnce(t *testing.T) {
	r := newReplica()
	// c1's write 1 is duplicated after c2 overwrote it; then c1 moves on to its request 3,
	// after which its abandoned request 2 and another copy of 1 arrive.
	got := applyAll(t, r,
		consensus.Entry{Index: 1}, // a no-op
		entry(2, "c1", 1, cmdWrite(10)), entry(3, "c2", 1, cmdWrite(20)), entry(4, "c1", 1, cmdWrite(10)),
		entry(5, "c1", 3, cmdWrite(30)), entry(6, "c1", 2, cmdWrite(99)), entry(7, "c1", 1, cmdWrite(10)))
	ok := writeOK{op: kv.OpWrite, inReplyTo: 1}
	require.Equal(t, []any{nil, ok, ok, ok, writeOK{op: kv.OpWrite, inReplyTo: 3}, nil, nil}, got,
		"a copy of a client's last request is due an answer again; one it moved on from is not")
	require.Equal(t, readOK{value: json.RawMessage("30"), inReplyTo: 9}, r.read(9, json.RawMessage("0")))
	require.Equal(t, map[string]session{"c1": {MsgID: 3}, "c2": {MsgID: 1}}, r.sessions)
	require.EqualValues(t, 7, r.applied)
	require.True(t, r.appliedHere("c1", 2), "skipped because c1 moved on")
	require.False(t, r.appliedHere("c1", 4))
	require.False(t, r.appliedHere("c3", 1))
}

func TestReplicaAnswersACopyLikeTheFirst(t *testing.T) {
	r := newReplica()
	got := applyAll(t, r, entry(1, "c0", 1, cmdWrite(3)),
		entry(2, "c5", 1, casCmd(3, 4)), entry(3, "c6", 1, casCmd(7, 8)),
		entry(4, "c5", 1, casCmd(3, 4)), entry(5, "c6", 1, casCmd(7, 8)))
	require.Equal(t, got[1], got[3], "c5's copy succeeds as the first did, though the value is 4 now")
	require.Equal(t, got[2], got[4], "c6's copy fails as the first did")
	require.Equal(t, outcomeBody(kv.OpCAS, 1, 22, "kv: precondition failed: current value 4 is not 7"), got[4])
	require.Equal(t, readOK{value: json.RawMessage("4"), inReplyTo: 2}, r.read(2, json.RawMessage("0")), "applied once")
}

func TestReplicaRefusesAGapAndSkipsWhatItHas(t *testing.T) {
	r := newReplica()
	applyAll(t, r, entry(1, "c1", 1, cmdWrite(1)))
	_, due, err := r.apply(entry(1, "c1", 2, cmdWrite(2)))
	require.NoError(t, err)
	require.False(t, due, "index 1 is applied already: skipped, whatever it holds")
	_, _, err = r.apply(entry(3, "c1", 3, cmdWrite(3)))
	require.ErrorContains(t, err, "skipped entries")
	_, _, err = r.apply(consensus.Entry{Index: 2, Data: []byte(`{"c":"c1"}`)})
	require.ErrorContains(t, err, "undecodable command at 2")
	require.EqualValues(t, 2, r.applied, "the undecodable entry counts as applied: the node stops on it")
}

func TestReplicaSnapshotRestoresEverything(t *testing.T) {
	a := newReplica()
	applyAll(t, a, entry(1, "c1", 1, cmdWrite(1)), entry(2, "c2", 4, casCmd(5, 6)), entry(3, "c1", 2, cmdWrite(2)))
	snap := a.snapshot()

	b := newReplica()
	applyAll(t, b, entry(1, "c9", 1, cmdWrite(9))) // replaced wholesale
	require.NoError(t, b.restore(&consensus.Snapshot{Index: 3, Data: snap}))
	require.Equal(t, snap, b.snapshot())
	require.EqualValues(t, 3, b.applied)
	require.Equal(t, a.sessions, b.sessions, "sessions, failed outcomes included, come back")

	// Both go on alike: a copy of c2's failed cas is answered as the first was.
	next := []consensus.Entry{entry(4, "c2", 4, casCmd(5, 6)), entry(5, "c3", 1, cmdWrite(7))}
	require.Equal(t, applyAll(t, a, next...), applyAll(t, b, next...))
	require.Equal(t, a.snapshot(), b.snapshot())

	require.Error(t, b.restore(&consensus.Snapshot{Index: 9, Data: []byte("{")}))
}

func TestReplicaSnapshotsEveryNEntries(t *testing.T) {
	for _, tc := range []struct {
		every int
		due   []uint64
	}{{3, []uint64{3, 6}}, {1, []uint64{1, 2, 3, 4, 5, 6, 7}}, {-1, nil}} {
		r := newReplica()
		var due []uint64
		for i := uint64(1); i <= 7; i++ {
			applyAll(t, r, entry(i, "c1", i, cmdWrite(int(i))))
			if r.snapshotDue(tc.every) {
				due = append(due, i)
			}
		}
		require.Equal(t, tc.due, due, "every %d", tc.every)
	}
}
