package paxos

import (
	"math/bits"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// slot is one acceptor's state for one slot, plus the leader's bookkeeping.
type slot struct {
	ballot ballot // zero: nothing accepted yet
	data   []byte
	// Leader only: acks is the set of peers (bit = index in Peers) known to
	// have accepted data at the leader's ballot, and chosen is set once the
	// leader knows the slot is chosen.
	acks   uint64
	chosen bool
}

// slotLog holds the slots above the last snapshot. Slots through commit are
// chosen and their data is the chosen value; slots through applied have been
// handed to the state machine. snap.Index <= applied <= commit always holds,
// except that applied may trail snap.Index until Ready hands out the snapshot.
type slotLog struct {
	snap    consensus.Snapshot
	slots   []slot // slots[i] is slot snap.Index+1+i
	commit  uint64
	applied uint64
}

// last is the highest slot held (snap.Index when none is).
func (l *slotLog) last() uint64 { return l.snap.Index + uint64(len(l.slots)) }

// get returns slot s, or nil when it is compacted or beyond last.
func (l *slotLog) get(s uint64) *slot {
	if s <= l.snap.Index || s > l.last() {
		return nil
	}
	return &l.slots[s-l.snap.Index-1]
}

// ensure returns slot s, growing the log with empty slots up to it.
// The caller bounds s (maxOpenSlots); s must be above the snapshot.
func (l *slotLog) ensure(s uint64) *slot {
	if s <= l.snap.Index {
		panic("paxos: ensure of a compacted slot")
	}
	for l.last() < s {
		l.slots = append(l.slots, slot{})
	}
	return l.get(s)
}

// truncateAfter drops every slot above s.
func (l *slotLog) truncateAfter(s uint64) {
	if s < l.commit {
		panic("paxos: truncating chosen slots")
	}
	if s < l.last() {
		clear(l.slots[s-l.snap.Index:])
		l.slots = l.slots[:s-l.snap.Index]
	}
}

// compact drops the slots through index and keeps data as the snapshot; it
// reports whether it did (not for an index at or below the snapshot's).
func (l *slotLog) compact(index uint64, data []byte) bool {
	if index <= l.snap.Index {
		return false
	}
	if index > l.applied {
		panic("paxos: Compact beyond the applied slot")
	}
	l.dropThrough(index)
	l.snap = consensus.Snapshot{Index: index, Data: data}
	return true
}

// restore replaces every slot through snap.Index with the snapshot, which
// holds chosen state, and reports whether anything changed.
func (l *slotLog) restore(snap consensus.Snapshot) bool {
	if snap.Index <= l.commit {
		return false
	}
	if snap.Index >= l.last() {
		l.slots = nil
	} else {
		l.dropThrough(snap.Index)
	}
	l.snap = snap
	l.commit = snap.Index
	return true
}

func (l *slotLog) dropThrough(index uint64) {
	n := min(index-l.snap.Index, uint64(len(l.slots)))
	// Copy so the dropped prefix can be garbage collected: memory stays flat.
	l.slots = append([]slot(nil), l.slots[n:]...)
}

// accepted lists the values accepted at slots >= from.
func (l *slotLog) accepted(from uint64) []acceptedValue {
	var out []acceptedValue
	for s := max(from, l.snap.Index+1); s <= l.last(); s++ {
		if sl := l.get(s); !sl.ballot.IsZero() {
			out = append(out, acceptedValue{Slot: s, Ballot: sl.ballot, Data: sl.data})
		}
	}
	return out
}

// entries returns slots [lo, hi) as entries.
func (l *slotLog) entries(lo, hi uint64) []consensus.Entry {
	out := make([]consensus.Entry, 0, hi-lo)
	for s := lo; s < hi; s++ {
		out = append(out, consensus.Entry{Index: s, Data: l.get(s).data})
	}
	return out
}

func popcount(x uint64) int { return bits.OnesCount64(x) }
