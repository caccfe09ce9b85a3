package raft

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/consensus/scenario"
)

// elect makes id campaign (pre-vote, then vote) and delivers everything.
func (c *cluster) elect(id string) {
	c.t.Helper()
	c.nodes[id].campaign(true)
	c.stabilize()
	require.Equal(c.t, consensus.Leader, c.nodes[id].role, "%s did not win", id)
}

// expireLeases makes every node forget it heard from a leader recently, as if an election
// timeout had passed without one (a test shortcut for "the leader is gone"). The shortcut
// breaks the timing the lease relies on, so the cluster's lease check is turned off.
func (c *cluster) expireLeases(ids ...string) {
	c.noLeaseCheck = true
	for _, id := range ids {
		c.nodes[id].electionElapsed = c.nodes[id].electionTimeout
		c.nodes[id].leaderHeard = 0
	}
}

// setLog gives n a log whose entry i+1 has term terms[i], and current term term.
func setLog(n *node, term uint64, terms ...uint64) {
	n.log = raftLog{}
	for i, t := range terms {
		n.log.entries = append(n.log.entries, consensus.Entry{Index: uint64(i + 1), Term: t, Data: []byte(fmt.Sprintf("e%d/%d", i+1, t))})
	}
	n.term = term
}

func logTerms(n *node) []uint64 {
	var out []uint64
	for i := n.log.offset + 1; i <= n.log.lastIndex(); i++ {
		out = append(out, n.log.mustTerm(i))
	}
	return out
}

// TestScenarios replays the protocol scenarios in testdata/, the same stories paxosnode/paxos
// tells in the same words (see package scenario); regenerate with -rewrite and read the diff.
func TestScenarios(t *testing.T) {
	scenario.Run(t, "testdata", scenario.Hooks[Message]{New: newScenarioNode, Describe: describe,
		Campaign: func(c consensus.Core[Message]) { c.(*node).campaign(true) }, Status: scenarioStatus})
}

// newScenarioNode builds a node as a script asks, keeping two entries below a snapshot so
// that a short script outruns them.
func newScenarioNode(o scenario.Options) consensus.Core[Message] {
	return newNode(config{Config: consensus.Config{ID: o.ID, Peers: o.Peers, LeaseReads: o.Lease, Rand: o.Rand,
		Timing: consensus.Timing{ElectionTicks: o.ElectionTicks, HeartbeatTicks: o.HeartbeatTicks}},
		CompactMargin: 2})
}

func scenarioStatus(c consensus.Core[Message]) (string, bool) {
	n := c.(*node)
	return fmt.Sprintf("%s term=%d commit=%d last=%d", n.role, n.term, n.log.committed, n.log.lastIndex()),
		n.role == consensus.Leader && n.cfg.LeaseReads && n.leaseValid()
}

func TestElectionFromTimeout(t *testing.T) {
	for _, size := range []int{1, 3, 5} {
		t.Run(fmt.Sprintf("nodes=%d", size), func(t *testing.T) {
			c := newCluster(t, size, 1, nil)
			require.True(t, c.runUntil(3*defaultElectionTicks, func() bool { return c.stableLeader() != "" }))
			l := c.stableLeader()
			require.Equal(t, uint64(1), c.node(l).term, "pre-vote: the first election is in term 1")
			require.True(t, c.runUntil(50, func() bool { return c.allApplied(1) }), "the leader's no-op commits everywhere")
			c.run(5 * defaultElectionTicks)
			require.Equal(t, l, c.stableLeader(), "a healthy leader keeps its place")
			require.Equal(t, uint64(1), c.node(l).term)
		})
	}
}

// TestBatching: proposals of one burst leave as one append per follower.
func TestBatching(t *testing.T) {
	c := newCluster(t, 3, 3, nil)
	c.elect("n0")
	l := c.node("n0")
	for i := range 20 {
		require.True(t, l.Propose([]byte(fmt.Sprint("v", i))))
	}
	rd := l.Ready()
	require.Len(t, rd.Messages, 2)
	for _, m := range rd.Messages {
		require.Equal(t, MsgApp, m.Type)
		require.Len(t, m.Entries, 20, describe(m))
	}
	// MaxBatch and MaxInflight bound it.
	c = newCluster(t, 3, 3, func(cfg *config) { cfg.Timing.MaxBatch = 3; cfg.Timing.MaxInflight = 2 })
	c.elect("n0")
	l = c.node("n0")
	for i := range 20 {
		require.True(t, l.Propose([]byte(fmt.Sprint("v", i))))
	}
	rd = l.Ready()
	require.Len(t, rd.Messages, 4, "two appends of three entries per follower")
	for _, m := range rd.Messages {
		require.Len(t, m.Entries, 3, describe(m))
	}
	c.handleReady("n0", rd)
	for _, m := range rd.Messages {
		c.enqueue(m, 0)
	}
	c.stabilize()
	require.Equal(t, uint64(21), l.log.committed)
}

// TestDuelingCandidates: two candidates in one term split the vote; a single leader follows.
func TestDuelingCandidates(t *testing.T) {
	c := newCluster(t, 3, 4, nil)
	c.cut("n0", "n2")
	c.nodes["n0"].campaign(false)
	c.nodes["n2"].campaign(false)
	c.stabilize()
	// n1 votes for whichever request came first; the other candidate loses in term 1.
	leaders := 0
	for _, id := range c.ids {
		if c.node(id).role == consensus.Leader {
			leaders++
		}
	}
	require.Equal(t, 1, leaders)
	c.heal()
	require.True(t, c.runUntil(5*defaultElectionTicks, func() bool { return c.stableLeader() != "" }))
	require.True(t, c.runUntil(100, func() bool { return c.allApplied(1) }))
}

// TestLogRepair is the paper's Figure 7: a leader of term 8 brings six followers with missing,
// extra and conflicting entries to its log.
func TestLogRepair(t *testing.T) {
	c := newCluster(t, 7, 6, func(cfg *config) { cfg.Timing.MaxBatch = 2 })
	setLog(c.node("n0"), 7, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6)
	setLog(c.node("n1"), 7, 1, 1, 1, 4, 4, 5, 5, 6, 6)          // (a)
	setLog(c.node("n2"), 7, 1, 1, 1, 4)                         // (b)
	setLog(c.node("n3"), 7, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6)    // (c)
	setLog(c.node("n4"), 7, 1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7) // (d)
	setLog(c.node("n5"), 7, 1, 1, 1, 4, 4, 4, 4)                // (e)
	setLog(c.node("n6"), 7, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3)    // (f)
	c.elect("n0")
	require.Equal(t, uint64(8), c.node("n0").term)
	want := []uint64{1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 8}
	for _, id := range c.ids {
		require.Equal(t, want, logTerms(c.node(id)), id)
	}
	require.Equal(t, uint64(11), c.node("n0").log.committed)
}

func TestConflictHintSkipsTerms(t *testing.T) {
	n := newNode(config{Config: consensus.Config{ID: "a", Peers: []string{"a", "b"}, Rand: rand.New(rand.NewPCG(1, 1))}})
	setLog(n, 3, 1, 2, 2, 2, 3, 3)
	for _, tc := range []struct{ prev, hint, term uint64 }{
		{prev: 9, hint: 7, term: 0},
		{prev: 6, hint: 5, term: 3},
		{prev: 4, hint: 2, term: 2},
		{prev: 1, hint: 1, term: 1},
	} {
		h, tm := n.log.conflictHint(tc.prev)
		require.Equal(t, []uint64{tc.hint, tc.term}, []uint64{h, tm}, "prev=%d", tc.prev)
	}
}

// TestNoCommitByCountingOldTerm is the paper's Figure 8: an entry of an older term that sits on
// a majority is not committed by counting; only an entry of the leader's term commits it.
func TestNoCommitByCountingOldTerm(t *testing.T) {
	c := newCluster(t, 5, 7, func(cfg *config) { cfg.Timing.MaxBatch = 1 })
	setLog(c.node("n0"), 3, 1, 2)
	setLog(c.node("n1"), 3, 1, 2)
	setLog(c.node("n2"), 3, 1)
	setLog(c.node("n3"), 3, 1)
	setLog(c.node("n4"), 3, 1, 3)
	// Keep every term-4 entry (the new leader's no-op) from reaching anyone.
	c.filter = func(m *Message) bool {
		if m.Type == MsgApp {
			for i, e := range m.Entries {
				if e.Term == 4 {
					m.Entries = m.Entries[:i]
					break
				}
			}
		}
		return true
	}
	c.elect("n0")
	require.Equal(t, uint64(4), c.node("n0").term)
	require.Equal(t, []uint64{1, 2}, logTerms(c.node("n2")), "index 2 (term 2) reached n2")
	require.Equal(t, uint64(0), c.node("n0").log.committed, "term-2 entry on 3 of 5 is not committed by counting")
	c.filter = nil
	require.True(t, c.runUntil(500, func() bool { return c.node("n0").log.committed == 3 }),
		"the no-op of term 4 commits itself and index 2 with it")
}

// TestLeaderStickiness: a follower that hears from the leader ignores a vote request of a
// higher term, neither voting nor adopting the term.
func TestLeaderStickiness(t *testing.T) {
	c := newCluster(t, 3, 9, nil)
	c.elect("n0")
	c.nodes["n1"].Step(Message{Type: MsgVote, From: "n2", To: "n1", Term: 5, Index: 100, LogTerm: 5})
	require.Equal(t, uint64(1), c.node("n1").term)
	require.Empty(t, c.node("n1").msgs)
	c.expireLeases("n1")
	c.nodes["n1"].Step(Message{Type: MsgVote, From: "n2", To: "n1", Term: 5, Index: 100, LogTerm: 5})
	require.Equal(t, uint64(5), c.node("n1").term)
	require.Len(t, c.node("n1").msgs, 1)
	require.False(t, c.node("n1").msgs[0].Reject, describe(c.node("n1").msgs[0]))
}

// TestVoteNeedsAnUpToDateLog is the election restriction (paper §5.4.1): a node grants its
// vote, and its pre-vote, only to a candidate whose log is at least as up to date as its own
// (a later last term, or the same last term and at least as long). A candidate that misses a
// committed entry therefore cannot collect a quorum, so every leader holds every committed
// entry.
func TestVoteNeedsAnUpToDateLog(t *testing.T) {
	for _, tc := range []struct {
		name           string
		index, logTerm uint64
		grant          bool
	}{
		{"shorter log of the same last term", 2, 2, false},
		{"longer log of an older last term", 5, 1, false},
		{"the same log", 3, 2, true},
		{"longer log of the same last term", 4, 2, true},
		{"shorter log of a later last term", 1, 3, true},
	} {
		for _, typ := range []MsgType{MsgPreVote, MsgVote} {
			t.Run(fmt.Sprintf("%s/%s", typ, tc.name), func(t *testing.T) {
				n := newNode(config{Config: consensus.Config{ID: "n0", Peers: []string{"n0", "n1", "n2"}, Rand: rand.New(rand.NewPCG(1, 1))}})
				setLog(n, 2, 1, 2, 2) // heard no leader: free to vote, log up to date only
				n.Step(Message{Type: typ, From: "n1", To: "n0", Term: 3, Index: tc.index, LogTerm: tc.logTerm, Stamp: 7})
				rd := n.Ready()
				require.Len(t, rd.Messages, 1)
				require.Equal(t, !tc.grant, rd.Messages[0].Reject, describe(rd.Messages[0]))
			})
		}
	}
}

// TestReadWaitsForOwnTermCommit: a new leader holds reads until its no-op commits.
func TestReadWaitsForOwnTermCommit(t *testing.T) {
	c := newCluster(t, 3, 12, func(cfg *config) { cfg.LeaseReads = true })
	c.elect("n0")
	c.isolate("n0")
	c.expireLeases("n1", "n2")
	// n1 will lead but cannot commit its no-op: appends are lost, heartbeats pass.
	c.filter = func(m *Message) bool { return m.Type != MsgApp }
	c.elect("n1")
	_, ok := c.read("n1")
	require.True(t, ok)
	c.stabilize()
	require.Len(t, c.reads, 1, "no read before the no-op commits")
	c.filter = nil
	c.run(2 * defaultHeartbeatTicks)
	require.Empty(t, c.reads)
	require.Equal(t, 1, c.readsDone)
}

// TestLostAppendIsRepaired: a replicating follower whose append is lost gets it again.
func TestLostAppendIsRepaired(t *testing.T) {
	c := newCluster(t, 3, 15, nil)
	c.elect("n0")
	drop := true
	c.filter = func(m *Message) bool {
		if drop && m.Type == MsgApp && m.To == "n1" && len(m.Entries) > 0 {
			drop = false
			return false
		}
		return true
	}
	require.True(t, c.node("n0").Propose([]byte("x")))
	require.True(t, c.runUntil(10*defaultHeartbeatTicks, func() bool { return c.allApplied(2) }))
}

func TestJunkIsIgnored(t *testing.T) {
	c := newCluster(t, 3, 16, nil)
	c.elect("n0")
	for _, m := range []Message{
		{Type: MsgApp, From: "zz", To: "n1", Term: 9},
		{Type: MsgApp, From: "n0", To: "n0", Term: 9},
		{Type: 0, From: "n0", To: "n1", Term: 9},
		{Type: 99, From: "n0", To: "n1", Term: 9},
		{Type: MsgApp, From: "n0", To: "n1", Term: 1, Index: 1, LogTerm: 1, Entries: []consensus.Entry{{Index: 7, Term: 1}}},
		{Type: MsgApp, From: "n0", To: "n1", Term: 1, Index: 1, LogTerm: 1, Entries: []consensus.Entry{{Index: 2, Term: 0}}},
		{Type: MsgSnap, From: "n0", To: "n1", Term: 1},
		{Type: MsgAppResp, From: "n1", To: "n0", Term: 1, Index: 1 << 40},
		{Type: MsgHeartbeatResp, From: "n1", To: "n0", Term: 1, Seq: 1 << 40, Stamp: 1 << 40},
	} {
		require.NotPanics(t, func() { c.nodes[m.To].Step(m) }, describe(m))
	}
	c.stabilize()
	require.Equal(t, "n0", c.stableLeader())
}

func TestDescribe(t *testing.T) {
	for _, tc := range []struct {
		m    Message
		want string
	}{
		{Message{Type: MsgApp, From: "n0", To: "n1", Term: 3, Index: 5, LogTerm: 2,
			Entries: []consensus.Entry{{Index: 6, Term: 3}, {Index: 7, Term: 3}}, Commit: 5, Seq: 4},
			"n0->n1 App t=3 prev=5/2 ents=6..7 c=5 s=4"},
		{Message{Type: MsgAppResp, From: "n1", To: "n0", Term: 3, Reject: true, Index: 5, Hint: 4, LogTerm: 2},
			"n1->n0 AppResp t=3 reject=5 hint=4/2"},
		{Message{Type: MsgPreVote, From: "n1", To: "n0", Term: 4, Index: 9, LogTerm: 3},
			"n1->n0 PreVote t=4 last=9/3"},
		{Message{Type: MsgVoteResp, From: "n1", To: "n0", Term: 4}, "n1->n0 VoteResp t=4 grant"},
		{Message{Type: MsgSnap, From: "n0", To: "n2", Term: 2, LogTerm: 2, Snap: &consensus.Snapshot{Index: 40}},
			"n0->n2 Snap t=2 snap=40/2"},
	} {
		require.Equal(t, tc.want, describe(tc.m))
	}
}

// takeMsgs runs Ready on id and returns its messages to "to" (the others are queued as usual).
func (c *cluster) takeMsgs(id, to string) []Message {
	rd := c.node(id).Ready()
	c.handleReady(id, rd)
	var out []Message
	for _, m := range rd.Messages {
		if m.To == to {
			out = append(out, m)
		} else {
			c.enqueue(m, 0)
		}
	}
	return out
}

// TestReorderedAppendsAreHeld: an append that overtakes an earlier one is held by the follower
// and applied when the gap fills; the leader keeps pipelining instead of probing again.
func TestReorderedAppendsAreHeld(t *testing.T) {
	c := newCluster(t, 3, 17, nil)
	c.elect("n0")
	l := c.node("n0")
	require.True(t, l.Propose([]byte("x")))
	first := c.takeMsgs("n0", "n1")
	require.True(t, l.Propose([]byte("y")))
	second := c.takeMsgs("n0", "n1")
	require.Len(t, first, 1)
	require.Len(t, second, 1)
	c.nodes["n1"].Step(second[0])
	c.nodes["n1"].Step(first[0])
	require.Equal(t, uint64(3), c.node("n1").log.lastIndex())
	for _, m := range c.takeMsgs("n1", "n0") {
		l.Step(m)
	}
	pr := l.progress("n1")
	require.Equal(t, stateReplicate, pr.state, pr.String())
	require.Equal(t, uint64(3), pr.match)
}

// TestIdleFollowerIsNotProbedEarly: after a long idle spell, a heartbeat answer that arrives
// before the answer to a new append does not make the leader think the append was lost.
func TestIdleFollowerIsNotProbedEarly(t *testing.T) {
	c := newCluster(t, 3, 18, nil)
	c.elect("n0")
	c.run(20 * defaultHeartbeatTicks)
	l := c.node("n0")
	require.True(t, l.Propose([]byte("x")))
	apps := c.takeMsgs("n0", "n1")
	require.Len(t, apps, 1)
	l.Step(Message{Type: MsgHeartbeatResp, From: "n1", To: "n0", Term: l.term, Seq: l.seq, Stamp: c.now()})
	require.Equal(t, stateReplicate, l.progress("n1").state)
}

// TestLeaseUnderOneWayPartition: a follower that stops hearing the leader cannot win an
// election while the other follower still hears it, so the leader's lease stays sound (the
// cluster checks "no newer leader during a valid lease" on every step).
func TestLeaseUnderOneWayPartition(t *testing.T) {
	c := newCluster(t, 3, 19, func(cfg *config) { cfg.LeaseReads = true })
	c.setLatency(2, 8)
	require.True(t, c.runUntil(3*defaultElectionTicks, func() bool { return c.stableLeader() != "" && c.allApplied(1) }))
	l := c.stableLeader()
	deaf := c.others(l)[1]
	c.block(l, deaf)
	for range 10 * defaultElectionTicks {
		c.step()
		if c.now()%7 == 0 {
			c.read(l)
		}
	}
	require.Equal(t, l, c.leader(), "the leader keeps its place: %s never wins a vote", deaf)
	require.Equal(t, uint64(1), c.node(deaf).term, "pre-vote keeps the deaf node's term")
}

var junkSeeds = 20

// TestRandomJunkNeverPanics feeds random messages (random types, terms, indexes, entries and
// snapshots from real peer ids) into a running cluster. Junk from a real peer may well confuse
// the protocol; the test only asserts that the node never panics on peer input.
func TestRandomJunkNeverPanics(t *testing.T) {
	for seed := range uint64(junkSeeds) {
		c := newCluster(t, 3, seed, func(cfg *config) { cfg.CompactMargin = 2 })
		c.noLeaseCheck = true
		c.compactEvery = 5
		r := rand.New(rand.NewPCG(seed, 99))
		small := func() uint64 { return r.Uint64N(12) }
		require.NotPanics(t, func() {
			for i := range 3000 {
				if i%3 == 0 {
					c.step()
				}
				if l := c.leader(); l != "" && r.IntN(4) == 0 {
					c.node(l).Propose([]byte("p"))
				}
				to, from := c.ids[r.IntN(3)], c.ids[r.IntN(3)]
				m := Message{Type: MsgType(r.IntN(11)), From: from, To: to, Term: small(),
					LogTerm: small(), Index: small(), Commit: small(), Reject: r.IntN(2) == 0,
					Hint: small(), Seq: small(), Stamp: c.now() - small(), Timeout: small() * 100}
				for j := range r.IntN(3) {
					m.Entries = append(m.Entries, consensus.Entry{Index: m.Index + 1 + uint64(j), Term: small()})
				}
				if r.IntN(5) == 0 {
					m.Snap = &consensus.Snapshot{Index: small(), Data: encodeSnap(0, 0)}
				}
				c.nodes[to].Step(m)
				c.nodes[to].Ready()
			}
		}, "seed %d", seed)
	}
}

// TestQuietClusterHasNothingReady: between heartbeats a settled cluster has no work, so the
// server's loop does not spin.
func TestQuietClusterHasNothingReady(t *testing.T) {
	c := newCluster(t, 3, 24, nil)
	c.elect("n0")
	require.True(t, c.node("n0").Propose([]byte("x")))
	c.stabilize()
	for _, id := range c.ids {
		require.False(t, c.node(id).HasReady(), id)
	}
	for range defaultHeartbeatTicks - 1 {
		c.node("n0").Tick()
	}
	require.False(t, c.node("n0").HasReady())
	c.node("n0").Tick()
	require.True(t, c.node("n0").HasReady(), "the heartbeat round is due")
}

func TestCompact(t *testing.T) {
	c := newCluster(t, 1, 25, func(cfg *config) { cfg.CompactMargin = 3 })
	c.elect("n0")
	n := c.node("n0")
	for i := range 20 {
		require.True(t, n.Propose([]byte(fmt.Sprint(i))))
	}
	c.stabilize() // 21 entries delivered
	require.Panics(t, func() { n.Compact(22, nil) }, "beyond what was delivered is a server bug")
	for _, tc := range []struct {
		index      uint64
		wantFirst  uint64
		wantSnapAt uint64
	}{
		{index: 2, wantFirst: 1, wantSnapAt: 2},    // within the margin: nothing dropped yet
		{index: 10, wantFirst: 8, wantSnapAt: 10},  // keeps 3 entries below the snapshot
		{index: 5, wantFirst: 8, wantSnapAt: 10},   // older than the snapshot: ignored
		{index: 21, wantFirst: 19, wantSnapAt: 21}, // everything applied
	} {
		n.Compact(tc.index, encodeSnap(tc.index, c.chain[tc.index]))
		require.Equal(t, tc.wantFirst, n.log.offset+1, "Compact(%d)", tc.index)
		require.Equal(t, tc.wantSnapAt, n.log.snap.Index, "Compact(%d)", tc.index)
	}
	require.True(t, n.Propose([]byte("after")))
	c.stabilize()
	require.Equal(t, uint64(22), c.sms["n0"].applied)
}

// TestCommittedIsBoundedPerReady: a follower catching up a long log gets it over several Ready
// calls, consecutive and exactly once.
func TestCommittedIsBoundedPerReady(t *testing.T) {
	c := newCluster(t, 3, 26, func(cfg *config) { cfg.Timing.MaxBatch = 20000; cfg.MaxUncommitted = 20000 })
	c.elect("n0")
	c.isolate("n2")
	for i := range maxCommittedPerReady + 100 {
		require.True(t, c.node("n0").Propose([]byte(fmt.Sprint(i))))
	}
	c.stabilize()
	c.heal()
	require.True(t, c.runUntil(3*defaultHeartbeatTicks, func() bool { return c.allApplied(c.node("n0").log.committed) }))
	require.Equal(t, maxCommittedPerReady, c.maxCommitted, "every Ready.Committed was capped, the rest came in later ones")
}

// TestSimultaneousPreCandidates: two followers whose timers fire together (constant latency
// starts them together) do not split the vote: the lower id wins the pre-vote tie.
func TestSimultaneousPreCandidates(t *testing.T) {
	c := newCluster(t, 3, 27, nil)
	c.elect("n0")
	c.isolate("n0")
	c.expireLeases("n1", "n2")
	c.node("n2").campaign(true)
	c.node("n1").campaign(true)
	c.stabilize()
	require.Equal(t, consensus.Leader, c.node("n1").role)
	require.Equal(t, uint64(2), c.node("n1").term, "one election, no split vote")
	require.Equal(t, "n1", c.node("n2").Leader())
}

// TestHeartbeatsOnlyWhenIdle: while appends flow, they alone keep the followers and the
// lease; heartbeats go out only to a follower that heard nothing for HeartbeatTicks.
func TestHeartbeatsOnlyWhenIdle(t *testing.T) {
	c := newCluster(t, 3, 5, nil)
	c.net.Faults.Latency = constantLatency(2)
	require.True(t, c.runUntil(3000, func() bool { return c.stableLeader() != "" }))
	l := c.leader()
	term := c.node(l).term
	count := map[MsgType]int{}
	c.filter = func(m *Message) bool {
		count[m.Type]++
		return true
	}
	for range 100 { // a proposal every 10 ticks for 1000 ticks
		require.True(t, c.node(l).Propose([]byte("x")))
		c.run(10)
		require.True(t, c.node(l).leaseValid(), "appends renew the lease")
	}
	require.Zero(t, count[MsgHeartbeat], "no heartbeat while appends flow")
	require.GreaterOrEqual(t, count[MsgApp], 2*100)

	clear(count)
	c.run(1000) // idle: a heartbeat per follower per HeartbeatTicks
	perFollower := 1000 / defaultHeartbeatTicks
	require.InDelta(t, 2*perFollower, count[MsgHeartbeat], 4)
	require.Equal(t, l, c.leader())
	require.Equal(t, term, c.node(l).term, "no election all along")
}
