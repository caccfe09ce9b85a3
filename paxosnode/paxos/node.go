package paxos

import "github.com/quorumkit/quorumkit/nodes/consensus"

// node is one Multi-Paxos replica: proposer, acceptor and learner in one
// deterministic state machine. It is not safe for concurrent use; the caller
// feeds it events from one loop and collects the results with Ready.
type node struct {
	cfg    consensus.Config
	id     string
	self   int // index of id in cfg.Peers
	quorum int
	now    int64 // ticks since New

	role   consensus.Role
	leader string // "" if unknown
	// leaderSeen is the tick this node last heard the leader at a ballot
	// it had not promised away. Acceptors refuse other proposers until
	// leaderSeen+ElectionTicks: the leader lease rests on that.
	leaderSeen       int64
	electionDeadline int64
	// timeout is the adaptive wait for election answers and the leader's
	// check-quorum window, never below cfg.Timing.ElectionTicks, from the round trips
	// rtt measured (timing.go).
	timeout int
	rtt     consensus.RTT

	// Acceptor state.
	promised ballot // highest ballot promised (accepting implies promising)
	maxRound uint64 // highest ballot round seen anywhere
	log      slotLog
	// learnBallot and learnCommit are the newest chosen-point claim from a
	// leader: every slot through learnCommit is chosen, and a value accepted
	// there at a ballot >= learnBallot is the chosen value.
	learnBallot ballot
	learnCommit uint64
	// matchBallot and match: every slot in (commit, match] holds a value
	// accepted at matchBallot. Reported to the leader for retransmission.
	matchBallot ballot
	match       uint64

	// Proposer state (PreCandidate, Candidate, Leader).
	ballot ballot
	votes  uint64 // pre-votes or promises received in this attempt (bitmask)
	// preVoteSent is the tick the current pre-vote attempt went out, which its answers echo.
	// The ballot cannot tell attempts apart: it repeats while no higher round is seen.
	preVoteSent int64
	p1          phase1
	lead        leaderState

	// Durability (durable.go). inc is the incarnation: 0 for a fresh node, one
	// more at every restart. A restarted node promises nothing and grants no
	// pre-vote before quietUntil; a damaged one lost state it may have
	// acknowledged and takes part in no quorum until it has caught up.
	inc        uint64
	quietUntil int64
	damaged    bool
	stable     stableOut

	// Output waiting for Ready.
	msgs           []Message
	readStates     []consensus.ReadState
	pendingSnap    *consensus.Snapshot
	reportedLeader string
}

// newNode returns a follower that knows no leader. It panics on an invalid
// config (a programming error).
func newNode(cfg consensus.Config) *node {
	cfg = withDefaults(cfg)
	n := &node{cfg: cfg, id: cfg.ID, quorum: len(cfg.Peers)/2 + 1, timeout: cfg.Timing.ElectionTicks}
	for i, p := range cfg.Peers {
		if p == cfg.ID {
			n.self = i
		}
	}
	// Nobody was heard from: promises and pre-votes are free from the start,
	// unless the node is restarting (recover).
	n.leaderSeen = -int64(cfg.Timing.ElectionTicks)
	if cfg.Restore != nil {
		n.recover(cfg.Restore)
	}
	n.resetElectionDeadline()
	return n
}

// Tick tells the node one millisecond passed.
func (n *node) Tick() {
	n.now++
	if n.role == consensus.Leader {
		n.tickLeader()
		return
	}
	if n.now >= n.electionDeadline {
		if n.damaged {
			n.resetElectionDeadline() // it must not promise, not even to itself
			return
		}
		n.becomePreCandidate()
	}
}

// Step handles a message from a peer. Messages not addressed to this node,
// from unknown senders or otherwise malformed are ignored.
func (n *node) Step(m Message) {
	from := n.peerIndex(m.From)
	if m.To != n.id || from < 0 || from == n.self || !n.wellFormed(m, from) {
		return
	}
	if m.Ballot.Round > n.maxRound {
		n.maxRound = m.Ballot.Round
	}
	switch m.Type {
	case MsgPreVote:
		n.handlePreVote(m)
	case MsgPreVoteReply:
		n.handlePreVoteReply(m, from)
	case MsgPrepare:
		n.handlePrepare(m)
	case MsgPromise:
		n.handlePromise(m, from)
	case MsgAccept, MsgSnapshot:
		n.handleAccept(m)
	case MsgAccepted:
		n.handleAccepted(m, from)
	case MsgNack:
		n.handleNack(m)
	}
}

// wellFormed rejects messages that would break invariants if believed.
func (n *node) wellFormed(m Message, from int) bool {
	switch m.Type {
	case MsgPreVote, MsgPrepare, MsgAccept, MsgSnapshot:
		// A proposer's ballot carries its own index.
		if m.Ballot.Node != from || m.Ballot.IsZero() {
			return false
		}
	}
	if m.Type == MsgSnapshot && m.Snapshot == nil {
		return false
	}
	if m.Type == MsgAccept {
		for i, e := range m.Entries {
			if e.Index == 0 || (i > 0 && e.Index != m.Entries[i-1].Index+1) {
				return false
			}
		}
	}
	return true
}

// Propose hands a client command to the leader. It returns false, having
// stored nothing, when this node is not a leader done with phase 1 or when
// maxOpenSlots slots are already waiting to be chosen (back-pressure).
// True means the command holds the next slot in this leader's log; it goes
// out in one Accept per acceptor at the next Ready and may still be lost if
// the leader is deposed.
func (n *node) Propose(data []byte) bool {
	if n.role != consensus.Leader || n.lead.nextSlot-n.log.commit > maxOpenSlots {
		return false
	}
	if data == nil {
		data = []byte{} // nil is reserved for no-ops
	}
	s := n.lead.nextSlot
	n.lead.nextSlot++
	n.holdValue(s, n.ballot, data).acks = 1 << n.self
	n.maybeCommit()
	return true
}

// Compact tells the node the state machine's state through index is
// snapshot. Slots through index are dropped; the snapshot is kept for
// replicas that fall behind, and goes to stable storage with the next Ready
// so that the storage may drop the acceptances it covers. index must not
// exceed the last slot handed out in Ready.Committed.
func (n *node) Compact(index uint64, snapshot []byte) {
	if n.log.compact(index, snapshot) {
		snap := n.log.snap
		n.stable.snap = &snap
	}
}

// HasReady reports whether Ready would return anything new.
func (n *node) HasReady() bool {
	return len(n.msgs) > 0 || len(n.readStates) > 0 || n.pendingSnap != nil || n.stable.pending() ||
		n.log.commit > n.log.applied || n.leader != n.reportedLeader ||
		(n.role == consensus.Leader && n.hasSendWork())
}

// Ready takes everything pending: the leader's Accepts for everything
// proposed since the last call, replies, chosen slots and reads, and in
// Stable every promise, acceptance and snapshot since the last call, which
// the server makes durable before it sends any of the messages.
func (n *node) Ready() consensus.Ready[Message] {
	if n.role == consensus.Leader {
		n.flushLeader()
	}
	rd := consensus.Ready[Message]{Stable: n.takeStable(), Messages: n.msgs, ReadStates: n.readStates,
		Snapshot: n.pendingSnap, Leader: n.leader}
	if n.pendingSnap != nil {
		n.log.applied = max(n.log.applied, n.pendingSnap.Index)
	}
	if n.log.commit > n.log.applied {
		rd.Committed = n.log.entries(n.log.applied+1, n.log.commit+1)
		n.log.applied = n.log.commit
	}
	n.msgs, n.readStates, n.pendingSnap = nil, nil, nil
	n.reportedLeader = n.leader
	return rd
}

// Leader returns the node believed to lead, "" if unknown.
func (n *node) Leader() string { return n.leader }

func (n *node) send(m Message) {
	m.From = n.id
	n.msgs = append(n.msgs, m)
}

func (n *node) peerIndex(id string) int {
	for i, p := range n.cfg.Peers {
		if p == id {
			return i
		}
	}
	return -1
}
