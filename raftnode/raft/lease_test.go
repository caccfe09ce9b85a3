package raft

import (
	"github.com/quorumkit/quorumkit/nodes/consensus"

	"testing"

	"github.com/stretchr/testify/require"
)

// holder plays an adversarial network on top of a cluster: messages that match a rule are held
// back (not lost) until the test releases them, one at a time, at the moment it chooses.
type holder struct {
	c    *cluster
	held []Message
	rule func(m *Message) bool
}

func newHolder(c *cluster) *holder {
	h := &holder{c: c, rule: func(*Message) bool { return false }}
	c.filter = func(m *Message) bool {
		if h.rule(m) {
			h.held = append(h.held, *m)
			return false
		}
		return true
	}
	return h
}

// newLeaseHolder is the start of the lease schedules below: a 3-node cluster with leases on
// under a holder, in which l was elected and two heartbeat rounds passed.
func newLeaseHolder(t *testing.T, seed uint64, l string) (*cluster, *holder) {
	c := newCluster(t, 3, seed, func(cfg *config) { cfg.LeaseReads = true })
	h := newHolder(c)
	c.elect(l)
	c.run(2 * defaultHeartbeatTicks)
	return c, h
}

// release delivers the first held message that matches (now, bypassing the rule) and reports
// whether there was one.
func (h *holder) release(match func(m Message) bool) bool {
	for i, m := range h.held {
		if match(m) {
			h.held = append(h.held[:i], h.held[i+1:]...)
			h.c.record(traceLine{at: h.c.now(), msg: &m, text: "released "})
			h.c.deliver(m)
			return true
		}
	}
	return false
}

func msgIs(typ MsgType, from, to string) func(m Message) bool {
	return func(m Message) bool { return m.Type == typ && m.From == from && m.To == to }
}

// TestNoVoteWhileLeaseRestsOnUs replays, message by message, the schedule in which a follower's
// promise to the leader was broken by adopting a higher term from an answer: leader L (n0),
// candidate C (n1), follower X (n2), only delays and partitions.
//
//  1. X stops hearing L while two of X's acks to L are held; released late, they keep L in
//     office through check-quorum, though they give it no fresh lease.
//  2. X pre-campaigns; its pre-vote to C is held. C pre-campaigns, X grants, C becomes a
//     candidate in term 2; its vote request to X is held.
//  3. X hears L again and acknowledges: L's lease now rests on X. L is then cut off.
//  4. X's old pre-vote reaches C; C rejects it with term 2, and X adopts term 2 with no leader.
//     C's held vote request reaches X.
//
// Before the fix X granted that vote at once: C led term 2 while L, still in its lease, could
// answer reads with the old state (the cluster's lease check fails the test). X heard L a
// moment ago, so it must refuse any vote until an election timeout has passed since then,
// whatever term it has adopted since.
func TestNoVoteWhileLeaseRestsOnUs(t *testing.T) {
	const L, C, X = "n0", "n1", "n2"
	c, h := newLeaseHolder(t, 41, L)
	require.True(t, c.node(L).leaseValid())

	// 1. Hold X's acks to L for two heartbeat rounds, then cut L off from both followers.
	h.rule = func(m *Message) bool { return m.From == X && m.To == L && m.Type == MsgHeartbeatResp }
	c.run(2*defaultHeartbeatTicks + 1)
	require.GreaterOrEqual(t, len(h.held), 2, "two of X's acks are held")
	acks := 0
	keepLeader := func() {
		// Release one old ack whenever L would otherwise step down (check-quorum).
		l := c.node(L)
		if l.role == consensus.Leader && l.now-l.progress(X).lastHeard >= uint64(l.electionTimeout)-1 &&
			h.release(msgIs(MsgHeartbeatResp, X, L)) {
			acks++
		}
	}
	c.block(L, X)
	c.block(L, C)

	// 2. Hold X's pre-votes and C's vote requests to each other; run until C is a candidate.
	h.rule = func(m *Message) bool {
		return m.From == X && m.To == L && m.Type == MsgHeartbeatResp ||
			m.From == X && m.To == C && m.Type == MsgPreVote ||
			m.From == C && m.To == X && m.Type == MsgVote
	}
	for c.node(C).role != consensus.Candidate {
		require.Less(t, c.now(), uint64(20*defaultElectionTicks), "C never became a candidate")
		c.step()
		keepLeader()
	}
	require.Equal(t, consensus.Leader, c.node(L).role, "late acks kept L in office")
	require.Equal(t, uint64(2), c.node(C).term)
	require.False(t, c.node(L).leaseValid(), "late acks give no lease")
	require.GreaterOrEqual(t, acks, 1)

	// 3. X hears L again; its fresh ack gives L a lease. Then L is cut off from everyone.
	h.rule = func(m *Message) bool {
		return m.From == X && m.To == C && m.Type == MsgPreVote || m.From == C && m.To == X && m.Type == MsgVote
	}
	c.heal()
	c.block(L, C)
	c.block(C, L)
	for !c.node(L).leaseValid() {
		if c.node(C).role != consensus.Candidate {
			c.fatalf("C is no longer campaigning")
		}
		c.step()
	}
	c.isolate(L)

	// 4. The stale pre-vote reaches C, whose rejection carries term 2 back to X; then C's vote
	// request reaches X. Deliver what follows with no time passing, as fast as possible.
	require.True(t, h.release(msgIs(MsgPreVote, X, C)))
	c.stabilize()
	require.True(t, h.release(msgIs(MsgVote, C, X)))
	c.stabilize()
	require.NotEqual(t, consensus.Leader, c.node(C).role, "X voted for C while L's lease rested on X")
	require.True(t, c.node(L).leaseValid(), "the schedule reaches its point: L's lease still holds")

	// Once L's lease has run out, the majority elects a leader again.
	h.rule = func(*Message) bool { return false }
	require.True(t, c.runUntil(10*defaultElectionTicks, func() bool {
		l := c.leader()
		return l == C || l == X
	}), "C and X elect a leader once L's lease has expired")
}

// TestStalePreVoteGrantIsIgnored: a pre-vote grant is an answer to one campaign. X (n1), cut
// off from a healthy leader L (n0), asks C (n2), which then also misses L and grants; the grant
// is delayed. C hears L again, X campaigns anew, and then the old grant arrives. Counting it
// made X a candidate of term 2 while C and L were happy with L, and X deposed L when the cut
// healed. Now X counts only answers that echo its current campaign's stamp.
func TestStalePreVoteGrantIsIgnored(t *testing.T) {
	const L, C, X = "n0", "n2", "n1"
	c, h := newLeaseHolder(t, 42, L)

	// X is cut off from L; C stops hearing L for a while, and acks of C's held before, released
	// late, keep L in office meanwhile (check-quorum counts acks when they arrive). C's
	// pre-votes are held so that C cannot win meanwhile, and so are C's grants to X.
	h.rule = func(m *Message) bool { return m.From == C && m.To == L && m.Type == MsgHeartbeatResp }
	c.run(6*defaultHeartbeatTicks + 1)
	xPreVotes := 0
	h.rule = func(m *Message) bool {
		if m.From == X && m.To == C && m.Type == MsgPreVote {
			xPreVotes++
		}
		return m.From == C && m.To == L && m.Type == MsgHeartbeatResp ||
			m.From == C && m.To == X && m.Type == MsgPreVoteResp && !m.Reject ||
			m.From == C && m.Type == MsgPreVote
	}
	keepLeader := func() {
		l := c.node(L)
		if l.role == consensus.Leader && l.now-l.progress(C).lastHeard >= uint64(l.electionTimeout)-1 {
			h.release(msgIs(MsgHeartbeatResp, C, L))
		}
	}
	c.cut(L, X)
	c.block(L, C)
	for !hasHeld(h, MsgPreVoteResp, C, X) {
		require.Less(t, c.now(), uint64(20*defaultElectionTicks), "C never granted X a pre-vote")
		c.step()
		keepLeader()
	}
	if c.node(L).role != consensus.Leader {
		c.fatalf("L lost office: %s held=%d", c.describeNodes(), len(h.held))
	}

	// C hears L again; X starts another campaign in the same term.
	h.rule = func(m *Message) bool {
		if m.From == X && m.To == C && m.Type == MsgPreVote {
			xPreVotes++
		}
		return false
	}
	c.heal()
	c.cut(L, X)
	seen := xPreVotes
	for xPreVotes == seen {
		require.Less(t, c.now(), uint64(40*defaultElectionTicks), "X never campaigned again")
		c.step()
	}
	require.Equal(t, consensus.PreCandidate, c.node(X).role)
	require.Equal(t, L, c.node(C).Leader(), "C follows L again")

	// The old grant arrives now.
	require.True(t, h.release(msgIs(MsgPreVoteResp, C, X)))
	require.Equal(t, uint64(1), c.node(X).term, "a grant from an earlier campaign raised X's term")

	h.rule = func(*Message) bool { return false }
	c.heal()
	c.run(5 * defaultElectionTicks)
	if c.stableLeader() != L || c.node(L).term != 1 {
		c.fatalf("the healthy leader lost its place: %s", c.describeNodes())
	}
}

func hasHeld(h *holder, typ MsgType, from, to string) bool {
	for _, m := range h.held {
		if msgIs(typ, from, to)(m) {
			return true
		}
	}
	return false
}

// TestLateAcksKeepOfficeButNoLease pins down what late acks are worth. Check-quorum counts an
// ack when it arrives, however old the message it answers: a leader whose acks are merely slow
// stays in office (counting by the echoed send tick instead cost spurious elections in idle
// clusters: 29 in 1200 simulated seconds at uniform 0..200 ms latency, none this way). The
// lease counts acks by that send tick, so late acks renew no lease, and they do not stop the
// followers, which no longer hear the leader, from electing another one.
func TestLateAcksKeepOfficeButNoLease(t *testing.T) {
	const L = "n0"
	c := newCluster(t, 3, 43, func(cfg *config) { cfg.LeaseReads = true })
	h := newHolder(c)
	c.elect(L)
	l := c.node(L)
	kept, checked := false, 0
	keep := func() {
		if l.role == consensus.Leader && l.now-max(l.progress("n1").lastHeard, l.progress("n2").lastHeard) >= uint64(l.electionTimeout)-1 {
			kept = h.release(func(m Message) bool { return m.To == L }) || kept
		}
	}
	// Hold every ack for a while (releasing the oldest only to keep L in office), then cut L's
	// messages to both followers.
	h.rule = func(m *Message) bool { return m.To == L && m.Type == MsgHeartbeatResp }
	for range 2 * defaultElectionTicks {
		c.step()
		keep()
	}
	c.block(L, "n1")
	c.block(L, "n2")
	for c.leader() == L {
		require.Less(t, c.now(), uint64(20*defaultElectionTicks), "the followers never elected a leader")
		c.step()
		keep()
		if l.role == consensus.Leader && l.now > l.leaderSince+uint64(2*l.electionTimeout) {
			require.False(t, l.leaseValid(), "an old ack renewed the lease")
			_, ok := c.read(L)
			require.True(t, ok)
			require.Empty(t, l.readStates, "a lease read was served on old acks")
			checked++
		}
	}
	require.True(t, kept, "late acks kept the leader in office for a while")
	require.Positive(t, checked, "the leader was asked for lease reads while in office on late acks")
	require.NotEqual(t, L, c.leader(), "the followers elected a new leader")
}

// TestLeaseEndsBeforeTheQuorumMayVote pins down the lease's arithmetic (doc.go, steps 2 and
// 3): the lease starts at the send tick s of the newest round a quorum acknowledged, holds
// while now < s + ElectionTicks - 3, and so ends before any follower of that quorum, which
// received the round after s, may vote again. With a one-way latency of 20 ticks an ack
// arrives 40 ticks after its round left: a lease counted from the arrival, or one longer than
// the followers' wait, would still hold when they may vote.
func TestLeaseEndsBeforeTheQuorumMayVote(t *testing.T) {
	const lat = 20
	c := newCluster(t, 3, 44, func(cfg *config) { cfg.LeaseReads = true })
	c.setLatency(lat, lat)
	require.True(t, c.runUntil(3*defaultElectionTicks, func() bool { return c.stableLeader() != "" && c.allApplied(1) }))
	l := c.stableLeader()
	c.run(3 * defaultHeartbeatTicks)
	ln := c.node(l)
	require.True(t, ln.leaseValid())

	c.isolate(l) // nothing in flight arrives any more: the lease can only run out
	start := ln.quorumValue(ln.now, func(pr *progress) uint64 { return pr.ackStamp })
	for ln.leaseValid() {
		require.Less(t, ln.now, start+uint64(2*defaultElectionTicks), "the lease never ended")
		c.step()
	}
	end := ln.now
	require.LessOrEqual(t, end, start+uint64(defaultElectionTicks)-3, "the lease holds while now < s + ElectionTicks - 3")
	for _, id := range c.others(l) {
		if ln.progress(id).ackStamp < start {
			continue // not in the acknowledging quorum
		}
		f := c.node(id)
		// Delivered before the receiver ticks: its clock reads one tick less than the sender's.
		require.GreaterOrEqual(t, f.leaderHeard+1, start+lat, "%s received the round after it left", id)
		require.Less(t, end, f.leaderHeard+uint64(f.electionTimeout), "%s may vote while the lease holds", id)
	}
}
