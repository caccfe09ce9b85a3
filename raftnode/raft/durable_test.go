package raft

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// TestStableEncodingRoundTrip: the hard state and each kind of record read back as written,
// a no-op stays apart from an empty command, and truncated or foreign bytes are errors.
func TestStableEncodingRoundTrip(t *testing.T) {
	for _, h := range []hardState{{}, {term: 7, vote: "n2", snapIndex: 40, snapTerm: 6}, {term: 1 << 60, recovering: true}} {
		got, err := decodeHardState(h.encode())
		require.NoError(t, err)
		require.Equal(t, h, got)
		b := h.encode()
		for cut := range len(b) {
			_, err := decodeHardState(b[:cut])
			require.Error(t, err, "hard state cut at %d of %d bytes", cut, len(b))
		}
		_, err = decodeHardState(append(b, 0))
		require.Error(t, err, "a byte too many")
	}
	_, err := decodeHardState([]byte{2, 1, 0, 0, 0, 0})
	require.ErrorContains(t, err, "version")

	for _, e := range []consensus.Entry{{Index: 3, Term: 2}, {Index: 4, Term: 2, Data: []byte{}}, {Index: 5, Term: 9, Data: []byte("put x 1")}} {
		got, ok, err := decodeRecord(consensus.Record{Index: e.Index, Data: appendRecord(nil, e)})
		require.NoError(t, err)
		require.True(t, ok)
		require.Equal(t, e, got)
		require.Equal(t, e.Data == nil, got.Data == nil, "no-op and empty command stay apart")
	}
	_, ok, err := decodeRecord(consensus.Record{Index: 8, Data: []byte{recCut}})
	require.NoError(t, err)
	require.False(t, ok, "a cut holds no entry")
	for _, junk := range [][]byte{nil, {9}, {recNoop}, {recNoop, 1, 0}, {recCut, 0}, {recEntry, 0x80}} {
		_, _, err := decodeRecord(consensus.Record{Index: 1, Data: junk})
		require.Error(t, err, "%v", junk)
	}
}

// TestRestartKeepsWhatWasSaved: every node of a cluster that committed, compacted and changed
// leaders crashes at once and restarts from its disk with the term, vote and log it had; the
// state machine starts from its snapshot and gets exactly the entries after it; the cluster
// elects and commits again, losing nothing.
func TestRestartKeepsWhatWasSaved(t *testing.T) {
	c := newLaggingCluster(t, 60, 7, 30, 5, func(cfg *config) { cfg.CompactMargin = 2 })
	before := map[string][3]uint64{}
	for _, id := range c.ids {
		n := c.node(id)
		before[id] = [3]uint64{n.term, n.log.lastIndex(), n.log.lastTerm()}
		require.NotNil(t, c.disks[id].Snap, "%s saved a snapshot", id)
	}
	committed := c.maxCommit()
	for _, id := range c.ids {
		c.crash(id, crashPlan{down: 1}) // checks term, vote and log against the disk
		n := c.node(id)
		require.Equal(t, before[id], [3]uint64{n.term, n.log.lastIndex(), n.log.lastTerm()}, id)
		require.Equal(t, c.disks[id].Snap.Index, n.log.committed, "%s starts committed at its snapshot", id)
		require.Less(t, n.log.lastIndex()-n.log.offset, uint64(40), "%s replays only what follows its snapshot", id)
	}
	c.heal()
	require.True(t, c.runUntil(20*defaultElectionTicks, func() bool { return c.stableLeader() != "" }))
	l := c.stableLeader()
	require.NotEqual(t, "n2", l, "n2 lacks committed entries")
	require.True(t, c.node(l).Propose([]byte("after")))
	require.True(t, c.runUntil(10*defaultElectionTicks, func() bool { return c.allApplied(committed + 2) }))
	for _, id := range c.ids {
		require.Contains(t, c.sms[id].datas, "after", id)
		require.Equal(t, c.chain[committed+2], c.sms[id].hash, "%s holds the cluster's state", id)
	}
}

// newLaggingCluster is three nodes with disks, compacting every compactEvery entries, led by
// n0, which committed its no-op and shared entries a0, a1, ... everywhere and then missed
// entries b0, b1, ... with n1 only, n2 being cut off from both.
func newLaggingCluster(t *testing.T, seed, compactEvery uint64, shared, missed int, tweak func(*config)) *cluster {
	c := newCluster(t, 3, seed, tweak)
	c.withDisks(false)
	c.compactEvery = compactEvery
	c.elect("n0")
	c.proposeOneByOne("n0", "a", shared)
	c.isolate("n2")
	c.proposeOneByOne("n0", "b", missed)
	return c
}

// proposeOneByOne has leader id propose k commands named prefix0, prefix1, ..., each
// delivered everywhere it can go before the next.
func (c *cluster) proposeOneByOne(id, prefix string, k int) {
	for i := range k {
		require.True(c.t, c.node(id).Propose([]byte(fmt.Sprint(prefix, i))))
		c.stabilize()
	}
}

// TestVoteSurvivesARestart: a node that granted its vote in a term, crashed and restarted
// must refuse a second candidate of that term, even once its quiet period is over: two votes
// in one term can elect two leaders.
func TestVoteSurvivesARestart(t *testing.T) {
	c := newCluster(t, 3, 61, nil)
	c.withDisks(false)
	voter := c.node("n2")
	voter.Step(Message{Type: MsgVote, From: "n0", To: "n2", Term: 5, Stamp: 1})
	rd := voter.Ready()
	c.save("n2", rd)
	require.Len(t, rd.Messages, 1)
	require.False(t, rd.Messages[0].Reject, "n2 votes for n0 in term 5")

	c.crash("n2", crashPlan{down: 1})
	voter = c.node("n2")
	require.Equal(t, "n0", voter.vote)
	for range defaultElectionTicks {
		voter.Tick()
	}
	require.False(t, voter.inLease(), "the quiet period is over")
	voter.Step(Message{Type: MsgVote, From: "n1", To: "n2", Term: 5, Stamp: 2})
	rd = voter.Ready()
	require.Len(t, rd.Messages, 1)
	require.True(t, rd.Messages[0].Reject, "a second vote in term 5: %s", describe(rd.Messages[0]))
}

// TestRestartQuietPeriod: a leader's lease rests on a follower's promise not to vote for an
// election timeout after it last heard the leader; a follower that crashed has forgotten when
// that was. Leader n0's lease rests on n1 (n2 is cut off from n0); n1 crashes and restarts at
// once, and n2 campaigns. Without the quiet period n1 granted at once: n2 led term 2 and
// committed a write while n0, in its lease, still answered reads without it.
func TestRestartQuietPeriod(t *testing.T) {
	c := newCluster(t, 3, 62, func(cfg *config) { cfg.LeaseReads = true })
	c.withDisks(false)
	c.noLeaseCheck = true // the read below is the check: the cluster's would stop the test first
	c.elect("n0")
	c.cut("n0", "n2")
	c.run(2 * defaultElectionTicks)
	require.Equal(t, consensus.Leader, c.node("n0").role)
	require.True(t, c.node("n0").leaseValid(), "n0's lease rests on n1")
	require.False(t, c.node("n2").inLease(), "n2 has not heard n0 for a while")

	c.crash("n1", crashPlan{down: 1})
	c.block("n0", "n1") // n1 does not hear n0 again before n2 asks
	c.step()
	require.True(t, c.node("n0").leaseValid())
	c.node("n2").campaign(true)
	c.stabilize()
	if c.node("n2").role == consensus.Leader {
		require.True(t, c.node("n2").Propose([]byte("new")))
		c.stabilize()
	}
	require.True(t, c.node("n0").leaseValid(), "the schedule reaches its point: n0's lease holds")
	_, ok := c.read("n0") // the cluster checks the answer covers every commit made before
	require.True(t, ok)
	c.stabilize()
	require.NotEqual(t, consensus.Leader, c.node("n2").role, "n1 voted while n0's lease rested on its promise")

	c.heal()
	require.True(t, c.runUntil(10*defaultElectionTicks, func() bool { return c.stableLeader() != "" }), "the cluster recovers")
}

// TestTruncatedTailStaysCut: a follower whose conflicting tail a new leader cut off, and
// whose snapshot then covers its whole log, must not find the old tail again after a restart,
// although the storage drops the record that cut it (it lies under the snapshot). Its log held
// 8..11 of term 5; the leader of term 7 replaced them with 8..9 of term 4, both committed.
func TestTruncatedTailStaysCut(t *testing.T) {
	c := newCluster(t, 3, 63, nil)
	c.withDisks(false)
	f := c.node("n1")
	ents := func(term uint64, from, to uint64) []consensus.Entry {
		var out []consensus.Entry
		for i := from; i <= to; i++ {
			out = append(out, consensus.Entry{Index: i, Term: term, Data: []byte(fmt.Sprintf("%d/%d", i, term))})
		}
		return out
	}
	ready := func() {
		for f.HasReady() {
			rd := f.Ready()
			c.save("n1", rd)
			c.handleReady("n1", rd)
		}
	}
	f.Step(Message{Type: MsgApp, From: "n0", To: "n1", Term: 5, Index: 0, Entries: append(ents(4, 1, 7), ents(5, 8, 11)...), Commit: 7})
	ready()
	f.Step(Message{Type: MsgApp, From: "n2", To: "n1", Term: 7, Index: 7, LogTerm: 4, Entries: ents(4, 8, 9), Commit: 9})
	ready()
	require.Equal(t, uint64(9), f.log.lastIndex())
	f.Compact(9, encodeSnap(9, c.chain[9]))
	ready()

	c.crash("n1", crashPlan{down: 1})
	f = c.node("n1")
	require.Equal(t, uint64(9), f.log.lastIndex(), "the replaced tail came back")
	require.False(t, f.recovering)
}

// TestDamagedNodeStaysOutUntilCaughtUp: n1 restarts from storage that lost a record, so it
// may lack entries it acknowledged: here 4 and 5, committed by n0 and n1 while n2 was cut off.
// It keeps its snapshot at 3, as long a log as n2's. While it recovers, (1) with n0 down it
// neither campaigns (its own vote would count) nor votes, so no leader without 4 and 5 can be
// elected, and a restart does not end its recovery; (2) n0, back, counts none of its answers;
// (3) once n0 has brought n1's log up to its own, n1 counts and votes again.
func TestDamagedNodeStaysOutUntilCaughtUp(t *testing.T) {
	c := newLaggingCluster(t, 64, 3, 2, 2, nil)
	require.Equal(t, uint64(5), c.node("n0").log.committed)
	require.Equal(t, uint64(3), c.node("n2").log.lastIndex())

	// (1) n1 restarts damaged and n0 goes down for a while.
	c.crash("n1", crashPlan{down: 1, damage: true})
	require.True(t, c.node("n1").recovering)
	require.Equal(t, uint64(3), c.node("n1").log.lastIndex(), "n1 keeps only its snapshot")
	c.crash("n0", crashPlan{down: uint64(20 * defaultElectionTicks)})
	c.heal()
	c.run(3 * defaultElectionTicks)
	c.crash("n1", crashPlan{down: 1})
	require.True(t, c.node("n1").recovering, "a restart does not end the recovery")
	c.run(3 * defaultElectionTicks)
	require.Equal(t, "", c.leader(), "a leader without the committed entries")

	// (2) n0 is back and leads; as long as it does not tell n1 how far to catch up, n1's
	// answers stay flagged and commit nothing.
	hideLast := true
	c.filter = func(m *Message) bool {
		if hideLast {
			m.Last = 0
		}
		return true
	}
	c.restartAll()
	require.True(t, c.runUntil(10*defaultElectionTicks, func() bool { return c.leader() == "n0" }))
	c.isolate("n2")
	require.True(t, c.node("n0").Propose([]byte("w")))
	c.run(3 * defaultHeartbeatTicks)
	require.Equal(t, c.node("n0").log.lastIndex(), c.node("n1").log.lastIndex(), "n1 holds everything")
	require.Less(t, c.node("n0").log.committed, c.node("n0").log.lastIndex(), "n1's answers commit nothing")

	// (3) Told how far, n1 catches up, and counts again.
	hideLast = false
	require.True(t, c.runUntil(3*defaultHeartbeatTicks, func() bool { return !c.node("n1").recovering }))
	require.Equal(t, 1, c.disks["n1"].Repaired, "the storage is told once, so that it stops reporting the damage")
	require.True(t, c.runUntil(3*defaultHeartbeatTicks, func() bool { return c.node("n0").log.committed == c.node("n0").log.lastIndex() }), "n0 and n1 commit")
	c.crash("n1", crashPlan{down: 1})
	require.False(t, c.node("n1").recovering, "caught up for good")
}

// TestRecoverFromJunkNeverPanics: whatever a storage hands back, the node starts, and if the
// bytes do not make sense it recovers instead of trusting them.
func TestRecoverFromJunkNeverPanics(t *testing.T) {
	r := rand.New(rand.NewPCG(65, 1))
	junk := func() []byte {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = byte(r.IntN(4)) // small bytes: valid kinds and varints are likely
		}
		return b
	}
	for i := range 2000 {
		rec := &consensus.Recovered{State: junk()}
		if r.IntN(2) == 0 {
			rec.State = hardState{term: r.Uint64N(5), vote: []string{"", "n1", "x"}[r.IntN(3)], snapIndex: r.Uint64N(3), snapTerm: r.Uint64N(3)}.encode()
		}
		if r.IntN(2) == 0 {
			rec.Snapshot = &consensus.Snapshot{Index: r.Uint64N(4)}
		}
		for range r.IntN(6) {
			rec.Records = append(rec.Records, consensus.Record{Index: r.Uint64N(8), Data: junk()})
		}
		var n *node
		require.NotPanics(t, func() {
			n = newNode(config{Config: consensus.Config{ID: "n0", Peers: []string{"n0", "n1", "n2"}, Rand: rand.New(rand.NewPCG(1, uint64(i))), Restore: rec}})
		}, "%+v", rec)
		if n.recovering {
			require.Equal(t, n.log.offset, n.log.lastIndex(), "a recovering node keeps only its snapshot")
		}
		require.True(t, n.inLease(), "every restart is quiet")
	}
}

// TestUvarintLen: the size the record buffer is allocated with is exact.
func TestUvarintLen(t *testing.T) {
	for _, v := range []uint64{0, 1, 127, 128, 1<<14 - 1, 1 << 14, 1<<63 + 5} {
		require.Len(t, binary.AppendUvarint(nil, v), uvarintLen(v), "%d", v)
	}
}

// TestLeaderForgetsWhatADamagedFollowerLost: n1 acknowledged entries through 6 and restarts
// from damaged storage with none of them; n0 still counts them as n1's match. Whether n0 only
// sends heartbeats (it believed n1 had everything) or, under load, only appends (which n1
// must reject), n1's answers show its log is shorter, n0 starts over with it, and n1 catches
// up.
func TestLeaderForgetsWhatADamagedFollowerLost(t *testing.T) {
	for _, propose := range []bool{false, true} {
		t.Run(fmt.Sprint("propose=", propose), func(t *testing.T) {
			c := newCluster(t, 3, 66, nil)
			c.withDisks(false)
			c.elect("n0")
			c.proposeOneByOne("n0", "v", 5)
			require.Equal(t, uint64(6), c.node("n0").progress("n1").match)
			c.crash("n1", crashPlan{down: 1, damage: true})
			require.Zero(t, c.node("n1").log.lastIndex())
			c.step()
			require.True(t, c.runUntil(10*defaultHeartbeatTicks, func() bool {
				if propose && c.now()%10 == 0 {
					require.True(t, c.node("n0").Propose([]byte("w"))) // no heartbeats under load
				}
				return !c.node("n1").recovering
			}), "n1 never caught up")
			require.Equal(t, c.node("n0").log.lastIndex(), c.node("n1").log.lastIndex())
		})
	}
}

// TestNothingNewSavesNothing: a heartbeat round changes nothing that must be kept, so neither
// the leader's Ready nor its followers' asks for a write; a proposal asks for one record on
// each node and nothing else.
func TestNothingNewSavesNothing(t *testing.T) {
	c := newCluster(t, 3, 67, nil)
	c.elect("n0")
	var stables []consensus.Stable
	take := func() {
		for _, id := range c.ids {
			if n := c.node(id); n.HasReady() {
				rd := n.Ready()
				stables = append(stables, rd.Stable)
				for _, m := range rd.Messages {
					c.enqueue(m, 0)
				}
			}
		}
	}
	for range defaultHeartbeatTicks {
		c.node("n0").Tick()
	}
	for range 3 {
		take()
		c.net.DeliverAll()
	}
	require.NotEmpty(t, stables)
	for _, st := range stables {
		require.True(t, st.Empty(), "a heartbeat round saves %+v", st)
	}
	stables = nil
	require.True(t, c.node("n0").Propose([]byte("x")))
	for range 3 {
		take()
		c.net.DeliverAll()
	}
	records := 0
	for _, st := range stables {
		require.Nil(t, st.State)
		require.Nil(t, st.Snapshot)
		records += len(st.Records)
	}
	require.Equal(t, 3, records, "one record per node")
}

// TestLostHardStateIsDamage: records or a snapshot without any hard state mean the hard state
// was lost (every record is saved with or after the term it belongs to): the node must not
// start as a clean node of term 0 that is free to vote.
func TestLostHardStateIsDamage(t *testing.T) {
	rec := &consensus.Recovered{Records: []consensus.Record{{Index: 1, Data: appendRecord(nil, consensus.Entry{Index: 1, Term: 3})}}}
	n := newNode(config{Config: consensus.Config{ID: "n0", Peers: []string{"n0", "n1", "n2"}, Rand: rand.New(rand.NewPCG(1, 1)), Restore: rec}})
	require.True(t, n.recovering)
	require.Equal(t, uint64(3), n.term, "the term is at least its entries'")
	require.Equal(t, "n0", n.vote, "a vote it may have given is unknown: it counts as given")
}
