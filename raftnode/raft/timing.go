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

// bound is srtt + 4*rttvar in ticks: a round trip that is rarely exceeded.
func (e *rttEstimator) bound() int {
	return int(e.srtt+4*e.rttvar) + 1
}

// adaptTimeout is the election-timeout rule. The timeout is
//
//	clamp(srtt + 4*rttvar, ElectionTicks, MaxElectionTicks)
//
// measured by the leader and sent in every append and heartbeat, so the whole cluster waits
// long enough that a leader whose acks are merely slow (an exponential latency tail) is neither
// deposed by check-quorum nor challenged by a follower. It only ever moves above the floor
// ElectionTicks that the lease argument in doc.go relies on.
func (n *Node) adaptTimeout() {
	if n.rtt.samples == 0 {
		return
	}
	n.setElectionTimeout(n.rtt.bound())
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
