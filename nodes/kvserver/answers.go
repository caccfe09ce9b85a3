package kvserver

import (
	"encoding/json"
	"maps"
	"slices"
	"time"
)

// answers are the clients this node owes an answer: the writes it proposed, which it answers
// when it applies them, and the reads it asked its core a read point for, which it answers once
// the point is confirmed and applied. They are this node's own, not replicated: whoever
// proposed a command answers it.
type answers struct {
	// writes are the commands this node proposed, by (client, msg_id), with when it took them
	// (the answer itself comes from the applied entry).
	writes map[requestKey]time.Duration
	// reads wait for a read point, by the id the core was given; confirmed reads wait for the
	// state machine to reach their point.
	nextRead  uint64
	reads     map[uint64]pendingRead
	confirmed []pendingRead
}

// requestKey identifies a client request: msg_ids are per client, and clients reuse them.
type requestKey struct {
	client string
	msgID  uint64
}

type pendingRead struct {
	client string
	msgID  uint64
	key    json.RawMessage
	at     time.Duration
	index  uint64 // read point, once confirmed
}

func newAnswers() *answers {
	return &answers{writes: make(map[requestKey]time.Duration), reads: make(map[uint64]pendingRead)}
}

// readID is the id of the next read point to ask the core for.
func (a *answers) readID() uint64 {
	id := a.nextRead
	a.nextRead++
	return id
}

// awaitRead remembers a read whose point the core was asked for under id.
func (a *answers) awaitRead(id uint64, r pendingRead) { a.reads[id] = r }

// awaitWrite remembers a write or cas this node proposed.
func (a *answers) awaitWrite(key requestKey, at time.Duration) { a.writes[key] = at }

// takeWrite reports whether this node owes the request's client an answer, and forgets it.
func (a *answers) takeWrite(key requestKey) bool {
	_, ok := a.writes[key]
	delete(a.writes, key)
	return ok
}

// confirm gives the read whose point was asked for under id its read point.
func (a *answers) confirm(id, index uint64) {
	if r, ok := a.reads[id]; ok {
		delete(a.reads, id)
		r.index = index
		a.confirmed = append(a.confirmed, r)
	}
}

// takeReadable returns, and forgets, the confirmed reads whose point is applied.
func (a *answers) takeReadable(applied uint64) []pendingRead {
	var due []pendingRead
	kept := a.confirmed[:0]
	for _, r := range a.confirmed {
		if r.index > applied {
			kept = append(kept, r)
		} else {
			due = append(due, r)
		}
	}
	clear(a.confirmed[len(kept):])
	a.confirmed = kept
	return due
}

// takeUnconfirmed returns, and forgets, every read still waiting for its point, by id: the
// order is a function of the input, as everything else the node does.
func (a *answers) takeUnconfirmed() []pendingRead {
	var rs []pendingRead
	for _, id := range slices.Sorted(maps.Keys(a.reads)) {
		rs = append(rs, a.reads[id])
		delete(a.reads, id)
	}
	return rs
}

// forget drops every answer owed for a request taken at a time old says is too long ago
// (writes, reads waiting for their point and confirmed ones); it returns how many.
func (a *answers) forget(old func(at time.Duration) bool) int {
	n := 0
	for k, at := range a.writes {
		if old(at) {
			delete(a.writes, k)
			n++
		}
	}
	for id, r := range a.reads {
		if old(r.at) {
			delete(a.reads, id)
			n++
		}
	}
	before := len(a.confirmed)
	a.confirmed = slices.DeleteFunc(a.confirmed, func(r pendingRead) bool { return old(r.at) })
	return n + before - len(a.confirmed)
}
