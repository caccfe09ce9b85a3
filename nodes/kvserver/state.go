package kvserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/kv"
)

// replica is the replicated state: the store, per client the last request applied and its
// outcome (the sessions), and the index of the last entry applied. Every replica that applied
// the same entries holds the same replica, and a snapshot carries all of it but the count of
// entries since the last snapshot. It knows nothing of cores, clients or the network, so that
// its rules are tested on their own.
type replica struct {
	store    *kv.Store
	sessions map[string]session
	applied  uint64
	// sinceSnapshot counts the entries applied since the last snapshot taken or restored.
	sinceSnapshot int
}

// session is the last request of one client that was applied, and its outcome, so that a
// copy of it applied later is answered the same way.
type session struct {
	MsgID uint64 `json:"id"`
	Code  int    `json:"code,omitempty"` // 0: ok; else the Maelstrom error code
	Text  string `json:"text,omitempty"`
}

// appliedRequest is what applying an entry gave a client request: who asked, and the answer it is
// due (the outcome of the first copy, for a copy of the client's last request).
type appliedRequest struct {
	key  requestKey
	op   kv.Op
	code int // 0: ok; else the Maelstrom error code
	text string
}

// stateSnapshot is the encoded replicated state.
type stateSnapshot struct {
	KV       json.RawMessage    `json:"kv"`
	Sessions map[string]session `json:"sessions"`
}

func newReplica() *replica {
	return &replica{store: kv.New(), sessions: make(map[string]session)}
}

// apply runs one committed entry. It reports the request the entry carried and whether its
// answer is due: false for an entry a snapshot covered, a no-op, or a copy of a request the
// client has since moved on from. A copy of a request applied before (handed again to a new
// leader, or a duplicated forward), or one its client abandoned for a later request, is
// applied once only; a copy of the client's last request is due the first copy's outcome.
// An entry that skips an index, or that cannot be decoded, is an error: the core broke its
// contract.
func (r *replica) apply(e consensus.Entry) (appliedRequest, bool, error) {
	if e.Index <= r.applied {
		return appliedRequest{}, false, nil // covered by a snapshot
	}
	if e.Index != r.applied+1 {
		return appliedRequest{}, false, fmt.Errorf("committed index %d after %d: the core skipped entries", e.Index, r.applied)
	}
	r.applied = e.Index
	r.sinceSnapshot++
	if e.Data == nil {
		return appliedRequest{}, false, nil
	}
	c, err := decodeLogCommand(e.Data)
	if err != nil {
		return appliedRequest{}, false, fmt.Errorf("undecodable command at %d: %w", e.Index, err)
	}
	req := appliedRequest{key: requestKey{c.Client, c.MsgID}, op: c.Op}
	if last, seen := r.sessions[c.Client]; seen && c.MsgID <= last.MsgID {
		req.code, req.text = last.Code, last.Text
		return req, c.MsgID == last.MsgID, nil
	}
	req.code, req.text = outcome(r.store.Apply(c.Command))
	r.sessions[c.Client] = session{MsgID: c.MsgID, Code: req.code, Text: req.text}
	return req, true, nil
}

// answer is the body that answers the request.
func (a appliedRequest) answer() any { return outcomeBody(a.op, a.key.msgID, a.code, a.text) }

// read is the answer to the read msgID of key, from the state as it is.
func (r *replica) read(msgID uint64, key json.RawMessage) any {
	v, err := r.store.Read(key)
	if err != nil {
		code, text := outcome(kv.Result{Err: err})
		return outcomeBody(kv.OpRead, msgID, code, text)
	}
	if v == nil {
		v = json.RawMessage("null")
	}
	return readOK{value: v, inReplyTo: msgID}
}

// appliedHere reports whether the client's request msgID (a write or cas) was applied, or
// skipped because the client had moved on.
func (r *replica) appliedHere(client string, msgID uint64) bool {
	last, ok := r.sessions[client]
	return ok && msgID <= last.MsgID
}

// snapshotDue reports whether every entries have been applied since the last snapshot, and
// starts counting anew if so. A negative every never makes one due.
func (r *replica) snapshotDue(every int) bool {
	if every < 0 || r.sinceSnapshot < every {
		return false
	}
	r.sinceSnapshot = 0
	return true
}

// snapshot encodes the state: the store and the sessions.
func (r *replica) snapshot() []byte {
	b, err := json.Marshal(stateSnapshot{KV: r.store.Snapshot(), Sessions: r.sessions})
	if err != nil {
		panic(fmt.Sprintf("kvserver: snapshot: %v", err))
	}
	return b
}

// restore replaces the state by the snapshot taken at index.
func (r *replica) restore(snap *consensus.Snapshot) error {
	var st stateSnapshot
	if err := json.Unmarshal(snap.Data, &st); err != nil {
		return fmt.Errorf("undecodable snapshot at %d: %w", snap.Index, err)
	}
	if err := r.store.Restore(st.KV); err != nil {
		return err
	}
	if st.Sessions == nil {
		st.Sessions = make(map[string]session)
	}
	r.sessions = st.Sessions
	r.applied = snap.Index
	r.sinceSnapshot = 0
	return nil
}

// readOK and writeOK are the reply bodies, with exactly the keys Maelstrom's closed schemas
// allow. They encode themselves: replies are the hot path.
type readOK struct {
	value     json.RawMessage // valid JSON: it comes from the store
	inReplyTo uint64
}

func (r readOK) AppendBody(dst []byte) []byte {
	dst = append(dst, `{"type":"read_ok","value":`...)
	dst = append(dst, r.value...)
	dst = append(dst, `,"in_reply_to":`...)
	dst = strconv.AppendUint(dst, r.inReplyTo, 10)
	return append(dst, '}')
}

type writeOK struct {
	op        kv.Op
	inReplyTo uint64
}

func (w writeOK) AppendBody(dst []byte) []byte {
	dst = append(dst, `{"type":"`...)
	dst = append(dst, w.op...)
	dst = append(dst, `_ok","in_reply_to":`...)
	dst = strconv.AppendUint(dst, w.inReplyTo, 10)
	return append(dst, '}')
}

// outcome maps an update's result to its Maelstrom answer: code 0 (ok) or an error code and
// text.
func outcome(res kv.Result) (code int, text string) {
	switch {
	case res.Err == nil:
		return 0, ""
	case errors.Is(res.Err, kv.ErrKeyNotFound):
		return int(nodes.KeyDoesNotExist), "key does not exist"
	case errors.Is(res.Err, kv.ErrPreconditionFailed):
		return int(nodes.PreconditionFailed), res.Err.Error()
	}
	return int(nodes.MalformedRequest), res.Err.Error()
}

// outcomeBody is the answer to a client for a write's or cas's outcome, or a failed read's.
func outcomeBody(op kv.Op, msgID uint64, code int, text string) any {
	if code == 0 {
		return writeOK{op: op, inReplyTo: msgID}
	}
	return nodes.NewErrorBody(msgID, &nodes.Error{Code: nodes.Code(code), Text: text})
}
