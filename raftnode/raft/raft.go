package raft

import (
	"fmt"
	"math/rand/v2"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// node is one Raft replica as a deterministic state machine. It is not safe for concurrent
// use: the server's single event loop is its only caller.
type node struct {
	cfg    config
	id     string
	peers  []*progress // every other node, in Config.Peers order; valid fields while leader
	quorum int
	rand   *rand.Rand

	role consensus.Role
	term uint64
	vote string // whom we voted for in term
	lead string // the leader of term, "" if unknown

	log raftLog

	// now counts ticks since New, starting at 1 so that 0 can mean "never".
	now uint64
	// electionElapsed counts ticks since we last heard from the leader (or voted, or campaigned).
	electionElapsed int
	// leaderHeard is the tick at which we last accepted a message from the leader of our term
	// (0: never). Unlike lead and electionElapsed it survives term changes: until
	// leaderHeard + electionTimeout this node grants no vote in any term, which is the
	// follower half of the lease argument in doc.go.
	leaderHeard uint64
	// electionTimeout is the current base timeout (>= ElectionTicks); randomizedTimeout is
	// drawn from [electionTimeout, 2*electionTimeout) and is when a follower campaigns.
	electionTimeout   int
	randomizedTimeout int
	votes             map[string]bool
	// campaignStamp is the tick at which the current (pre-)campaign sent its requests; answers
	// echo it, and only answers to this campaign are counted (a pre-vote asks for the same
	// term again and again while the term does not change, so the term cannot tell them apart).
	campaignStamp uint64

	// early holds appends of the current leader that arrived before the entries they follow
	// (latency reorders messages); they are applied as soon as the gap fills. Bounded by
	// 2*MaxInflight.
	early []Message

	// Leader state.
	leaderSince uint64 // tick at which this node became leader
	seq         uint64 // heartbeat-round number, echoed by followers
	roundWanted bool   // a heartbeat round should go out at the next flush
	reads       []pendingRead
	rtt         consensus.RTT
	scratch     []uint64 // reused by quorumValue

	// Durability (durable.go). saved is the hard state last handed over in a Stable;
	// snapDirty says log.snap is newer than the snapshot last handed over; savedHigh is the
	// highest index of any record handed over (or recovered), which a cut may have to cover.
	saved     hardState
	snapDirty bool
	savedHigh uint64
	// recovering: restarted from damaged storage and not caught up yet; it grants no vote,
	// does not campaign, and flags its answers so that no leader counts them in a quorum.
	// catchUp is the leader's last index that the log must match first (0: not told yet).
	recovering bool
	catchUp    uint64

	// Output waiting for Ready.
	msgs       []Message
	readStates []consensus.ReadState
	snapshot   *consensus.Snapshot
	readyLead  string
	readySent  bool // a Ready was taken at least once (so Leader was reported)
}

// newNode returns a follower: in term 0 with an empty log, or as config.Restore recovers it.
func newNode(cfg config) *node {
	cfg = cfg.withDefaults()
	n := &node{cfg: cfg, id: cfg.ID, quorum: len(cfg.Peers)/2 + 1, rand: cfg.Rand, now: 1}
	for _, p := range cfg.Peers {
		if p != cfg.ID {
			n.peers = append(n.peers, newProgress(p, 1, 0, cfg.Timing.MaxInflight))
		}
	}
	n.electionTimeout = cfg.Timing.ElectionTicks
	n.resetRandomizedTimeout()
	if cfg.Restore != nil {
		n.recover(cfg.Restore)
	}
	return n
}

// Tick advances the node's clock by one tick (one millisecond of monotonic time).
func (n *node) Tick() {
	n.now++
	if n.role == consensus.Leader {
		n.tickLeader()
	} else {
		n.tickElection()
	}
}

// Propose appends a client command to the leader's log. It returns false, with nothing appended
// anywhere, if this node is not the leader or its uncommitted tail is full. The data is copied.
func (n *node) Propose(data []byte) bool {
	if n.role != consensus.Leader || n.log.lastIndex()-n.log.committed >= uint64(n.cfg.MaxUncommitted) {
		return false
	}
	n.log.append(consensus.Entry{Index: n.log.lastIndex() + 1, Term: n.term, Data: append([]byte{}, data...)})
	n.maybeCommit()
	return true
}

// Compact tells the node that the server's state through index is captured in snapshot. The log
// up to index (minus CompactMargin entries kept for lagging followers) is dropped, and the
// snapshot is kept to send to followers that need earlier entries. index must not exceed the
// last index delivered in Ready.Committed (or restored from Ready.Snapshot); older or equal
// indexes than the current snapshot are ignored.
func (n *node) Compact(index uint64, snapshot []byte) {
	if n.log.compact(index, snapshot, uint64(n.cfg.CompactMargin)) {
		n.snapDirty = true
	}
	n.log.check()
}

// HasReady reports whether Ready would return anything new.
func (n *node) HasReady() bool {
	if len(n.msgs) > 0 || len(n.readStates) > 0 || n.snapshot != nil ||
		n.log.committed > n.log.delivered || !n.readySent || n.lead != n.readyLead || n.stablePending() {
		return true
	}
	if n.role == consensus.Leader {
		if n.roundWanted {
			return true
		}
		for _, pr := range n.peers {
			if pr.wantsAppend(n.log.lastIndex()) {
				return true
			}
		}
	}
	return false
}

// Ready takes everything pending: the leader first sends the appends and heartbeat round that
// the events since the last Ready call for (one append per follower carrying every new entry,
// within MaxBatch and MaxInflight), then the batch is handed over and cleared, with what its
// messages and commits rest on in Stable.
func (n *node) Ready() consensus.Ready[Message] {
	if n.role == consensus.Leader {
		n.flush()
	}
	rd := consensus.Ready[Message]{
		Stable:     n.stable(),
		Messages:   n.msgs,
		Committed:  n.log.nextCommitted(maxCommittedPerReady),
		ReadStates: n.readStates,
		Snapshot:   n.snapshot,
		Leader:     n.lead,
	}
	n.msgs, n.readStates, n.snapshot = nil, nil, nil
	n.readyLead, n.readySent = n.lead, true
	return rd
}

// Leader returns the node's current belief about the leader, "" if unknown.
func (n *node) Leader() string { return n.lead }

// Step handles one message from a peer. Messages not addressed to this node, from unknown
// senders or of unknown type are ignored; so is anything else malformed.
func (n *node) Step(m Message) {
	if m.To != n.id || m.From == n.id || n.progress(m.From) == nil || m.Type < MsgApp || m.Type > MsgVoteResp {
		return
	}
	switch {
	case m.Term > n.term:
		if (m.Type == MsgVote || m.Type == MsgPreVote) && n.inLease() {
			// Leader stickiness: we heard from a live leader within the election timeout, so
			// we neither vote nor adopt the term. Any other message of a higher term is
			// adopted below, but handleVoteRequest still refuses votes while inLease: this
			// is what makes leases safe (doc.go).
			return
		}
		switch {
		case m.Type == MsgPreVote, m.Type == MsgPreVoteResp && !m.Reject:
			// A pre-vote proposes a term without claiming it; a grant echoes our own proposal.
		case m.Type == MsgApp || m.Type == MsgHeartbeat || m.Type == MsgSnap:
			n.becomeFollower(m.Term, m.From)
		default:
			n.becomeFollower(m.Term, "")
		}
	case m.Term < n.term:
		n.rejectStale(m)
		return
	}
	switch m.Type {
	case MsgPreVote, MsgVote:
		n.handleVoteRequest(m)
		return
	}
	switch n.role {
	case consensus.Leader:
		n.stepLeader(m)
	case consensus.PreCandidate, consensus.Candidate:
		n.stepCandidate(m)
	default:
		n.stepFollower(m)
	}
	n.log.check()
}

// rejectStale answers a request from an older term with our term, so that a deposed leader or
// a stale candidate learns at once that it is behind (and steps down).
func (n *node) rejectStale(m Message) {
	switch m.Type {
	case MsgApp, MsgSnap:
		n.send(Message{Type: MsgAppResp, To: m.From, Reject: true, Index: m.Index})
	case MsgHeartbeat:
		n.send(Message{Type: MsgHeartbeatResp, To: m.From})
	case MsgPreVote:
		n.send(Message{Type: MsgPreVoteResp, To: m.From, Reject: true, Stamp: m.Stamp})
	case MsgVote:
		n.send(Message{Type: MsgVoteResp, To: m.From, Reject: true, Stamp: m.Stamp})
	}
}

// stepLeader handles the answers to our appends and heartbeats: every one proves the follower
// is alive and follows us (check-quorum, read rounds, lease, round trip), and AppResp moves its
// replication state.
func (n *node) stepLeader(m Message) {
	pr := n.progress(m.From)
	switch m.Type {
	case MsgAppResp:
		n.noteAck(pr, m)
		n.handleAppResp(pr, m)
	case MsgHeartbeatResp:
		n.noteAck(pr, m)
		n.handleHeartbeatResp(pr, m)
	}
}

// stepCandidate handles a pre-candidate's or candidate's messages: an append, heartbeat or
// snapshot of our term means someone won; vote answers are tallied.
func (n *node) stepCandidate(m Message) {
	switch m.Type {
	case MsgApp, MsgHeartbeat, MsgSnap:
		// Someone won this term.
		n.becomeFollower(n.term, m.From)
		n.stepFollower(m)
	case MsgPreVoteResp, MsgVoteResp:
		// Vote round trips are samples too, so that a cluster whose round trip exceeds the
		// floor can still finish its first election (timing.go).
		if m.Stamp != 0 && m.Stamp <= n.now && n.now-m.Stamp <= uint64(n.cfg.Timing.MaxElectionTicks) {
			n.rtt.Observe(n.now - m.Stamp)
			n.adaptTimeout()
		}
	}
	if m.Stamp != n.campaignStamp {
		return // an answer to an earlier campaign
	}
	switch m.Type {
	case MsgPreVoteResp:
		if n.role == consensus.PreCandidate && (m.Reject || m.Term == n.term+1) {
			n.tallyVote(m.From, !m.Reject)
		}
	case MsgVoteResp:
		if n.role == consensus.Candidate {
			n.tallyVote(m.From, !m.Reject)
		}
	}
}

// stepFollower handles the leader's messages: each resets the election timer (and so renews
// our stickiness to it) and carries the election timeout the leader measured.
func (n *node) stepFollower(m Message) {
	switch m.Type {
	case MsgApp, MsgHeartbeat, MsgSnap:
		n.electionElapsed = 0
		n.leaderHeard = n.now
		n.lead = m.From
		if m.Timeout != 0 {
			n.setElectionTimeout(int(min(m.Timeout, uint64(n.cfg.Timing.MaxElectionTicks))))
		}
		if n.recovering && n.catchUp == 0 {
			n.catchUp = m.Last
		}
	}
	switch m.Type {
	case MsgApp:
		n.handleApp(m)
	case MsgHeartbeat:
		n.handleHeartbeat(m)
	case MsgSnap:
		n.handleSnapshot(m)
	}
}

// send queues a message for the next Ready, stamping our id and term, and flagging a
// recovering node's answers to a leader.
func (n *node) send(m Message) {
	m.From = n.id
	if m.Term == 0 {
		m.Term = n.term
	}
	if n.recovering && (m.Type == MsgAppResp || m.Type == MsgHeartbeatResp) {
		m.Recovering = true
		if m.Type == MsgHeartbeatResp {
			m.Index = n.log.lastIndex() // a leader may believe we hold what we lost
		}
	}
	n.msgs = append(n.msgs, m)
}

func (n *node) progress(id string) *progress {
	for _, pr := range n.peers {
		if pr.id == id {
			return pr
		}
	}
	return nil
}

func (n *node) becomeFollower(term uint64, lead string) {
	if term < n.term {
		panic(fmt.Sprintf("raft: %s term going back from %d to %d", n.id, n.term, term))
	}
	changed := n.role != consensus.Follower || term != n.term || lead != n.lead
	if term != n.term {
		n.term, n.vote = term, ""
	}
	n.role, n.lead = consensus.Follower, lead
	n.resetElection()
	n.reads = nil // the server fails reads itself when it sees the leader change
	if changed {
		n.early = nil // appends held for reordering belong to the old leader or term
		n.catchUp = 0 // a recovering node catches up with the leader of its term
		n.cfg.Logger.Info("became follower", "term", n.term, "leader", lead)
	}
}

func (n *node) becomePreCandidate() {
	n.role, n.lead = consensus.PreCandidate, ""
	n.resetElection()
	n.cfg.Logger.Info("became pre-candidate", "term", n.term, "campaign_term", n.term+1)
}

func (n *node) becomeCandidate() {
	n.role, n.lead = consensus.Candidate, ""
	n.term++
	n.vote = n.id
	n.resetElection()
	n.cfg.Logger.Info("became candidate", "term", n.term)
}

func (n *node) becomeLeader() {
	if n.role != consensus.Candidate {
		panic(fmt.Sprintf("raft: %s becoming leader from %s", n.id, n.role))
	}
	n.role, n.lead = consensus.Leader, n.id
	n.leaderSince = n.now
	n.reads = nil
	last := n.log.lastIndex()
	for i, pr := range n.peers {
		n.peers[i] = newProgress(pr.id, last+1, n.now, n.cfg.Timing.MaxInflight)
	}
	// A no-op of our own term: committing it commits every earlier entry (paper §5.4.2) and is
	// what lets us serve reads (§8).
	n.log.append(consensus.Entry{Index: last + 1, Term: n.term})
	n.roundWanted = true
	n.cfg.Logger.Info("became leader", "term", n.term, "last", last, "commit", n.log.committed)
	n.maybeCommit()
}

func (n *node) resetElection() {
	n.electionElapsed = 0
	n.votes = nil
	n.resetRandomizedTimeout()
}
