package raft

import (
	"slices"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// pendingRead is a ReadIndex request waiting for a heartbeat round started after it arrived.
type pendingRead struct {
	id uint64
	// index is the commit index when the read arrived, or 0 if the leader had not yet
	// committed an entry of its term then (the index is taken at release instead).
	index uint64
	// needSeq is the round that must be acknowledged by a quorum: the first round sent after
	// the request arrived.
	needSeq uint64
}

// ReadIndex asks for a linearizable read point for read id. It returns false if this node is
// not the leader or too many reads are pending. Otherwise a consensus.ReadState{id, index} follows in a
// later Ready once it is safe: at once under a valid lease (LeaseReads), else after a quorum
// acknowledges a heartbeat round sent after this call; in both cases only once the leader has
// committed an entry of its own term. If leadership is lost first, the read is dropped silently.
func (n *node) ReadIndex(id uint64) bool {
	if n.role != consensus.Leader || len(n.reads) >= n.cfg.MaxPendingReads {
		return false
	}
	own := n.ownTermCommitted()
	if own && n.cfg.LeaseReads && n.leaseValid() {
		n.readStates = append(n.readStates, consensus.ReadState{ID: id, Index: n.log.committed})
		return true
	}
	r := pendingRead{id: id, needSeq: n.seq + 1}
	if own {
		r.index = n.log.committed
	}
	n.reads = append(n.reads, r)
	n.roundWanted = true // every read arriving before the next Ready shares this round
	return true
}

func (n *node) ownTermCommitted() bool {
	return n.log.mustTerm(n.log.committed) == n.term
}

// releaseReads emits every pending read whose round a quorum has acknowledged.
func (n *node) releaseReads() {
	if len(n.reads) == 0 || n.role != consensus.Leader || !n.ownTermCommitted() {
		return
	}
	acked := n.quorumValue(n.seq, func(pr *progress) uint64 { return pr.ackSeq })
	k := 0
	for ; k < len(n.reads) && n.reads[k].needSeq <= acked; k++ {
		r := n.reads[k]
		if r.index == 0 {
			r.index = n.log.committed
		}
		n.readStates = append(n.readStates, consensus.ReadState{ID: r.id, Index: r.index})
	}
	n.reads = append(n.reads[:0], n.reads[k:]...)
}

// leaseValid reports whether the leader may serve a read without a heartbeat round. The lease
// starts at the send tick of the latest round a quorum acknowledged (self included) and lasts
// leaseTicks = ElectionTicks-3 ticks; doc.go explains why no other leader can exist meanwhile.
func (n *node) leaseValid() bool {
	start := n.quorumValue(n.now, func(pr *progress) uint64 { return pr.ackStamp })
	return start != 0 && start >= n.leaderSince && n.now < start+n.cfg.leaseTicks()
}

// quorumValue returns the largest v such that a quorum (self counted with own) has a value >= v.
// A recovering follower counts as 0: it may have lost what it acknowledged (doc.go,
// Durability). Commit, read rounds and the lease all count through here.
func (n *node) quorumValue(own uint64, f func(*progress) uint64) uint64 {
	vals := append(n.scratch[:0], own)
	for _, pr := range n.peers {
		if pr.recovering {
			vals = append(vals, 0)
			continue
		}
		vals = append(vals, f(pr))
	}
	slices.Sort(vals)
	n.scratch = vals
	return vals[len(vals)-n.quorum]
}
