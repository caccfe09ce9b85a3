package paxos

// The timing rules. Every Accept carries the leader's tick (Sent) and every
// answer echoes it, so each answer is an unbiased round-trip sample even when
// messages are reordered. The leader smooths them (srtt, rttvar with TCP's
// 1/8 and 1/4 gains) and sets
//
//	timeout = clamp(srtt + 4*rttvar, ElectionTicks, 4*ElectionTicks)
//
// (TCP's retransmission timeout). It plus HeartbeatTicks is the leader's
// check-quorum window, and the leader sends it on every Accept; acceptors adopt it, clamped the
// same way, as the time a pre-candidate or candidate waits for answers,
// [timeout, 1.5*timeout): what they wait for is one round trip, and waiting
// too little at high latency makes every attempt fail. Pre-votes and prepares
// carry their send tick too, and every answer, a late one included, raises
// the timeout to at least twice its round trip (observeElectionRTT); hearing
// a leader resets it to the leader's value. (A failed attempt used to double
// the timeout, as TCP backs off. But most attempts fail for want of a
// majority, not of time: after a partition of a few seconds every node waited
// up to 1.8 s between attempts, and the cluster took 0.55 s after the heal to
// elect a leader, against raft's 0.13 s.)
//
// Suspicion itself does not adapt: a follower suspects the leader after
// [ElectionTicks, 1.5*ElectionTicks) without a message from it. Heartbeats
// come every HeartbeatTicks whatever the latency, so that is several missed
// in a row, and a false suspicion costs only a failed pre-vote. Measured in
// TestFailoverTime at exponential latency of mean 100 ms, this split cut the
// failover p90 from about 1.3 s (one adaptive timeout for everything) to
// 0.9 s. No timeout ever goes below ElectionTicks, the floor the lease
// argument uses.

// observeRTT folds one round-trip sample (ticks) into the smoothed estimate.
func (n *Node) observeRTT(sample int64) {
	ls := &n.lead
	x := float64(max(sample, 0))
	if ls.srtt == 0 {
		ls.srtt, ls.rttvar = x, x/2
	} else {
		d := ls.srtt - x
		if d < 0 {
			d = -d
		}
		ls.rttvar = (3*ls.rttvar + d) / 4
		ls.srtt = (7*ls.srtt + x) / 8
	}
	n.adoptTimeout(int(ls.srtt + 4*ls.rttvar))
}

// observeElectionRTT raises a (pre-)candidate's timeout to at least twice
// the round trip of an answer to its pre-vote or prepare, so that the next
// attempt waits long enough for its answers.
func (n *Node) observeElectionRTT(m Message) {
	if n.role == Leader || m.Sent <= 0 || m.Sent > n.now {
		return
	}
	if rtt := int(n.now - m.Sent); 2*rtt > n.timeout {
		n.adoptTimeout(2 * rtt)
	}
}

// adoptTimeout sets the suspicion timeout, clamped to
// [ElectionTicks, maxTimeoutFactor*ElectionTicks].
func (n *Node) adoptTimeout(t int) {
	n.timeout = min(max(t, n.cfg.ElectionTicks), maxTimeoutFactor*n.cfg.ElectionTicks)
}

// resetElectionDeadline draws the next deadline. A follower suspects the
// leader after [ElectionTicks, 1.5*ElectionTicks) without hearing from it:
// heartbeats come every HeartbeatTicks, so that is several missed in a row,
// and a false suspicion only costs a failed pre-vote. A pre-candidate or
// candidate waits for answers for [timeout, 1.5*timeout), since what it
// waits for is a round trip.
func (n *Node) resetElectionDeadline() {
	base := n.cfg.ElectionTicks
	if n.role != Follower {
		base = n.timeout
	}
	n.electionDeadline = n.now + int64(base) + int64(n.cfg.Rand.IntN(base/2))
}

// resendTicks is how long a leader waits for an acceptor's progress before
// resending the run of slots above its match that it has not acknowledged:
// one smoothed round trip, between two heartbeats and
// maxTimeoutFactor*ElectionTicks. The clock runs from the last progress, not
// from each send, so an ordinary round trip rarely triggers it; a straggler
// (an Accept delayed far beyond the others) does, and resending it beats
// waiting, since every later slot waits for it to be chosen. Measured with
// the shared KV server's simulation at 50 ms mean latency (20 seeds):
// srtt+4*rttvar (TCP's RTO) sent 10% fewer messages per ok operation but
// completed 7% fewer operations than srtt. A partition heals faster still:
// the first answer after a silence resends at once (handleAccepted).
func (n *Node) resendTicks() int64 {
	rto := int(n.lead.srtt)
	return int64(min(max(rto, 2*n.cfg.HeartbeatTicks), maxTimeoutFactor*n.cfg.ElectionTicks))
}
