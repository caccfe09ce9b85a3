package raft

// tickLeader schedules a heartbeat round when a follower has heard nothing from us for
// HeartbeatTicks, and steps down when a quorum has gone quiet (check-quorum): a leader cut off
// from the majority stops accepting requests within one election timeout instead of holding
// its clients until they time out.
func (n *node) tickLeader() {
	active, window := 1, uint64(n.electionTimeout)
	for _, pr := range n.peers {
		if n.now-pr.lastSend >= uint64(n.cfg.Timing.HeartbeatTicks) {
			n.roundWanted = true
		}
		if n.now-pr.lastHeard < window {
			active++
		}
	}
	if active < n.quorum {
		n.cfg.Logger.Info("stepping down: check-quorum", "heard", active, "nodes", len(n.peers)+1, "window_ticks", window)
		n.becomeFollower(n.term, "")
	}
}

// flush sends what the events since the last Ready call for: the appends that every follower's
// window allows (one message carrying all new entries in the common case) and, if a heartbeat
// round is due, the next round number: to every follower when reads wait for the round, else
// to the followers that heard nothing from us for HeartbeatTicks. The round goes in the append
// if there is one, else in a heartbeat. So while appends flow, as they do under load, no
// heartbeat is sent at all: every append renews the follower's timer and the leader's lease
// just as well.
func (n *node) flush() {
	round := n.roundWanted
	if round {
		n.roundWanted = false
		n.seq++
	}
	everyone := len(n.reads) > 0
	for _, pr := range n.peers {
		if !n.maybeSendAppend(pr) && round && (everyone || n.now-pr.lastSend >= uint64(n.cfg.Timing.HeartbeatTicks)) {
			n.sendHeartbeat(pr)
		}
	}
	if round {
		n.releaseReads() // a one-node cluster confirms its own round
	}
}

// maybeSendAppend sends appends to pr while its window allows and there is something to send;
// it reports whether anything was sent.
func (n *node) maybeSendAppend(pr *progress) bool {
	sent := false
	for pr.wantsAppend(n.log.lastIndex()) {
		prev := pr.next - 1
		prevTerm, ok := n.log.term(prev)
		if !ok {
			n.sendSnapshot(pr)
			return true
		}
		hi := min(n.log.lastIndex(), prev+uint64(n.cfg.Timing.MaxBatch))
		n.send(Message{Type: MsgApp, To: pr.id, Index: prev, LogTerm: prevTerm,
			Entries: n.log.slice(prev+1, hi), Commit: n.log.committed,
			Seq: n.seq, Stamp: n.now, Timeout: uint64(n.electionTimeout), Last: n.lastFor(pr)})
		sent = true
		pr.lastSend = n.now
		if pr.state == stateProbe {
			pr.probeSent = true
			break
		}
		if pr.next-1 == pr.match {
			// The retransmission clock starts when an append goes out with nothing sent before
			// it unacknowledged. Not when the window is merely empty: handleHeartbeatResp frees
			// slots of appends that may be lost, and restarting the clock then would postpone
			// the timeout for as long as new entries keep coming.
			pr.progressTick = n.now
		}
		pr.inflight.add(hi)
		pr.next = hi + 1
	}
	return sent
}

func (n *node) sendHeartbeat(pr *progress) {
	pr.lastSend = n.now
	m := Message{Type: MsgHeartbeat, To: pr.id, Commit: min(pr.match, n.log.committed),
		Seq: n.seq, Stamp: n.now, Timeout: uint64(n.electionTimeout), Last: n.lastFor(pr)}
	if m.Last != 0 {
		// A recovering follower that holds our last entry has caught up (doc.go,
		// Durability); it may not get another append to tell it.
		m.Index, m.LogTerm = n.log.lastIndex(), n.log.lastTerm()
	}
	n.send(m)
}

// lastFor is the Last field of a message to pr: our last index if pr is recovering, else 0.
func (n *node) lastFor(pr *progress) uint64 {
	if pr.recovering {
		return n.log.lastIndex()
	}
	return 0
}

func (n *node) sendSnapshot(pr *progress) {
	s := n.log.snap
	if s == nil {
		panic("raft: entries compacted without a snapshot")
	}
	n.cfg.Logger.Info("sending snapshot", "index", s.Index, "to", pr.id, "progress", pr.String())
	pr.lastSend = n.now
	n.send(Message{Type: MsgSnap, To: pr.id, Snap: s, LogTerm: n.log.snapTerm,
		Seq: n.seq, Stamp: n.now, Timeout: uint64(n.electionTimeout), Last: n.lastFor(pr)})
	pr.becomeSnapshot(s.Index, n.now)
}

// noteAck records what any response of this term proves: the follower is alive and accepts us
// as leader for the round Seq sent at tick Stamp. Echoes that cannot come from this leadership
// (a peer sending junk) are ignored. A recovering follower's answers count for check-quorum,
// so that we stay to repair it, but in no quorum that decides (quorumValue).
func (n *node) noteAck(pr *progress, m Message) {
	pr.lastHeard = n.now
	wasRecovering := pr.recovering
	pr.recovering = m.Recovering
	if wasRecovering && !pr.recovering {
		n.maybeCommit() // what it holds counts now
	}
	if m.Seq > pr.ackSeq && m.Seq <= n.seq {
		pr.ackSeq = m.Seq
	}
	if m.Stamp >= n.leaderSince && m.Stamp <= n.now {
		// Every echo is a round-trip sample, the late ones too: sampling only echoes newer
		// than the newest would keep the fast ones and underestimate a long-tailed latency.
		n.rtt.Observe(n.now - m.Stamp)
		n.adaptTimeout()
		pr.ackStamp = max(pr.ackStamp, m.Stamp)
	}
	n.releaseReads()
}

func (n *node) handleAppResp(pr *progress, m Message) {
	if m.Reject {
		n.handleReject(pr, m)
		return
	}
	if m.Index > n.log.lastIndex() {
		return // junk
	}
	if pr.maybeUpdate(m.Index, n.now) {
		switch {
		case pr.state == stateProbe:
			pr.becomeReplicate(n.now)
		case pr.state == stateSnapshot && pr.match >= pr.pendingSnapshot:
			pr.becomeReplicate(n.now)
		}
		n.maybeCommit()
	}
}

// handleReject backs pr off after a mismatch at m.Index, using the follower's hint: (Hint,
// LogTerm) is the first index it holds of its term at the mismatch, or (last+1, 0) if its log is
// short. If we hold that term too, retry after our last entry of it; otherwise skip the whole
// term. Stale rejections (from before the last back-off or below the match) are ignored.
func (n *node) handleReject(pr *progress, m Message) {
	if m.Recovering && m.Hint <= pr.match {
		n.forgetMatch(pr, m.Hint)
		return
	}
	switch {
	case pr.state == stateReplicate && m.Index <= pr.match,
		pr.state == stateProbe && m.Index != pr.next-1,
		pr.state == stateSnapshot:
		return
	case pr.state == stateReplicate && m.LogTerm == 0 && m.Hint > pr.match:
		// The follower is only missing entries we sent after its match: they are in flight
		// (the follower holds this append until they arrive) or lost (the retransmission
		// timeout in handleHeartbeatResp will probe).
		return
	}
	next := m.Hint
	if m.LogTerm != 0 {
		j := min(m.Index, n.log.lastIndex())
		for j > n.log.offset && n.log.mustTerm(j) > m.LogTerm {
			j--
		}
		if t, ok := n.log.term(j); ok && t == m.LogTerm {
			next = j + 1
		}
	}
	pr.becomeProbe(min(next, m.Index, n.log.lastIndex()+1))
}

// handleHeartbeatResp resumes replication that waits on an answer that may have been lost: a
// probe is re-sent; a replicating follower whose match has not moved for a retransmission
// timeout while entries are outstanding is probed again from its match; a full window frees
// its oldest slot; a snapshot is re-sent after an election timeout.
func (n *node) handleHeartbeatResp(pr *progress, m Message) {
	if m.Recovering && m.Index < pr.match {
		n.forgetMatch(pr, m.Index+1)
		return
	}
	switch pr.state {
	case stateProbe:
		pr.probeSent = false
	case stateReplicate:
		switch {
		case pr.match < n.log.lastIndex() && n.now-pr.progressTick > n.retransmitTicks():
			pr.becomeProbe(pr.match + 1)
		case pr.inflight.full():
			pr.inflight.freeFirst()
		}
	case stateSnapshot:
		if n.now-pr.snapshotSent >= uint64(n.electionTimeout) {
			pr.becomeProbe(pr.match + 1) // the snapshot was probably lost; try again
		}
	}
}

// forgetMatch starts over with a follower that restarted from damaged storage and lost
// entries it acknowledged: its log is shorter than the match we counted, and what of it still
// matches ours is unknown. A match of 0 also keeps our heartbeats from telling it to commit
// entries it may hold differently. Probing resumes at next.
func (n *node) forgetMatch(pr *progress, next uint64) {
	pr.match = 0
	pr.becomeProbe(next)
}

// retransmitTicks is how long a replicating follower may go without progress before the
// leader assumes an append was lost: a rarely exceeded round trip, at least two heartbeats.
func (n *node) retransmitTicks() uint64 {
	t := 2 * n.cfg.Timing.HeartbeatTicks
	if n.rtt.Known() {
		t = max(t, n.rtt.Bound())
	}
	return uint64(t)
}

// maybeCommit advances the commit index to the highest index a quorum holds, but only if that
// entry is of the current term: an older entry is committed only indirectly (paper §5.4.2,
// Figure 8), because counting replicas of an old-term entry is not enough.
func (n *node) maybeCommit() {
	idx := n.quorumValue(n.log.lastIndex(), func(pr *progress) uint64 { return pr.match })
	if idx > n.log.committed && n.log.mustTerm(idx) == n.term {
		n.log.commitTo(idx)
		n.releaseReads()
	}
}

// handleApp is the follower side of MsgApp (paper Figure 2, AppendEntries receiver). An
// append that follows a gap (an earlier one is still in flight or lost) is rejected so that a
// probing leader learns our last index, and also held back: a replicating leader ignores such
// a rejection and the held append is applied once the gap fills, so reordering by the network
// does not throw away the pipeline.
func (n *node) handleApp(m Message) {
	resp := Message{Type: MsgAppResp, To: m.From, Seq: m.Seq, Stamp: m.Stamp}
	if m.Index < n.log.committed {
		// Everything up to our commit index matches the leader; tell it where we are.
		resp.Index = n.log.committed
		n.sendAck(resp)
		return
	}
	if n.log.termUnknown && m.Index == n.log.offset {
		// Our snapshot's last entry is committed, so the leader's term there is its term.
		n.log.offsetTerm, n.log.snapTerm, n.log.termUnknown = m.LogTerm, m.LogTerm, false
	}
	if !n.log.matchTerm(m.Index, m.LogTerm) {
		if m.Index > n.log.lastIndex() {
			n.holdEarly(m)
		}
		resp.Reject, resp.Index = true, m.Index
		resp.Hint, resp.LogTerm = n.log.conflictHint(m.Index)
		n.send(resp)
		return
	}
	lastNew, ok := n.appendFrom(m)
	if !ok {
		return // malformed
	}
	// Apply held appends that now follow on.
	for progress := true; progress && len(n.early) > 0; {
		progress = false
		for i := 0; i < len(n.early); i++ {
			e := n.early[i]
			switch {
			case e.Index+uint64(len(e.Entries)) <= lastNew:
				// covered already
			case n.log.matchTerm(e.Index, e.LogTerm):
				if l, ok := n.appendFrom(e); ok && l > lastNew {
					lastNew = l
				}
				progress = true
			case e.Index <= n.log.lastIndex():
				// conflicts with what we hold now: stale
			default:
				continue
			}
			n.early = append(n.early[:i], n.early[i+1:]...)
			i--
		}
	}
	resp.Index = lastNew
	n.sendAck(resp)
}

// appendFrom merges m's entries after its matching previous entry and advances the commit
// index; it returns the last index known to match the leader.
func (n *node) appendFrom(m Message) (uint64, bool) {
	if !n.log.maybeAppend(m.Index, m.LogTerm, m.Term, m.Entries) {
		return 0, false
	}
	lastNew := m.Index + uint64(len(m.Entries))
	n.log.commitTo(min(m.Commit, lastNew))
	return lastNew, true
}

// holdEarly keeps an append that arrived ahead of a gap, dropping the oldest beyond the bound.
func (n *node) holdEarly(m Message) {
	for _, e := range n.early {
		if e.Index == m.Index && len(e.Entries) == len(m.Entries) {
			return // duplicate
		}
	}
	if len(n.early) >= 2*n.cfg.Timing.MaxInflight {
		n.early = n.early[1:]
	}
	n.early = append(n.early, m)
}

func (n *node) handleHeartbeat(m Message) {
	// The leader caps Commit by what it knows we hold, so our prefix up to it matches.
	n.log.commitTo(min(m.Commit, n.log.lastIndex()))
	if m.Last != 0 && n.log.matchTerm(m.Index, m.LogTerm) {
		n.matched(m.Index, m.From) // we hold the leader's last entry, so its whole log
	}
	n.send(Message{Type: MsgHeartbeatResp, To: m.From, Seq: m.Seq, Stamp: m.Stamp})
}

// handleSnapshot installs a leader's snapshot unless our log already covers it.
func (n *node) handleSnapshot(m Message) {
	s := m.Snap
	if s == nil {
		return
	}
	resp := Message{Type: MsgAppResp, To: m.From, Seq: m.Seq, Stamp: m.Stamp}
	switch {
	case s.Index <= n.log.committed:
		resp.Index = n.log.committed
	case n.log.matchTerm(s.Index, m.LogTerm):
		n.log.commitTo(s.Index)
		resp.Index = s.Index
	default:
		n.cfg.Logger.Info("restoring snapshot", "index", s.Index, "term", m.LogTerm, "from", m.From)
		n.log.restore(s, m.LogTerm)
		n.snapshot, n.snapDirty = s, true
		resp.Index = s.Index
	}
	n.sendAck(resp)
}
