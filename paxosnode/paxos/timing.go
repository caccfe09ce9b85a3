package paxos

// The adaptive timeout rule. The leader smooths the round trips of its
// heartbeat rounds (srtt and rttvar, TCP's 1/8 and 1/4 gains) and sets
//
//	timeout = clamp(srtt + 2*rttvar, ElectionTicks, 4*ElectionTicks)
//
// which it uses for check-quorum and sends on every Accept; followers adopt
// it, clamped the same way, as the base of their randomized suspicion
// timeout [timeout, 2*timeout). It never goes below ElectionTicks, the floor
// the lease argument uses, so adapting can only make leases safer.

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
	n.adoptTimeout(int(ls.srtt + 2*ls.rttvar))
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

// resendTicks is how long a leader waits for progress before resending
// from an acceptor's match point.
func (n *Node) resendTicks() int64 {
	return int64(max(2*n.cfg.HeartbeatTicks, n.timeout/2))
}
