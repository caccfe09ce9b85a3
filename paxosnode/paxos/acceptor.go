package paxos

import "github.com/quorumkit/quorumkit/nodes/consensus"

// handleAccept is the acceptor's phase 2a for MsgAccept and MsgSnapshot:
// accept at any ballot not below the promise, learn the piggybacked chosen
// point, answer with what is now held.
func (n *node) handleAccept(m Message) {
	if m.Ballot.Less(n.promised) {
		n.send(Message{Type: MsgNack, To: m.From, Ballot: n.promised})
		return
	}
	n.setPromised(m.Ballot)
	if n.role != consensus.Follower || n.leader != m.From {
		n.becomeFollower(m.From)
	}
	n.leaderSeen = n.now
	n.resetElectionDeadline()
	if m.Timeout > 0 {
		n.adoptTimeout(m.Timeout)
	}
	if m.Snapshot != nil {
		n.restoreSnapshot(*m.Snapshot)
	}
	reply := Message{Type: MsgAccepted, To: m.From, Ballot: m.Ballot, Round: m.Round, Sent: m.Sent}
	if len(m.Entries) > 0 {
		// Index..Last is the answered range; the leader counts acks only
		// above our chosen point, where every entry was accepted.
		reply.Index = m.Entries[0].Index
		reply.Last = reply.Index - 1
		n.stable.reserve(len(m.Entries))
		for _, e := range m.Entries {
			if e.Index > n.log.commit+maxOpenSlots {
				break // beyond the window: the leader resends once we catch up
			}
			reply.Last = e.Index
			if e.Index <= n.log.commit {
				continue // chosen already; the value cannot differ
			}
			if sl := n.log.get(e.Index); sl == nil || sl.ballot != m.Ballot || !sameData(sl.data, e.Data) {
				n.holdValue(e.Index, m.Ballot, e.Data) // a resent value already held needs no new record
			}
		}
	}
	n.learn(m.Ballot, m.Commit)
	n.advanceMatch(m.Ballot)
	n.caughtUp(m)
	reply.Commit, reply.Match, reply.Inc, reply.Damaged = n.log.commit, n.match, n.inc, n.damaged
	n.send(reply)
}

// sameData reports whether two slot values are equal, a no-op (nil) equal only to a no-op.
func sameData(a, b []byte) bool { return (a == nil) == (b == nil) && string(a) == string(b) }

// learn applies a leader's chosen-point claim. Every slot through commit is
// chosen, and any value accepted at a ballot >= the claim's ballot is the
// chosen one (Paxos: once v is chosen at b, every proposal above b is v), so
// such slots join the chosen prefix.
func (n *node) learn(b ballot, commit uint64) {
	switch {
	case b == n.learnBallot:
		n.learnCommit = max(n.learnCommit, commit)
	case n.learnBallot.Less(b):
		n.learnBallot, n.learnCommit = b, commit
	}
	for n.log.commit < n.learnCommit {
		sl := n.log.get(n.log.commit + 1)
		if sl == nil || sl.ballot.IsZero() || sl.ballot.Less(n.learnBallot) {
			break
		}
		n.log.commit++
	}
	n.match = max(n.match, n.log.commit)
}

// advanceMatch extends the run of slots above the chosen point held at b.
func (n *node) advanceMatch(b ballot) {
	if b != n.matchBallot {
		n.matchBallot, n.match = b, n.log.commit
	}
	n.match = max(n.match, n.log.commit)
	for {
		sl := n.log.get(n.match + 1)
		if sl == nil || sl.ballot != b {
			return
		}
		n.match++
	}
}
