package paxos

import "github.com/quorumkit/quorumkit/nodes/consensus"

// phase1 is a candidate's merge of the promises it received.
type phase1 struct {
	start  uint64             // first slot the prepare covers (commit+1 when it was sent)
	values map[uint64]p1value // best value learned per slot >= start
}

type p1value struct {
	ballot ballot
	data   []byte
	chosen bool // an acceptor reported the slot inside its chosen point
}

// merge keeps, per slot, a value known to be chosen or else the value
// accepted at the highest ballot: the Paxos rule that keeps choices stable.
func (p *phase1) merge(v acceptedValue, chosen bool, commit uint64) {
	if v.Slot <= commit || v.Slot > commit+maxOpenSlots || v.Ballot.IsZero() {
		return
	}
	old, ok := p.values[v.Slot]
	switch {
	case ok && old.chosen:
	case chosen || !ok || old.ballot.Less(v.Ballot):
		p.values[v.Slot] = p1value{ballot: v.Ballot, data: v.Data, chosen: chosen}
	}
}

// becomeFollower drops any proposer state. leader may be "".
func (n *node) becomeFollower(leader string) {
	was := n.role
	n.role = consensus.Follower
	n.leader = leader
	n.votes = 0
	n.p1 = phase1{}
	n.lead = leaderState{} // pending reads are dropped: the server fails them
	n.resetElectionDeadline()
	if was != consensus.Follower || leader != "" {
		n.cfg.Logger.Info("became follower", "promised", n.promised.String(), "leader", leader, "was", was.String())
	}
}

// becomePreCandidate asks every peer whether it also lost the leader. Only
// when a majority did does the node raise its ballot, so an isolated node
// that rejoins cannot depose a healthy leader.
func (n *node) becomePreCandidate() {
	n.role = consensus.PreCandidate
	n.leader = ""
	n.lead = leaderState{}
	n.ballot = ballot{Round: n.maxRound + 1, Node: n.self}
	n.votes = 1 << n.self // the timer fired: this node lost the leader too
	n.preVoteSent = n.now
	n.resetElectionDeadline()
	n.cfg.Logger.Info("became pre-candidate", "ballot", n.ballot.String(), "commit", n.log.commit)
	for i, p := range n.cfg.Peers {
		if i != n.self {
			n.send(Message{Type: MsgPreVote, To: p, Ballot: n.ballot, Sent: n.now})
		}
	}
	n.maybeWinPreVote()
}

func (n *node) handlePreVote(m Message) {
	grant := n.grantsPreVote()
	n.send(Message{Type: MsgPreVoteReply, To: m.From, Ballot: m.Ballot, Promised: n.promised, Reject: !grant, Sent: m.Sent})
}

func (n *node) handlePreVoteReply(m Message, from int) {
	n.maxRound = max(n.maxRound, m.Promised.Round)
	n.observeElectionRTT(m)
	if n.role != consensus.PreCandidate || m.Ballot != n.ballot || m.Sent != n.preVoteSent || m.Reject {
		return
	}
	n.votes |= 1 << from
	n.maybeWinPreVote()
}

func (n *node) maybeWinPreVote() {
	if n.role == consensus.PreCandidate && popcount(n.votes) >= n.quorum {
		n.becomeCandidate()
	}
}

// becomeCandidate runs phase 1 once for every slot above the chosen point.
func (n *node) becomeCandidate() {
	n.role = consensus.Candidate
	n.ballot = ballot{Round: n.maxRound + 1, Node: n.self}
	n.maxRound = n.ballot.Round
	n.setPromised(n.ballot)
	n.votes = 1 << n.self
	n.p1 = phase1{start: n.log.commit + 1, values: map[uint64]p1value{}}
	for _, v := range n.log.accepted(n.p1.start) {
		n.p1.merge(v, false, n.log.commit)
	}
	n.resetElectionDeadline()
	n.cfg.Logger.Info("became candidate", "ballot", n.ballot.String(), "from", n.p1.start)
	for i, p := range n.cfg.Peers {
		if i != n.self {
			n.send(Message{Type: MsgPrepare, To: p, Ballot: n.ballot, Index: n.p1.start, Sent: n.now})
		}
	}
	n.maybeWinPhase1()
}

// refusesPromise is the acceptor half of the leader lease: for ElectionTicks
// after hearing from the leader, promise nobody else; a leader promises
// nobody while it leads (check-quorum makes it step down when cut off). A
// restarted node does not know when it last heard the leader, so it promises
// nobody for ElectionTicks after it starts (quietUntil).
func (n *node) refusesPromise(from string) bool {
	if n.role == consensus.Leader || n.now < n.quietUntil {
		return true
	}
	return n.leader != "" && from != n.leader && n.now-n.leaderSeen < int64(n.cfg.Timing.ElectionTicks)
}

// handlePrepare is the acceptor's phase 1b. A damaged node answers no
// prepare at all, not even one for the ballot it promised: what it would
// report may lack a value it acknowledged.
func (n *node) handlePrepare(m Message) {
	if n.damaged {
		return
	}
	if m.Ballot.Less(n.promised) {
		n.send(Message{Type: MsgNack, To: m.From, Ballot: n.promised})
		return
	}
	if m.Ballot != n.promised {
		if n.refusesPromise(m.From) {
			return
		}
		n.setPromised(m.Ballot)
		if n.role != consensus.Follower {
			n.becomeFollower("")
		} else {
			n.leader = ""
			n.resetElectionDeadline()
		}
	}
	reply := Message{Type: MsgPromise, To: m.From, Ballot: m.Ballot, Index: m.Index, Sent: m.Sent,
		Commit: n.log.commit, Accepted: n.log.accepted(m.Index)}
	if m.Index <= n.log.snap.Index {
		snap := n.log.snap
		reply.Snapshot = &snap
	}
	n.send(reply)
}

// handlePromise merges one phase 1b answer into the candidate's view.
func (n *node) handlePromise(m Message, from int) {
	n.observeElectionRTT(m)
	if n.role != consensus.Candidate || m.Ballot != n.ballot || n.votes&(1<<from) != 0 {
		return
	}
	n.votes |= 1 << from
	if m.Snapshot != nil {
		n.restoreSnapshot(*m.Snapshot)
	}
	for _, v := range m.Accepted {
		n.p1.merge(v, v.Slot <= m.Commit, n.log.commit)
	}
	n.maybeWinPhase1()
}

func (n *node) maybeWinPhase1() {
	if n.role == consensus.Candidate && popcount(n.votes) >= n.quorum {
		n.becomeLeader()
	}
}

// becomeLeader ends phase 1: it re-proposes, at its own ballot, the value
// learned for every open slot and a no-op for every true gap. Reads wait
// until all of those slots are chosen (readyIndex).
func (n *node) becomeLeader() {
	top := n.log.commit
	for s := range n.p1.values {
		if s > top {
			top = s
		}
	}
	n.log.truncateAfter(top)
	for s := n.log.snap.Index + 1; s <= n.log.commit; s++ {
		n.log.get(s).acks = 0 // acks from an earlier ballot mean nothing now
	}
	gaps := 0
	for s := n.log.commit + 1; s <= top; s++ {
		v, ok := n.p1.values[s] // !ok: a true gap, filled with a no-op (nil)
		if !ok {
			gaps++
		}
		sl := n.holdValue(s, n.ballot, v.data)
		sl.acks, sl.chosen = 1<<n.self, ok && v.chosen
	}
	n.role = consensus.Leader
	n.leader = n.id
	n.p1 = phase1{}
	n.lead = newLeaderState(n, top)
	n.cfg.Logger.Info("became leader", "ballot", n.ballot.String(), "commit", n.log.commit, "open", top-n.log.commit, "noops", gaps)
	n.maybeCommit()
}

// handleNack: someone promised a higher ballot, so this proposer's ballot
// can never win; step aside at once.
func (n *node) handleNack(m Message) {
	if n.role != consensus.Follower && n.ballot.Less(m.Ballot) {
		n.cfg.Logger.Info("stepping aside: nack", "from", m.From, "ballot", m.Ballot.String(), "own", n.ballot.String())
		n.becomeFollower("")
	}
}

// restoreSnapshot installs a snapshot newer than the chosen point; Ready
// hands it to the state machine, and to stable storage before the answer
// that acknowledges it leaves.
func (n *node) restoreSnapshot(snap consensus.Snapshot) {
	if n.log.restore(snap) {
		n.pendingSnap = &snap
		n.stable.snap = &snap
		n.match = max(n.match, n.log.commit)
		n.cfg.Logger.Info("restored snapshot", "index", snap.Index)
	}
}
