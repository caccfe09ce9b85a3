package raft

// adaptTimeout adopts the shared adaptive timeout rule (consensus.Timing.Timeout: the time by
// which the answer to the next heartbeat is normally back); it is called right after a
// round-trip sample is observed, so the rule never falls back to its no-sample default.
// Samples are the echoes of every append, heartbeat and (pre-)vote this node sent. A leader
// sends its timeout with every append and heartbeat and its followers adopt it, so the whole
// cluster waits long enough that a leader whose acks are merely slow is neither deposed by
// check-quorum nor challenged by a follower. The timeout only ever moves above the floor
// ElectionTicks that the lease argument in doc.go relies on (the lease itself does not grow);
// it matters when the round trip nears the floor, where without it a new leader would step
// down before its first ack arrived.
func (n *node) adaptTimeout() {
	n.setElectionTimeout(n.cfg.Timing.Timeout(&n.rtt))
}

// setElectionTimeout clamps t to [ElectionTicks, MaxElectionTicks] and adopts it.
func (n *node) setElectionTimeout(t int) {
	t = n.cfg.Timing.Clamp(t)
	if t == n.electionTimeout {
		return
	}
	n.electionTimeout = t
	n.resetRandomizedTimeout()
}

// resetRandomizedTimeout draws when a follower campaigns: a random point in [T, 2T).
func (n *node) resetRandomizedTimeout() {
	n.randomizedTimeout = n.electionTimeout + n.rand.IntN(n.electionTimeout)
}
