package paxos

import "github.com/quorumkit/quorumkit/nodes/consensus"

// neverSent is a tick long before any other, for progress.snapSent.
const neverSent = -1 << 40

// progress is the leader's view of one acceptor.
type progress struct {
	next         uint64 // next slot to send
	match        uint64 // acceptor holds every slot through match (chosen or at our ballot)
	inflight     int    // Accepts sent and not yet answered
	lastAck      int64  // tick of the last answer at our ballot (check-quorum)
	lastProgress int64  // tick match last moved or sending resumed (retransmission)
	round        uint64 // highest heartbeat round acknowledged
	snapSent     int64  // tick the last snapshot went out (neverSent: never)
	lastSent     int64  // tick anything last went out to it (neverSent: never)
	// gapLo..gapHi-1 are slots to resend at the next flush: the run above
	// match the acceptor has not acknowledged (selective repeat).
	gapLo, gapHi uint64
	// inc is the acceptor's newest incarnation heard of, and damaged whether
	// that incarnation reported lost state: its answers then count in no
	// quorum, and its Accepts carry the slot it must catch up to (durable.go).
	inc     uint64
	damaged bool
}

// leaderState is everything a leader keeps beyond the acceptor state.
type leaderState struct {
	since      int64
	nextSlot   uint64 // next free slot
	readyIndex uint64 // highest slot open after phase 1; reads wait for it to be chosen
	prog       []progress

	hbDue          bool
	lastHeartbeat  int64
	round          uint64           // last heartbeat round started
	roundTick      map[uint64]int64 // round -> tick it was sent
	confirmed      uint64           // highest round a quorum acknowledged
	leaseFrom      int64            // send tick of the confirmed round
	reads          []pendingRead
	readsNeedRound bool
}

func newLeaderState(n *node, top uint64) leaderState {
	ls := leaderState{
		since: n.now, nextSlot: top + 1, readyIndex: top,
		prog:      make([]progress, len(n.cfg.Peers)),
		hbDue:     true, // announce the new leader and start a round at once
		roundTick: map[uint64]int64{},
		leaseFrom: -1,
	}
	for i := range ls.prog {
		// Send every re-proposed slot; acceptors that lag further say so
		// in their answers (match) and get older slots or the snapshot.
		ls.prog[i] = progress{next: n.log.commit + 1, lastAck: n.now, lastProgress: n.now, snapSent: neverSent, lastSent: neverSent}
	}
	return ls
}

// tickLeader sends heartbeats, steps down without a quorum (check-quorum)
// and retransmits to acceptors that stopped making progress.
func (n *node) tickLeader() {
	ls := &n.lead
	if n.now-ls.lastHeartbeat >= int64(n.cfg.Timing.HeartbeatTicks) {
		ls.hbDue = true
	}
	// The window is the adaptive timeout plus a heartbeat period: the heartbeat whose answer
	// the timeout waits for may leave up to a period late. (Raft's window is the timeout
	// alone; here the swarm found clusters that could not keep a leader without the period.)
	timeout := int64(n.timeout + n.cfg.Timing.HeartbeatTicks)
	if n.now-ls.since >= timeout {
		heard := 1
		for i := range ls.prog {
			if i != n.self && !ls.prog[i].damaged && n.now-ls.prog[i].lastAck < timeout {
				heard++
			}
		}
		if heard < n.quorum {
			n.cfg.Logger.Info("stepping down: check-quorum", "heard", heard, "nodes", len(n.cfg.Peers), "window_ticks", timeout)
			n.becomeFollower("")
			return
		}
	}
	resend := n.resendTicks()
	for i := range ls.prog {
		pr := &ls.prog[i]
		if i != n.self && (pr.next > pr.match+1 || pr.inflight > 0) && n.now-pr.lastProgress >= resend {
			n.planResend(i, pr)
		}
	}
}

// planResend handles an acceptor that made no progress for resendTicks.
// Usually one Accept was delayed or lost while later ones arrived, so only
// the unacknowledged run above match is resent (selective repeat), once per
// resendTicks; the pipeline goes on. When that run is compacted away, empty,
// or everything up to next, it goes back to match+1 (go-back-N).
func (n *node) planResend(i int, pr *progress) {
	pr.lastProgress = n.now
	lo := pr.match + 1
	hi := lo
	for hi < pr.next && hi-lo < uint64(n.cfg.Timing.MaxBatch) {
		sl := n.log.get(hi)
		if sl == nil || sl.acks&(1<<i) != 0 {
			break
		}
		hi++
	}
	if lo <= n.log.snap.Index || hi == lo || hi == pr.next {
		pr.next, pr.inflight, pr.gapLo, pr.gapHi = lo, 0, 0, 0
		return
	}
	pr.gapLo, pr.gapHi = lo, hi
}

// hasSendWork reports whether flushLeader would send anything.
func (n *node) hasSendWork() bool {
	ls := &n.lead
	if ls.hbDue || ls.readsNeedRound {
		return true
	}
	for i := range ls.prog {
		if ls.prog[i].gapHi > ls.prog[i].gapLo {
			return true
		}
	}
	for i := range ls.prog {
		if i != n.self && n.canSend(&ls.prog[i]) {
			return true
		}
	}
	return false
}

// canSend mirrors sendAccepts: whether it would send acceptor pr anything
// beyond a heartbeat, so HasReady never reports work that Ready skips.
func (n *node) canSend(pr *progress) bool {
	if pr.next <= n.log.snap.Index {
		return n.now-pr.snapSent >= n.resendTicks()
	}
	return pr.next < n.lead.nextSlot && pr.inflight < n.cfg.Timing.MaxInflight
}

// flushLeader sends everything proposed since the last flush as one Accept
// per acceptor (more only past MaxBatch), and starts a heartbeat round when
// one is due or a read waits for one. Every Accept carries the current round,
// so a round needs an empty Accept (a heartbeat) only to the acceptors that
// get no other: all of them when a read waits for the round, else those that
// heard nothing from us for HeartbeatTicks. While Accepts flow, as they do
// under load, no heartbeat is sent at all. (A round's tick is when it started,
// at or before any Accept that carries it, so the lease that an
// acknowledgement gives is never longer than the one a heartbeat would give.)
func (n *node) flushLeader() {
	ls := &n.lead
	everyone := ls.readsNeedRound
	newRound := ls.hbDue || ls.readsNeedRound
	if newRound {
		ls.round++
		ls.roundTick[ls.round] = n.now
		ls.hbDue, ls.readsNeedRound = false, false
		ls.lastHeartbeat = n.now
	}
	for i := range n.cfg.Peers {
		if i != n.self {
			quiet := n.now-ls.prog[i].lastSent >= int64(n.cfg.Timing.HeartbeatTicks)
			n.sendAccepts(i, newRound && (everyone || quiet))
		}
	}
	if newRound {
		n.updateConfirmed()
	}
}

// sendAccepts sends acceptor i its missing slots (or the snapshot when they
// are compacted away); with force, at least a heartbeat.
func (n *node) sendAccepts(i int, force bool) {
	ls := &n.lead
	pr := &ls.prog[i]
	to := n.cfg.Peers[i]
	sent := false
	send := func(m Message) {
		if pr.damaged {
			// Every slot it can have acknowledged before it restarted is below
			// nextSlot, and so is everything chosen before this ballot.
			m.Inc, m.Catchup = pr.inc, ls.nextSlot-1
		}
		n.send(m)
	}
	if pr.next <= n.log.snap.Index {
		if n.canSend(pr) {
			snap := n.log.snap
			send(Message{Type: MsgSnapshot, To: to, Ballot: n.ballot, Snapshot: &snap,
				Commit: n.log.commit, Round: ls.round, Timeout: n.timeout, Sent: n.now})
			pr.snapSent = n.now
			sent = true
		}
	} else {
		if pr.gapHi > pr.gapLo {
			lo, hi := max(pr.gapLo, n.log.snap.Index+1), min(pr.gapHi, ls.nextSlot)
			if lo < hi {
				send(Message{Type: MsgAccept, To: to, Ballot: n.ballot, Entries: n.log.entries(lo, hi),
					Commit: n.log.commit, Round: ls.round, Timeout: n.timeout, Sent: n.now})
				pr.inflight++
				sent = true
			}
			pr.gapLo, pr.gapHi = 0, 0
		}
		for pr.next < ls.nextSlot && pr.inflight < n.cfg.Timing.MaxInflight {
			if pr.next == pr.match+1 {
				pr.lastProgress = n.now // nothing was outstanding: the resend clock starts now
			}
			hi := min(ls.nextSlot, pr.next+uint64(n.cfg.Timing.MaxBatch))
			send(Message{Type: MsgAccept, To: to, Ballot: n.ballot, Entries: n.log.entries(pr.next, hi),
				Commit: n.log.commit, Round: ls.round, Timeout: n.timeout, Sent: n.now})
			pr.next = hi
			pr.inflight++
			sent = true
		}
	}
	if !sent && force {
		send(Message{Type: MsgAccept, To: to, Ballot: n.ballot, Commit: n.log.commit, Round: ls.round, Timeout: n.timeout, Sent: n.now})
		sent = true
	}
	if sent {
		pr.lastSent = n.now
	}
}

// handleAccepted is the leader's phase 2b: count acks, learn the acceptor's
// position, confirm rounds. An answer from a damaged acceptor counts toward
// nothing (no ack, no round, no check-quorum) but still says what to send it.
func (n *node) handleAccepted(m Message, from int) {
	if n.role != consensus.Leader || m.Ballot != n.ballot {
		return
	}
	ls := &n.lead
	pr := &ls.prog[from]
	switch {
	case m.Inc < pr.inc:
		// From before the acceptor restarted: the position it reports may be
		// gone (its chosen point, or what a damaged storage lost).
		return
	case m.Inc > pr.inc || (pr.damaged && !m.Damaged):
		// A restarted acceptor holds what it persisted but may know less to be
		// chosen than it told us, and one that caught up counts again: either
		// way its position is learned afresh from this answer on.
		pr.inc, pr.damaged = m.Inc, m.Damaged
		pr.match, pr.inflight = 0, 0
	}
	if n.now-pr.lastAck >= n.resendTicks() {
		// The first answer after a long silence (a healed partition):
		// whatever was sent meanwhile is most likely lost, resend at once.
		pr.inflight, pr.snapSent = 0, neverSent
	}
	pr.lastAck = n.now
	if m.Sent > 0 && m.Sent <= n.now {
		n.observeRTT(n.now - m.Sent)
	}
	match := min(max(m.Match, m.Commit), ls.nextSlot-1)
	if !m.Damaged {
		// Judged by the answer, not by pr.damaged: an answer sent while the acceptor was
		// damaged may arrive after one sent once it caught up, and still counts for nothing.
		n.count(m, from, match)
	}
	if m.Index > 0 {
		pr.inflight = max(0, pr.inflight-1)
	}
	if match > pr.match {
		pr.match = match
		pr.lastProgress = n.now
	}
	if pr.next <= pr.match+1 {
		// The acceptor holds everything we sent (or more: it installed the
		// snapshot), so no Accept is outstanding whatever answers were lost.
		pr.next, pr.inflight = pr.match+1, 0
	}
	if pr.inflight == 0 && pr.match+1 < pr.next {
		// Every Accept was answered and a hole remains: something was lost.
		pr.next = pr.match + 1
	}
	n.maybeCommit()
}

// count takes what an intact acceptor's answer m confirms: the round it acknowledged and
// the slots it accepted (those of this Accept, and any its reported match adds to the match
// held before this answer, pr.match).
func (n *node) count(m Message, from int, match uint64) {
	ls := &n.lead
	pr := &ls.prog[from]
	if m.Round > pr.round && m.Round <= ls.round {
		pr.round = m.Round
		n.updateConfirmed()
	}
	if m.Index > 0 {
		n.ack(from, max(m.Index, m.Commit+1), m.Last)
	}
	if match > pr.match {
		n.ack(from, max(pr.match, m.Commit)+1, m.Match)
	}
}

// ack records that acceptor from accepted slots lo..hi at our ballot.
func (n *node) ack(from int, lo, hi uint64) {
	lo = max(lo, n.log.commit+1)
	hi = min(hi, n.lead.nextSlot-1)
	for s := lo; s <= hi; s++ {
		if sl := n.log.get(s); sl != nil {
			sl.acks |= 1 << from
		}
	}
}

// maybeCommit advances the chosen point over slots a quorum accepted.
func (n *node) maybeCommit() {
	if n.role != consensus.Leader {
		return
	}
	old := n.log.commit
	for n.log.commit+1 < n.lead.nextSlot {
		sl := n.log.get(n.log.commit + 1)
		if !sl.chosen && popcount(sl.acks) < n.quorum {
			break
		}
		if sl.ballot != n.ballot {
			panic("paxos: leader log holds a slot at a foreign ballot")
		}
		sl.chosen = true
		n.log.commit++
	}
	if n.log.commit != old {
		n.match = max(n.match, n.log.commit)
		n.releaseReads()
	}
}
