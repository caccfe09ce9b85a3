package paxos

// The adaptive timeout rule. Every Accept carries the leader's tick (Sent)
// and every answer echoes it, so each answer is an unbiased round-trip
// sample even when messages are reordered. The leader smooths them (srtt,
// rttvar with TCP's 1/8 and 1/4 gains) and sets
//
//	timeout = clamp(srtt, ElectionTicks, 4*ElectionTicks)
//
// which it uses for check-quorum and sends on every Accept; followers adopt
// it, clamped the same way, as the base of their randomized suspicion
// timeout [timeout, 2*timeout). Each election phase (pre-vote, prepare) needs
// one round trip, and its timer is at least one smoothed round trip. A
// pre-candidate or candidate whose attempt times out doubles its timeout
// (up to the cap) before trying again, so elections still complete when
// round trips exceed the floor; hearing a leader resets it to the leader's
// value. The timeout never goes below ElectionTicks, the floor the lease
// argument uses.
//
// Why not srtt + k*rttvar, as TCP's RTO: measured in the simulation
// (TestFailoverTime), it lifts the timeout to about 400 ms at exponential
// latency of mean 100 ms and slows failover by a few hundred milliseconds,
// while the floor alone caused no spurious elections or step-downs there;
// pre-vote already makes a false suspicion cheap.

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
	n.adoptTimeout(int(ls.srtt))
}

// adoptTimeout sets the suspicion timeout, clamped to
// [ElectionTicks, maxTimeoutFactor*ElectionTicks].
func (n *Node) adoptTimeout(t int) {
	n.timeout = min(max(t, n.cfg.ElectionTicks), maxTimeoutFactor*n.cfg.ElectionTicks)
}

// resetElectionDeadline draws the next suspicion deadline from
// [timeout, 2*timeout).
func (n *Node) resetElectionDeadline() {
	n.electionDeadline = n.now + int64(n.timeout) + int64(n.cfg.Rand.IntN(n.timeout))
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
