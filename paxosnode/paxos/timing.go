package paxos

import "github.com/quorumkit/quorumkit/nodes/consensus"

// The timing rules. Every Accept, pre-vote and prepare carries its sender's tick (Sent) and
// every answer echoes it, so each answer is an unbiased round-trip sample even when messages
// are reordered. The leader smooths the answers to its Accepts (consensus.RTT) and follows the
// timeout rule both cores share (consensus.Timing.Timeout): timeout = clamp(srtt + rttvar +
// HeartbeatTicks, ElectionTicks, MaxElectionTicks), the time by which the answer to the next
// heartbeat is normally back. It plus HeartbeatTicks is the leader's check-quorum window, and
// the leader sends it on every Accept; acceptors adopt it, clamped the same way, as the time a
// pre-candidate or candidate waits for answers, [timeout, 1.5*timeout): what they wait for is
// a round trip, and waiting too little at high latency makes every attempt fail. Pre-votes and
// prepares carry their send tick too, and every answer, a late one included, raises the
// timeout to at least twice its round trip (observeElectionRTT); hearing a leader resets it to
// the leader's value. (Those answers are not folded into the estimate, as Raft's vote answers
// are: in the swarm, elections behind strongly asymmetric links then stalled. A failed attempt
// does not double the timeout, as TCP backs off: most attempts fail for want of a majority,
// not of time, and after a partition every node then waited far longer between attempts than
// the round trip called for.)
//
// Suspicion itself does not adapt: a follower suspects the leader after
// [ElectionTicks, 1.5*ElectionTicks) without a message from it. Heartbeats come every
// HeartbeatTicks whatever the latency, so that is several missed in a row, and a false
// suspicion costs only a failed pre-vote; one adaptive timeout for everything made failover
// slower at high latency (TestFailoverTime). No timeout ever goes below ElectionTicks, the
// floor the lease argument uses.

// observeRTT folds one round-trip sample (ticks) into the estimate and adopts the timeout
// the shared rule gives.
func (n *node) observeRTT(sample int64) {
	n.rtt.Observe(uint64(max(sample, 0)))
	n.timeout = n.cfg.Timing.Timeout(&n.rtt)
}

// observeElectionRTT raises a (pre-)candidate's timeout to at least twice the round trip of
// an answer to its pre-vote or prepare, so that the next attempt waits long enough for its
// answers.
func (n *node) observeElectionRTT(m Message) {
	if n.role == consensus.Leader || m.Sent <= 0 || m.Sent > n.now {
		return
	}
	if rtt := int(n.now - m.Sent); 2*rtt > n.timeout {
		n.adoptTimeout(2 * rtt)
	}
}

// adoptTimeout sets the timeout a leader sent, clamped to [ElectionTicks, MaxElectionTicks].
func (n *node) adoptTimeout(t int) {
	n.timeout = n.cfg.Timing.Clamp(t)
}

// resetElectionDeadline draws the next deadline. A follower suspects the
// leader after [ElectionTicks, 1.5*ElectionTicks) without hearing from it:
// heartbeats come every HeartbeatTicks, so that is several missed in a row,
// and a false suspicion only costs a failed pre-vote. A pre-candidate or
// candidate waits for answers for [timeout, 1.5*timeout), since what it
// waits for is a round trip.
func (n *node) resetElectionDeadline() {
	base := n.cfg.Timing.ElectionTicks
	if n.role != consensus.Follower {
		base = n.timeout
	}
	n.electionDeadline = n.now + int64(base) + int64(n.cfg.Rand.IntN(base/2))
}

// resendTicks is how long a leader waits for an acceptor's progress before
// resending the run of slots above its match that it has not acknowledged:
// one smoothed round trip, between two heartbeats and MaxElectionTicks. The
// clock runs from the last progress, not from each send, so an ordinary round
// trip rarely triggers it; a straggler (an Accept delayed far beyond the
// others) does, and resending it beats waiting, since every later slot waits
// for it to be chosen. (TCP's srtt + 4*rttvar, as Raft's go-back probe uses,
// sent fewer messages per ok operation here but completed fewer operations.)
// A partition heals faster still: the first answer after a silence resends at
// once (handleAccepted).
func (n *node) resendTicks() int64 {
	return int64(min(max(n.rtt.Smoothed(), 2*n.cfg.Timing.HeartbeatTicks), n.cfg.Timing.MaxElectionTicks))
}
