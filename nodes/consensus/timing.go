package consensus

import (
	"errors"
	"fmt"
)

// Timing is the timing and flow-control settings both cores share, in ticks (one tick is one
// millisecond) or counts. The two cores take the same values and follow the same timeout rule
// (Timeout), so that what the benchmarks show between Raft and Multi-Paxos is the algorithms,
// not their settings. The zero value of each field means its default (DefaultTiming); a
// negative MaxElectionTicks turns the adaptive timeout off, and any other negative value is
// rejected, since its mechanism cannot be turned off.
type Timing struct {
	// ElectionTicks is the floor of every election timeout, and the span for which a node
	// that heard from a leader refuses to help elect another (leader stickiness in Raft, the
	// acceptor's refusal to promise in Paxos). A lease lasts LeaseTicks, less than it, from
	// the send tick of a round a quorum acknowledged: so it must exceed the round trip by a
	// margin, or leases expire before the acknowledgements that grant them arrive.
	ElectionTicks int
	// HeartbeatTicks is the longest a leader leaves a follower without a message. It must be
	// below ElectionTicks/2, so that several heartbeats in a row must be lost or late before
	// anyone suspects the leader.
	HeartbeatTicks int
	// MaxElectionTicks caps the adaptive timeout (Timeout), so that a measurement gone wild
	// cannot stall failover for long. Negative: no adaptation, every timeout is ElectionTicks.
	MaxElectionTicks int
	// MaxInflight bounds a leader's unacknowledged appends (Accepts) per follower. When the
	// window is full, new proposals wait and leave together in the next one, which is what
	// batches under load; a wider window lowers latency and raises messages per operation.
	MaxInflight int
	// MaxBatch bounds the entries in one append (Accept).
	MaxBatch int
}

// DefaultTiming is what a zero Timing means. ElectionTicks 300 exceeds the 200 ms round trip
// of Maelstrom's slowest constant latency (100 ms each way), so a lease outlives the round
// that grants it, and keeps failover well inside a client's 1 s timeout at low latency.
// HeartbeatTicks 40 gives seven heartbeats per election timeout, so several must be lost in a
// row before anyone suspects the leader. Against 50 it served reads sooner at Maelstrom's
// 100 ms latency, in both cores, for a few percent more messages per operation: Maelstrom's
// network holds a client's request behind the peer message a node's inbox is waiting on, and
// more frequent peer messages keep that wait shorter (results/timing.md). The adaptive timeout may grow to four times the floor. MaxInflight and MaxBatch trade latency against messages per
// operation under load (see MaxInflight).
var DefaultTiming = Timing{ElectionTicks: 300, HeartbeatTicks: 40, MaxElectionTicks: 1200, MaxInflight: 8, MaxBatch: 512}

// withDefaults fills the zero fields from DefaultTiming and resolves a negative
// MaxElectionTicks to ElectionTicks (no adaptation). It returns an error for settings that
// cannot work: negative values with nothing to turn off, an election floor too short to leave
// a lease, heartbeats not well inside it, or a cap below the floor.
func (t Timing) withDefaults() (Timing, error) {
	for _, f := range []struct {
		v    *int
		def  int
		name string
	}{
		{&t.ElectionTicks, DefaultTiming.ElectionTicks, "ElectionTicks"},
		{&t.HeartbeatTicks, DefaultTiming.HeartbeatTicks, "HeartbeatTicks"},
		{&t.MaxInflight, DefaultTiming.MaxInflight, "MaxInflight"},
		{&t.MaxBatch, DefaultTiming.MaxBatch, "MaxBatch"},
	} {
		if *f.v < 0 {
			return t, fmt.Errorf("consensus: %s %d is negative, and cannot be turned off", f.name, *f.v)
		}
		if *f.v == 0 {
			*f.v = f.def
		}
	}
	switch {
	case t.MaxElectionTicks == 0:
		t.MaxElectionTicks = DefaultTiming.MaxElectionTicks * t.ElectionTicks / DefaultTiming.ElectionTicks
	case t.MaxElectionTicks < 0:
		t.MaxElectionTicks = t.ElectionTicks
	}
	switch {
	case t.ElectionTicks < 10:
		return t, errors.New("consensus: ElectionTicks below 10 leaves no room for a lease")
	case 2*t.HeartbeatTicks >= t.ElectionTicks:
		return t, errors.New("consensus: HeartbeatTicks must be below ElectionTicks/2")
	case t.MaxElectionTicks < t.ElectionTicks:
		return t, errors.New("consensus: MaxElectionTicks is below ElectionTicks")
	}
	return t, nil
}

// LeaseTicks is how long a leader's lease lasts from the send tick of the round a quorum
// acknowledged: ElectionTicks less three ticks, one for the tick counters' discretization on
// each side and one to spare (each core's doc.go has the argument).
func (t Timing) LeaseTicks() int { return t.ElectionTicks - 3 }

// Timeout is the one adaptive timeout rule of both cores:
//
//	T = clamp(srtt + rttvar + HeartbeatTicks, ElectionTicks, MaxElectionTicks)
//
// the time by which the answer to the next heartbeat is normally back (ElectionTicks before
// the first sample). A leader uses it as its check-quorum window and sends it on every append
// and heartbeat; followers adopt it, and candidates wait for it. It only ever moves above the
// floor ElectionTicks, which the lease arguments rest on. It is not TCP's srtt + 4*rttvar: a
// leader hears a stream of acknowledgements, one per heartbeat, and check-quorum fails only if
// a whole window of them is late, not one, so a wider bound would only slow failover.
func (t Timing) Timeout(r *RTT) int {
	if r.samples == 0 {
		return t.ElectionTicks
	}
	return t.Clamp(int(r.srtt+r.rttvar) + 1 + t.HeartbeatTicks)
}

// Clamp bounds a timeout to [ElectionTicks, MaxElectionTicks]: a follower adopting the
// timeout a leader sent uses it, so a peer cannot push it out of range.
func (t Timing) Clamp(ticks int) int {
	return min(max(ticks, t.ElectionTicks), t.MaxElectionTicks)
}

// String states the settings in one line, for logs and the benchmark report.
func (t Timing) String() string {
	adaptive := fmt.Sprintf("adaptive up to %d ms", t.MaxElectionTicks)
	if t.MaxElectionTicks == t.ElectionTicks {
		adaptive = "not adaptive"
	}
	return fmt.Sprintf("election timeout %d ms (%s: clamp(srtt + rttvar + heartbeat)), heartbeat %d ms, "+
		"lease %d ms, %d appends in flight per follower, %d entries per append",
		t.ElectionTicks, adaptive, t.HeartbeatTicks, t.LeaseTicks(), t.MaxInflight, t.MaxBatch)
}

// RTT smooths round-trip samples, in ticks, the way TCP does (RFC 6298): the first sample x
// gives srtt = x and rttvar = x/2, later ones srtt += (x-srtt)/8 and rttvar += (|x-srtt|-rttvar)/4.
// Each core samples the echo of the send tick that every request carries, so reordered or
// late answers are samples as good as the others.
type RTT struct {
	srtt, rttvar float64
	samples      int
}

// Observe folds one round trip into the estimate.
func (r *RTT) Observe(ticks uint64) {
	x := float64(ticks)
	if r.samples == 0 {
		r.srtt, r.rttvar = x, x/2
	} else {
		d := r.srtt - x
		if d < 0 {
			d = -d
		}
		r.rttvar += (d - r.rttvar) / 4
		r.srtt += (x - r.srtt) / 8
	}
	r.samples++
}

// Known reports whether there was any sample.
func (r *RTT) Known() bool { return r.samples > 0 }

// Smoothed is srtt in ticks, rounded down: a typical round trip.
func (r *RTT) Smoothed() int { return int(r.srtt) }

// Bound is srtt + 4*rttvar in ticks, rounded up: a round trip that is rarely exceeded (TCP's
// retransmission timeout).
func (r *RTT) Bound() int { return int(r.srtt+4*r.rttvar) + 1 }
