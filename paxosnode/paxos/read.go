package paxos

import (
	"slices"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// pendingRead is a read waiting for a heartbeat round that started after it.
type pendingRead struct {
	id    uint64
	index uint64 // chosen point when ReadIndex was called
	round uint64 // first round that may confirm it
}

// ReadIndex asks for a linearizable read point for read id. It returns false
// when this node is not the leader (or maxPendingReads reads already wait).
// The ReadState appears in a later Ready once this node has proved it still
// leads after the call: at once under a valid lease, else after a quorum
// acknowledges a heartbeat round started after the call. Either way the
// leader must first have every slot it found open in phase 1 chosen.
func (n *node) ReadIndex(id uint64) bool {
	if n.role != consensus.Leader {
		return false
	}
	if n.readReady() && n.leaseValid() {
		n.readStates = append(n.readStates, consensus.ReadState{ID: id, Index: n.log.commit})
		return true
	}
	if len(n.lead.reads) >= maxPendingReads {
		return false
	}
	n.lead.reads = append(n.lead.reads, pendingRead{id: id, index: n.log.commit, round: n.lead.round + 1})
	n.lead.readsNeedRound = true
	return true
}

// readReady: phase 1 is done and everything it found open is chosen, so the
// chosen point covers every slot chosen under an earlier ballot.
func (n *node) readReady() bool {
	return n.role == consensus.Leader && n.log.commit >= n.lead.readyIndex
}

// leaseValid: this node leads, a quorum acknowledged a round sent at leaseFrom, and each of
// those acceptors refuses other proposers for ElectionTicks after receiving
// it, so nobody else can lead before leaseFrom+ElectionTicks-2 on our clock
// (one tick of discretization on each side). The lease ends a tick earlier.
func (n *node) leaseValid() bool {
	ls := &n.lead
	return n.role == consensus.Leader && n.cfg.LeaseReads && ls.leaseFrom >= ls.since &&
		n.now < ls.leaseFrom+int64(n.cfg.Timing.LeaseTicks())
}

// updateConfirmed finds the highest round a quorum (this node included)
// acknowledged, extends the lease and releases the reads it confirms.
func (n *node) updateConfirmed() {
	ls := &n.lead
	acked := make([]uint64, 0, len(n.cfg.Peers))
	for i := range ls.prog {
		if i == n.self {
			acked = append(acked, ls.round)
		} else {
			acked = append(acked, ls.prog[i].round)
		}
	}
	slices.Sort(acked)
	r := acked[len(acked)-n.quorum]
	if r <= ls.confirmed {
		return
	}
	ls.confirmed = r
	if t, ok := ls.roundTick[r]; ok {
		ls.leaseFrom = max(ls.leaseFrom, t)
	}
	// Rounds at or below the confirmed one are no longer needed; neither are
	// rounds too old to give a lease or a useful RTT sample.
	horizon := n.now - int64(n.cfg.Timing.MaxElectionTicks)
	for k, t := range ls.roundTick {
		if k < r || t < horizon {
			delete(ls.roundTick, k)
		}
	}
	n.releaseReads()
}

// releaseReads emits every read whose round is confirmed, once the leader is
// ready. The index is the chosen point at the call, raised to readyIndex.
func (n *node) releaseReads() {
	ls := &n.lead
	if !n.readReady() {
		return
	}
	i := 0
	for i < len(ls.reads) && ls.reads[i].round <= ls.confirmed {
		r := ls.reads[i]
		n.readStates = append(n.readStates, consensus.ReadState{ID: r.id, Index: max(r.index, ls.readyIndex)})
		i++
	}
	ls.reads = ls.reads[i:]
}
