package raft

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// hardState is what the node's promises rest on and a restart must find again: the term and
// the vote in it (a second vote in a term could elect two leaders), the index and term of
// the snapshot saved with it (the term of the entry the log starts after, which the snapshot
// itself does not carry), and whether the node is recovering from damaged storage (after the
// restart that found the damage its log looks merely short, but it still lacks what it
// acknowledged). It is saved whenever it changes, in the Stable of the Ready that sends
// anything depending on it.
type hardState struct {
	term       uint64
	vote       string
	snapIndex  uint64
	snapTerm   uint64
	recovering bool
}

// stateVersion leads every encoded hard state, so that a format change is detected rather
// than misread.
const stateVersion = 1

// The kinds of log records. A record at index i replaces every record saved before at i or
// after it; recCut only does that, and says the log ends before i.
const (
	recNoop  = 0 // a no-op entry: kind, term
	recEntry = 1 // an entry: kind, term, data (possibly empty)
	recCut   = 2 // no entry: kind
)

// encode lays the hard state out as version, term, vote length, vote, snapshot index and
// term (unsigned varints), and a recovering flag byte. It runs only when the hard state
// changed.
func (h hardState) encode() []byte {
	b := make([]byte, 0, 4*binary.MaxVarintLen64+len(h.vote)+2)
	b = append(b, stateVersion)
	b = binary.AppendUvarint(b, h.term)
	b = binary.AppendUvarint(b, uint64(len(h.vote)))
	b = append(b, h.vote...)
	b = binary.AppendUvarint(b, h.snapIndex)
	b = binary.AppendUvarint(b, h.snapTerm)
	if h.recovering {
		return append(b, 1)
	}
	return append(b, 0)
}

func decodeHardState(b []byte) (hardState, error) {
	var h hardState
	if b == nil {
		return h, nil // never saved: the state of a new node
	}
	d := consensus.NewDecoder(b)
	if v := d.Byte(); d.Err() == nil && v != stateVersion {
		return h, fmt.Errorf("hard state version %d, want %d", v, stateVersion)
	}
	h.term = d.Uvarint()
	h.vote = string(d.Bytes(d.Uvarint()))
	h.snapIndex = d.Uvarint()
	h.snapTerm = d.Uvarint()
	switch flag := d.Byte(); {
	case d.Err() == nil && flag > 1:
		d.Fail(fmt.Errorf("recovering flag %d", flag))
	case flag == 1:
		h.recovering = true
	}
	if d.Err() == nil && d.Len() != 0 {
		d.Fail(fmt.Errorf("%d bytes after the hard state", d.Len()))
	}
	return h, d.Err()
}

// appendRecord encodes one entry as a record's data: kind, term, and the command if any.
func appendRecord(b []byte, e consensus.Entry) []byte {
	if e.Data == nil {
		return binary.AppendUvarint(append(b, recNoop), e.Term)
	}
	return append(binary.AppendUvarint(append(b, recEntry), e.Term), e.Data...)
}

// decodeRecord returns the entry a record holds, or ok false for a cut. The entry's data
// shares the record's bytes.
func decodeRecord(r consensus.Record) (e consensus.Entry, ok bool, err error) {
	d := consensus.NewDecoder(r.Data)
	kind := d.Byte()
	switch {
	case d.Err() != nil:
		return e, false, d.Err()
	case kind == recCut:
		if d.Len() != 0 {
			return e, false, fmt.Errorf("%d bytes after a cut", d.Len())
		}
		return e, false, nil
	case kind != recNoop && kind != recEntry:
		return e, false, fmt.Errorf("record kind %d", kind)
	}
	e = consensus.Entry{Index: r.Index, Term: d.Uvarint()}
	switch {
	case d.Err() != nil:
		return e, false, d.Err()
	case kind == recEntry:
		e.Data = d.Rest()
	case d.Len() != 0:
		return e, false, fmt.Errorf("%d bytes after a no-op", d.Len())
	}
	return e, true, nil
}

// uvarintLen is the length of v as an unsigned varint.
func uvarintLen(v uint64) int {
	k := 1
	for ; v >= 0x80; v >>= 7 {
		k++
	}
	return k
}

func (n *node) hardState() hardState {
	h := hardState{term: n.term, vote: n.vote, recovering: n.recovering}
	if n.log.snap != nil {
		h.snapIndex, h.snapTerm = n.log.snap.Index, n.log.snapTerm
	}
	return h
}

// stablePending reports whether the next Ready has anything to save.
func (n *node) stablePending() bool {
	return n.log.persisted < n.log.lastIndex() || n.log.truncated || n.snapDirty || n.hardState() != n.saved
}

// stable takes what must be saved before anything of the Ready being built is sent: the
// snapshot if it is new, the log from the first entry not saved as it is now, and the hard
// state if it changed. Nothing new gives an empty Stable. Whatever it returns counts as saved:
// the server saves it before it does anything else with the Ready.
func (n *node) stable() consensus.Stable {
	var st consensus.Stable
	if n.snapDirty {
		st.Snapshot, n.snapDirty = n.log.snap, false
	}
	st.Records = n.unsavedRecords(st.Snapshot)
	if h := n.hardState(); h != n.saved {
		// Caught up after damage: the storage may stop reporting it on later restarts.
		st.Repaired = n.saved.recovering && !h.recovering
		st.State, n.saved = h.encode(), h
	}
	return st
}

// unsavedRecords encodes the entries after log.persisted, in one buffer for the whole Ready.
// Their first record replaces whatever the storage holds from its index on. When there is no
// entry to write but records may lie beyond the log's end, a cut record goes in its place:
// after a snapshot from the leader replaced the log; after a damaged log was dropped; and
// when a snapshot saved now covers the whole log, because the storage may then drop the
// records up to it, among them the one that replaced older records beyond it (a follower's
// conflicting tail), which would come back on the next restart.
func (n *node) unsavedRecords(snap *consensus.Snapshot) []consensus.Record {
	l := &n.log
	from, last := max(l.persisted, l.offset)+1, l.lastIndex()
	cut := l.truncated || snap != nil && snap.Index == last && n.savedHigh > last
	l.persisted, l.truncated = last, false
	if from > last {
		if !cut {
			return nil
		}
		n.savedHigh = max(n.savedHigh, last+1)
		return []consensus.Record{{Index: last + 1, Data: []byte{recCut}}}
	}
	ents := l.slice(from, last)
	size := 0
	for _, e := range ents {
		size += 1 + uvarintLen(e.Term) + len(e.Data)
	}
	buf := make([]byte, 0, size)
	recs := make([]consensus.Record, len(ents))
	for i, e := range ents {
		start := len(buf)
		buf = appendRecord(buf, e)
		recs[i] = consensus.Record{Index: e.Index, Data: buf[start:len(buf):len(buf)]}
	}
	n.savedHigh = max(n.savedHigh, last)
	return recs
}

// recover rebuilds the node from what its storage held (doc.go, Durability). The server has
// restored its state machine from rec.Snapshot, so the log starts after it, committed and
// delivered there. Every restarted node keeps the quiet period; a damaged one also drops its
// log and recovers (n.recovering) until it has caught up with a leader.
func (n *node) recover(rec *consensus.Recovered) {
	h, err := decodeHardState(rec.State)
	var problems []string
	if rec.Damaged {
		problems = append(problems, "the storage found a damaged record")
	}
	if h.recovering {
		problems = append(problems, "it had not caught up since an earlier damage")
	}
	switch {
	case err != nil:
		problems = append(problems, "hard state: "+err.Error())
		h = hardState{vote: n.id}
	case rec.State == nil && (rec.Snapshot != nil || len(rec.Records) > 0):
		// Nothing is saved without the term it was saved in: the hard state is lost.
		problems = append(problems, "no hard state")
		h = hardState{vote: n.id}
	default:
		n.saved = h
	}
	if h.vote != "" && !slices.Contains(n.cfg.Peers, h.vote) {
		problems = append(problems, fmt.Sprintf("vote for %q, not a peer", h.vote))
		h.vote = n.id
	}
	var base, baseTerm uint64
	termUnknown := false
	if s := rec.Snapshot; s != nil {
		base = s.Index
		if t, ok := snapshotTerm(h, rec.Records, base); ok {
			baseTerm = t
		} else {
			problems = append(problems, fmt.Sprintf("term of snapshot %d unknown", base))
			termUnknown = true
		}
	}
	ents, bad := replay(rec.Records, base, baseTerm)
	if bad != "" {
		problems = append(problems, bad)
	}
	high, top := recordsHigh(rec.Records)
	if top > h.term {
		// Every entry is saved with or after the term it came in: the hard state is older
		// than the log, and a vote in the term it missed may be forgotten.
		problems = append(problems, fmt.Sprintf("term %d below its log's %d", h.term, top))
		h.term, h.vote = top, n.id
	}
	n.term, n.vote = h.term, h.vote
	n.savedHigh = high
	n.log = raftLog{offset: base, offsetTerm: baseTerm, committed: base, delivered: base,
		snap: rec.Snapshot, snapTerm: baseTerm, persisted: base + uint64(len(ents)), entries: ents,
		termUnknown: termUnknown}
	if len(problems) > 0 {
		// What this node saved, and may have acknowledged, may be gone, and what it holds may
		// be a mix of old and new: keep only the snapshot, cut the saved log there, and
		// trust nothing else until a leader has brought the log up to date.
		n.log.entries, n.log.persisted, n.log.truncated = nil, base, true
		n.recovering = true
		n.cfg.Logger.Info("restarted from damaged storage: keeping the snapshot, no votes or quorums until caught up",
			"problems", problems, "snapshot", base, "term", n.term)
	} else {
		n.cfg.Logger.Info("restarted", "term", n.term, "vote", n.vote, "snapshot", base, "last", n.log.lastIndex())
	}
	// The quiet period: a leader's lease may rest on a promise this node made before it
	// crashed and no longer remembers, so it acts as if it heard a leader just now.
	n.leaderHeard = n.now
	n.log.check()
}

// recordsHigh returns the highest index and the highest term among the records that decode.
func recordsHigh(recs []consensus.Record) (index, term uint64) {
	for _, r := range recs {
		index = max(index, r.Index)
		if e, ok, err := decodeRecord(r); ok && err == nil {
			term = max(term, e.Term)
		}
	}
	return index, term
}

// snapshotTerm is the term of the entry at the snapshot's index: from the hard state saved
// with the snapshot, or else from the last record saved at that index.
func snapshotTerm(h hardState, recs []consensus.Record, index uint64) (uint64, bool) {
	if h.snapIndex == index {
		return h.snapTerm, true
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Index == index {
			e, ok, err := decodeRecord(recs[i])
			return e.Term, ok && err == nil
		}
	}
	return 0, false
}

// replay applies the records in the order they were saved, each replacing the log from its
// index on, to a log that starts after base; it returns the entries, or what is wrong if the
// result is not a log. A record that cannot be placed (it follows a missing or undecodable
// one) leaves a hole, which a later record at or before it may still cut away.
func replay(recs []consensus.Record, base, baseTerm uint64) (ents []consensus.Entry, bad string) {
	var hole consensus.Entry // Term 0: no entry of any leader has it
	for _, r := range recs {
		if r.Index <= base {
			ents = ents[:0] // that entry is in the snapshot; what followed it was replaced
			continue
		}
		k := r.Index - base - 1
		for uint64(len(ents)) < k {
			ents = append(ents, hole)
		}
		ents = ents[:k]
		e, ok, err := decodeRecord(r)
		switch {
		case err != nil:
			ents = append(ents, hole)
		case ok:
			ents = append(ents, e)
		}
	}
	last := baseTerm
	for i, e := range ents {
		if e.Term == 0 {
			return nil, fmt.Sprintf("no readable record for index %d", base+1+uint64(i))
		}
		if e.Term < last {
			return nil, fmt.Sprintf("record %d of term %d after term %d", e.Index, e.Term, last)
		}
		last = e.Term
	}
	return ents, ""
}

// sendAck sends a follower's acknowledgement that its log matches the leader's through
// resp.Index, after noting what that means for a recovering node.
func (n *node) sendAck(resp Message) {
	n.matched(resp.Index, resp.To)
	n.send(resp)
}

// matched notes that our log matches the leader's through index. A recovering node whose log
// matches through the leader's last index, as the leader told it after the restart, holds
// everything it could have acknowledged before it crashed (doc.go, Durability), and trusts
// itself again; the hard state that says so is saved before anything of this step is sent.
func (n *node) matched(index uint64, leader string) {
	if n.recovering && n.catchUp != 0 && index >= n.catchUp && !n.log.termUnknown {
		n.recovering, n.catchUp = false, 0
		n.cfg.Logger.Info("caught up: votes and counts in quorums again", "leader", leader, "index", index)
	}
}
