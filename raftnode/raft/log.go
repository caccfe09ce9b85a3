package raft

import (
	"fmt"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// raftLog is the in-memory log: a compacted prefix (described by offset/offsetTerm and the
// latest snapshot) followed by entries. What of it is on stable storage is tracked by
// persisted (durable.go writes the rest in the next Ready).
//
// Invariants (check tests them in O(1) after every Step and Compact, panicking on a bug; the
// index and term order of the entries is enforced where entries are added):
//
//	offset <= delivered <= committed <= lastIndex
//	entries[i].Index == offset+1+i, terms never decrease along the log
//	snap == nil implies offset == 0; otherwise offset <= snap.Index <= delivered
type raftLog struct {
	// offset is the index of the last entry dropped by compaction (0: none); offsetTerm its term.
	offset     uint64
	offsetTerm uint64
	entries    []consensus.Entry
	// committed is the highest index known to be committed.
	committed uint64
	// delivered is the highest index handed to the server (Ready.Committed or a snapshot).
	delivered uint64
	// snap is the latest state-machine snapshot (from Compact or installed from the leader),
	// kept to send to followers that need entries at or below offset; snapTerm is its term.
	snap     *consensus.Snapshot
	snapTerm uint64
	// persisted is the last index whose entry, and every one before it, is saved as it is in
	// memory; entries after it go out in the next Ready's Stable. truncated says that the
	// saved log may hold records after persisted that the log no longer has (a snapshot from
	// the leader replaced the log, or a damaged one was dropped), so the next Stable must
	// cut them off even if it has no entry to write there.
	persisted uint64
	truncated bool
	// termUnknown says offsetTerm is not known: a restart found a snapshot without the hard
	// state saved with it (a damaged storage). The first append from a leader that follows
	// offset tells it, since that entry is committed and every leader holds it.
	termUnknown bool
}

func (l *raftLog) lastIndex() uint64 { return l.offset + uint64(len(l.entries)) }

func (l *raftLog) lastTerm() uint64 {
	if len(l.entries) == 0 {
		return l.offsetTerm
	}
	return l.entries[len(l.entries)-1].Term
}

// term returns the term of the entry at i; ok is false if i is compacted away or beyond the log.
func (l *raftLog) term(i uint64) (t uint64, ok bool) {
	switch {
	case i == l.offset:
		return l.offsetTerm, true
	case i < l.offset || i > l.lastIndex():
		return 0, false
	}
	return l.entries[i-l.offset-1].Term, true
}

func (l *raftLog) mustTerm(i uint64) uint64 {
	t, ok := l.term(i)
	if !ok {
		panic(fmt.Sprintf("raft: term of index %d unknown (log %d..%d)", i, l.offset, l.lastIndex()))
	}
	return t
}

// matchTerm reports whether the log holds an entry at i with term t.
func (l *raftLog) matchTerm(i, t uint64) bool {
	lt, ok := l.term(i)
	return ok && lt == t
}

// isUpToDate reports whether a log ending at (index, term) is at least as up to date as ours
// (Raft paper §5.4.1): a later last term wins, equal terms compare lengths.
func (l *raftLog) isUpToDate(index, term uint64) bool {
	return term > l.lastTerm() || (term == l.lastTerm() && index >= l.lastIndex())
}

// isNewer reports whether a log ending at (index, term) is strictly more up to date than ours.
func (l *raftLog) isNewer(index, term uint64) bool {
	return term > l.lastTerm() || (term == l.lastTerm() && index > l.lastIndex())
}

// slice returns entries lo..hi inclusive; the caller guarantees offset < lo and hi <= lastIndex.
// The result has no spare capacity, so nobody can append into our backing array.
func (l *raftLog) slice(lo, hi uint64) []consensus.Entry {
	if lo > hi {
		return nil
	}
	a, b := lo-l.offset-1, hi-l.offset
	return l.entries[a:b:b]
}

// append adds entries created by this node as leader.
func (l *raftLog) append(e consensus.Entry) {
	if e.Index != l.lastIndex()+1 {
		panic(fmt.Sprintf("raft: append index %d after %d", e.Index, l.lastIndex()))
	}
	l.entries = append(l.entries, e)
}

// maybeAppend merges entries from the leader of term leaderTerm that follow a matching previous
// entry. Entries we already hold are skipped; at the first conflicting term the log is
// truncated and the rest appended. It returns false, changing nothing, if ents is malformed or
// would overwrite a committed entry: an honest leader never sends that, so it is junk.
func (l *raftLog) maybeAppend(prev, prevTerm, leaderTerm uint64, ents []consensus.Entry) bool {
	last := prevTerm
	for i, e := range ents {
		if e.Index != prev+1+uint64(i) || e.Term < last || e.Term > leaderTerm {
			return false
		}
		last = e.Term
	}
	for i, e := range ents {
		if t, ok := l.term(e.Index); ok && t == e.Term {
			continue
		}
		if e.Index <= l.committed {
			return false
		}
		if e.Index <= l.lastIndex() {
			// Cap the slice so the append copies: messages we sent as an earlier leader may
			// still share the old backing array and must not see it change.
			k := e.Index - l.offset - 1
			l.entries = l.entries[:k:k]
			l.persisted = min(l.persisted, e.Index-1)
		}
		l.entries = append(l.entries, ents[i:]...)
		break
	}
	return true
}

// conflictHint tells a leader where to retry after a mismatch at prev: (lastIndex+1, 0) if the
// log is too short, else the first index we hold of the term found at prev, with that term.
func (l *raftLog) conflictHint(prev uint64) (hint, term uint64) {
	if prev > l.lastIndex() {
		return l.lastIndex() + 1, 0
	}
	term = l.mustTerm(prev)
	hint = prev
	for hint > 1 && hint-1 > l.committed && hint-1 > l.offset {
		if t := l.mustTerm(hint - 1); t != term {
			break
		}
		hint--
	}
	return hint, term
}

// commitTo raises the commit index; it never lowers it.
func (l *raftLog) commitTo(i uint64) {
	if i <= l.committed {
		return
	}
	if i > l.lastIndex() {
		panic(fmt.Sprintf("raft: commit %d beyond last index %d", i, l.lastIndex()))
	}
	l.committed = i
}

// nextCommitted returns up to max committed entries that were not delivered yet and marks them
// delivered.
func (l *raftLog) nextCommitted(max int) []consensus.Entry {
	if l.committed <= l.delivered {
		return nil
	}
	hi := min(l.committed, l.delivered+uint64(max))
	ents := l.slice(l.delivered+1, hi)
	l.delivered = hi
	return ents
}

// compact records the server's snapshot through index and drops entries up to index-margin
// (keeping margin entries lets a slightly lagging follower be repaired without the snapshot).
// It reports whether the snapshot is new.
func (l *raftLog) compact(index uint64, data []byte, margin uint64) bool {
	if index > l.delivered {
		panic(fmt.Sprintf("raft: Compact(%d) beyond delivered index %d", index, l.delivered))
	}
	if l.snap != nil && index <= l.snap.Index || index == 0 {
		return false
	}
	l.snapTerm = l.mustTerm(index)
	l.snap = &consensus.Snapshot{Index: index, Data: data}
	if index <= l.offset+margin {
		return true
	}
	cut := index - margin
	l.offsetTerm = l.mustTerm(cut)
	l.entries = append([]consensus.Entry(nil), l.entries[cut-l.offset:]...)
	l.offset = cut
	return true
}

// restore replaces the whole log with a snapshot from the leader.
func (l *raftLog) restore(s *consensus.Snapshot, term uint64) {
	l.entries = nil
	l.offset, l.offsetTerm = s.Index, term
	l.committed, l.delivered = s.Index, s.Index
	l.snap, l.snapTerm = s, term
	l.persisted, l.truncated, l.termUnknown = s.Index, true, false
}

// check panics if an invariant is broken.
func (l *raftLog) check() {
	if !(l.offset <= l.delivered && l.delivered <= l.committed && l.committed <= l.lastIndex()) {
		panic(fmt.Sprintf("raft: log order broken: offset=%d delivered=%d committed=%d last=%d",
			l.offset, l.delivered, l.committed, l.lastIndex()))
	}
	if n := len(l.entries); n > 0 && (l.entries[0].Index != l.offset+1 || l.entries[n-1].Index != l.lastIndex() ||
		l.entries[0].Term < l.offsetTerm || l.entries[n-1].Term < l.entries[0].Term) {
		panic(fmt.Sprintf("raft: log entries misplaced: offset=%d/%d first=%+v last=%+v",
			l.offset, l.offsetTerm, l.entries[0], l.entries[n-1]))
	}
	if l.snap == nil && l.offset != 0 || l.snap != nil && (l.snap.Index < l.offset || l.snap.Index > l.delivered) {
		panic(fmt.Sprintf("raft: snapshot/offset broken: offset=%d snap=%v", l.offset, l.snap))
	}
}
