package raft

import "fmt"

// progressState is how the leader currently replicates to one follower.
type progressState uint8

const (
	// stateProbe: the follower's match is unknown; send one append at a time and wait for the
	// answer (or a heartbeat response) before the next, backing off with the reject hints.
	stateProbe progressState = iota
	// stateReplicate: the follower is known to match; pipeline appends optimistically, at most
	// MaxInflight unacknowledged at a time.
	stateReplicate
	// stateSnapshot: a snapshot was sent; wait for its acknowledgement (or resend after an
	// election timeout of silence).
	stateSnapshot
)

func (s progressState) String() string {
	return [...]string{"probe", "replicate", "snapshot"}[s]
}

// progress is the leader's view of one follower during one term.
type progress struct {
	id    string
	match uint64 // highest index known to match the leader's log
	next  uint64 // next index to send
	state progressState
	// probeSent pauses a probing follower until it answers.
	probeSent bool
	// inflight holds the last index of each unacknowledged append (replicate state).
	inflight inflights
	// pendingSnapshot is the index of the snapshot sent in stateSnapshot; snapshotSent its tick.
	pendingSnapshot uint64
	snapshotSent    uint64
	// progressTick is the tick at which match last advanced, replication restarted, or an
	// append went out with everything sent before it acknowledged; a replicating follower
	// that does not advance for a retransmission timeout after it while entries are
	// outstanding lost one. (An empty window is not enough to restart it: freeFirst empties
	// the window without any acknowledgement.)
	progressTick uint64
	// lastHeard is the tick of the last message from this follower in this term (check-quorum).
	lastHeard uint64
	// lastSend is the tick of the last append, heartbeat or snapshot sent to it (heartbeats go
	// only to followers that heard nothing for HeartbeatTicks).
	lastSend uint64
	// ackSeq and ackStamp are the highest Seq and Stamp the follower echoed in this term.
	ackSeq   uint64
	ackStamp uint64
	// recovering is the flag of the follower's latest answer: it restarted from damaged
	// storage and has not caught up, so it counts in no quorum (quorumValue).
	recovering bool
}

func newProgress(id string, next, now uint64, maxInflight int) *progress {
	return &progress{id: id, next: next, lastHeard: now, inflight: inflights{buf: make([]uint64, maxInflight)}}
}

// maybeUpdate records that the follower matches through i; it reports whether match advanced.
func (p *progress) maybeUpdate(i, now uint64) bool {
	updated := false
	if i > p.match {
		p.match = i
		p.progressTick = now
		p.probeSent = false
		updated = true
	}
	if p.next < i+1 {
		p.next = i + 1
	}
	p.inflight.freeTo(i)
	return updated
}

func (p *progress) becomeProbe(next uint64) {
	p.state = stateProbe
	p.next = max(next, p.match+1)
	p.probeSent = false
	p.inflight.reset()
}

func (p *progress) becomeReplicate(now uint64) {
	p.state = stateReplicate
	p.progressTick = now
	p.next = p.match + 1
	p.probeSent = false
	p.inflight.reset()
}

func (p *progress) becomeSnapshot(index, now uint64) {
	p.state = stateSnapshot
	p.pendingSnapshot = index
	p.snapshotSent = now
	p.inflight.reset()
}

// paused reports whether no append may be sent to the follower now.
func (p *progress) paused() bool {
	switch p.state {
	case stateProbe:
		return p.probeSent
	case stateReplicate:
		return p.inflight.full()
	}
	return true
}

// wantsAppend reports whether an append (or snapshot) would go to the follower at the next flush.
func (p *progress) wantsAppend(lastIndex uint64) bool {
	if p.paused() {
		return false
	}
	if p.state == stateProbe {
		return p.match < lastIndex
	}
	return p.next <= lastIndex
}

func (p *progress) String() string {
	return fmt.Sprintf("%s match=%d next=%d %s inflight=%d", p.id, p.match, p.next, p.state, p.inflight.count)
}

// inflights is a bounded FIFO of the last indexes of unacknowledged appends.
type inflights struct {
	buf   []uint64
	start int
	count int
}

func (in *inflights) full() bool { return in.count == len(in.buf) }

func (in *inflights) add(last uint64) {
	if in.full() {
		panic("raft: inflight window overflow")
	}
	in.buf[(in.start+in.count)%len(in.buf)] = last
	in.count++
}

// freeTo drops every append whose last index is <= i (acknowledged, directly or implicitly).
func (in *inflights) freeTo(i uint64) {
	for in.count > 0 && in.buf[in.start] <= i {
		in.start = (in.start + 1) % len(in.buf)
		in.count--
	}
}

// freeFirst drops the oldest append, so a follower whose acks were lost gets one more message.
func (in *inflights) freeFirst() {
	if in.count > 0 {
		in.start = (in.start + 1) % len(in.buf)
		in.count--
	}
}

func (in *inflights) reset() { in.start, in.count = 0, 0 }
