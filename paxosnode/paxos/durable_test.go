package paxos

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// The encodings read back what was written, keep a no-op apart from an empty command, and
// reject what they did not write.
func TestStableEncodingRoundTrip(t *testing.T) {
	for _, h := range []hardState{{}, {promised: ballot{Round: 7, Node: 2}, inc: 3}, {promised: ballot{Round: 1 << 40, Node: 63}, inc: 1 << 50, damaged: true}} {
		got, err := decodeHardState(encodeHardState(h))
		require.NoError(t, err)
		require.Equal(t, h, got)
	}
	for _, data := range [][]byte{nil, {}, []byte("write k=1 v=2")} {
		b, got, err := decodeRecord(appendRecord(nil, ballot{Round: 9, Node: 1}, data))
		require.NoError(t, err)
		require.Equal(t, ballot{Round: 9, Node: 1}, b)
		require.Equal(t, data == nil, got == nil, "a no-op stays a no-op, an empty command stays one")
		require.Equal(t, string(data), string(got))
	}
	st := encodeHardState(hardState{promised: ballot{Round: 5, Node: 1}, inc: 2})
	for _, bad := range [][]byte{nil, {}, {9}, st[:len(st)-1], append(st, 0), {stateVersion, 1, 64, 0, 0}} {
		_, err := decodeHardState(bad)
		require.Error(t, err, "%x", bad)
	}
	for _, bad := range [][]byte{nil, {}, {3, 1, 0}, {recordValue, 0, 0}, {recordValue, 1}, {recordNoop, 1, 0, 'x'}, {recordValue, 1, 64}} {
		_, _, err := decodeRecord(bad)
		require.Error(t, err, "%x", bad)
	}
}

// Bytes that do not decode (another version, garbage) make a node that starts damaged, never
// a panic: it logs what it found and stays out of every quorum until it has caught up.
func TestRecoveryFromGarbageNeverPanics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	junk := func() []byte {
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	for range 2000 {
		rec := &consensus.Recovered{State: junk()}
		for range rng.IntN(4) {
			rec.Records = append(rec.Records, consensus.Record{Index: rng.Uint64N(1 << 22), Data: junk()})
		}
		var logs []string
		n := newNode(consensus.Config{ID: "n0", Peers: []string{"n0", "n1", "n2"}, Rand: rng, Restore: rec,
			Logger: logFunc(func(msg string, a ...any) { logs = append(logs, msg) })})
		if _, err := decodeHardState(rec.State); err != nil {
			require.True(t, n.damaged, "undecodable hard state %x", rec.State)
			require.Contains(t, logs, "recovery: hard state does not decode, treated as damaged")
		}
		require.LessOrEqual(t, len(n.log.slots), maxRecoverSlots)
	}
}

// A promise is on disk before the answer leaves: a node that restarts right after
// promising a higher ballot refuses the lower one it abandoned.
func TestPromiseSurvivesRestart(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	old := nw.node("n0").ballot
	nw.isolate("n0")
	nw.age(defaultElectionTicks, "n1", "n2")
	nw.node("n2").becomeCandidate()
	nw.stabilize()
	promised := nw.node("n2").ballot
	require.Equal(t, promised, nw.node("n1").promised)
	nw.crash("n1")
	nw.restart("n1")
	require.Equal(t, promised, nw.node("n1").promised, "the promise came back")
	nw.heal()
	nw.node("n1").Step(Message{Type: MsgAccept, From: "n0", To: "n1", Ballot: old,
		Entries: []consensus.Entry{{Index: 5, Data: []byte("stale")}}})
	rd := nw.collect("n1")
	require.Len(t, rd.Messages, 1)
	require.Equal(t, MsgNack, rd.Messages[0].Type, describe(rd.Messages[0]))
	require.Nil(t, nw.node("n1").log.get(5), "an accept below the promise is refused")
}

// Every node dies at once, after saving: the values a majority accepted come back, a new
// leader finds and delivers them, and replicas restart from their snapshots without
// delivering anything twice (network.apply checks the order).
func TestWholeClusterRestartKeepsChosenValues(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.propose("n0", "a", "b")
	nw.stabilize()
	nw.settle()
	for _, id := range nw.ids {
		r := nw.nodes[id]
		r.node.Compact(uint64(len(r.state)), encodeState(r.state))
	}
	nw.cutLink("n1", "n0") // c is accepted by n1 and n2, and n0 never learns it is chosen
	nw.cutLink("n2", "n0")
	nw.propose("n0", "c")
	nw.stabilize()
	require.Equal(t, uint64(2), nw.node("n0").log.commit)
	for _, id := range nw.ids {
		nw.collect(id)
		nw.crash(id)
	}
	nw.heal()
	for _, id := range nw.ids {
		nw.restart(id)
		require.Equal(t, []string{"a", "b"}, nw.nodes[id].state, "%s restored its snapshot", id)
		require.Equal(t, uint64(2), nw.node(id).log.commit)
	}
	nw.tick(3 * defaultElectionTicks)
	l := nw.leader()
	require.NotEmpty(t, l, nw.tail())
	nw.propose(l, "d")
	nw.stabilize()
	nw.settle()
	for _, id := range nw.ids {
		require.Equal(t, []string{"a", "b", "c", "d"}, nw.nodes[id].state, id)
	}
}

// chosenUnderTheOldLeader is the start of the restart tests below: n0 gets a, b and c chosen,
// then n1 takes over (n2 still holds slots 1..3 at n0's ballot) and proposes d.
func chosenUnderTheOldLeader(t *testing.T) *network {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.propose("n0", "a", "b", "c")
	nw.stabilize()
	nw.settle()
	nw.isolate("n0")
	nw.age(defaultElectionTicks, "n1", "n2")
	nw.elect("n1")
	nw.propose("n1", "d")
	return nw
}

// A restarted acceptor may hold chosen slots at an older ballot that it can no longer tell
// are chosen, while the leader still counts it as holding them. Its new incarnation makes
// the leader learn its position afresh and resend those slots at its own ballot.
func TestRestartedAcceptorCatchesUp(t *testing.T) {
	nw := chosenUnderTheOldLeader(t)
	nw.stabilize()
	nw.settle()
	require.Equal(t, uint64(4), nw.node("n1").lead.prog[2].match)
	nw.crash("n2")
	nw.restart("n2")
	require.Equal(t, uint64(0), nw.node("n2").log.commit, "a chosen point is not persisted")
	nw.propose("n1", "e")
	nw.stabilize()
	nw.settle()
	require.Equal(t, []string{"a", "b", "c", "d", "e"}, nw.nodes["n2"].state, nw.tail())
}

// The lease across a restart. n0 leads with a lease that n1's acknowledgement gave it; n2
// lost n0 long ago. n1 restarts and does not hear n0 again. Had it forgotten that it may owe
// n0 its loyalty, it would help n2 to a pre-vote and a promise, n2 would choose a write, and
// n0 would serve a lease read without it. It keeps quiet for ElectionTicks instead.
func TestRestartQuietPeriodKeepsLeases(t *testing.T) {
	nw := newNetwork(t, 3, withLease)
	nw.elect("n0")
	nw.propose("n0", "a")
	nw.stabilize()
	nw.cutLink("n0", "n2")
	nw.cutLink("n2", "n0")
	nw.age(defaultElectionTicks, "n2") // n2 has not heard n0 for an election timeout
	nw.tick(defaultHeartbeatTicks, "n0", "n1")
	n0 := nw.node("n0")
	require.True(t, n0.leaseValid())
	nw.crash("n1")
	nw.restart("n1")
	nw.cutLink("n0", "n1")
	nw.node("n2").becomePreCandidate()
	nw.stabilize()
	for n0.leaseValid() {
		require.NotEqual(t, consensus.Leader, nw.node("n2").role, "n2 leads while n0 holds a lease\n%s", nw.tail())
		nw.tick(1)
	}
	require.Greater(t, n0.now-n0.lead.leaseFrom, int64(defaultElectionTicks-4), "the lease ran its course")
	// The quiet period ends, and n1 and n2 elect one of them.
	nw.tick(3 * defaultElectionTicks)
	require.Contains(t, []string{"n1", "n2"}, nw.node("n2").Leader(), nw.tail())
}

// A damaged node. Slot 1's value a is chosen by n0 and n1, and n1's storage loses its
// acceptance of it. With n0 down, n1 and n2 could elect n2, whose phase 1 would find no
// value in slot 1 and choose a no-op there: n1 answers no prepare and grants no pre-vote
// while damaged. Once n0 is back, a leader elected without n1 counts n1's acknowledgements in
// no quorum until n1 has caught up to the slot the leader named, even across another restart
// (the damage is in its hard state); then n1 counts again.
func TestDamagedNodeStaysOutOfQuorums(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.isolate("n2")
	nw.propose("n0", "a", "b")
	nw.stabilize()
	require.Equal(t, uint64(2), nw.node("n0").log.commit)
	nw.nodes["n1"].disk.loseSlot(1)
	nw.crash("n0")
	nw.crash("n1")
	nw.restart("n1")
	require.True(t, nw.node("n1").damaged)
	nw.heal()
	nw.tick(5*defaultElectionTicks, "n1", "n2")
	require.Empty(t, nw.leader(), "n1 helped elect a leader while damaged\n%s", nw.tail())

	nw.restart("n0")
	nw.cutLink("n0", "n1") // n1 hears no leader until one is elected without it
	nw.cutLink("n2", "n1")
	for nw.leader() == "" {
		nw.tick(1, "n0", "n2")
	}
	l, other := nw.leader(), "n0"
	if l == "n0" {
		other = "n2"
	}
	nw.stabilize()
	nw.crash(other)
	nw.heal()
	nw.propose(l, "c")
	nw.tick(defaultHeartbeatTicks)
	require.Less(t, nw.node(l).log.commit, nw.node(l).lead.nextSlot-1, "only damaged n1 acknowledged c, yet it is chosen")
	require.True(t, nw.node("n1").damaged)
	require.True(t, nw.node(l).lead.prog[1].damaged)
	nw.crash("n1") // the storage reports no damage this time; the hard state remembers it
	nw.restart("n1")
	require.True(t, nw.node("n1").damaged)

	nw.restart(other)
	nw.tick(defaultElectionTicks)
	require.False(t, nw.node("n1").damaged, nw.tail())
	require.Equal(t, 1, nw.nodes["n1"].disk.Repaired, "the storage is told once, so that it stops reporting the damage")
	require.Contains(t, nw.tail(), "n1 caught up")
	for _, id := range nw.ids {
		require.Equal(t, []string{"a", "b"}, nw.nodes[id].state[:2], id)
		require.Equal(t, "c", nw.nodes[id].state[len(nw.nodes[id].state)-1], id)
	}
	// n1 counts again: with the other node cut off, l and n1 choose d.
	nw.isolate(other)
	nw.propose(l, "d")
	nw.tick(defaultHeartbeatTicks)
	require.Equal(t, "d", nw.nodes[l].state[len(nw.nodes[l].state)-1], nw.tail())
}

// Snapshots reach the disk: the one Compact hands in with the next Ready (and the records it
// covers leave the disk), and the one a lagging node installs before its answer. A node
// restarted from the disk comes back at its snapshot.
func TestSnapshotsAreSaved(t *testing.T) {
	nw := n2MissesTwenty(t)
	for _, id := range []string{"n0", "n1"} {
		r := nw.nodes[id]
		r.node.Compact(uint64(len(r.state)), encodeState(r.state))
		require.True(t, r.node.HasReady(), "a compaction is something to save")
		nw.collect(id)
		require.Equal(t, uint64(20), r.disk.SnapIndex(), id)
		require.Empty(t, r.disk.Records, "%s keeps no record the snapshot covers", id)
	}
	nw.heal()
	nw.settle() // n2 installs the snapshot (network.save checks it is on disk first)
	require.Equal(t, 1, nw.nodes["n2"].snaps)
	require.Equal(t, uint64(20), nw.nodes["n2"].disk.SnapIndex())
	nw.crash("n2")
	nw.restart("n2")
	require.Equal(t, nw.nodes["n0"].state, nw.nodes["n2"].state)
	require.Equal(t, uint64(20), nw.node("n2").log.commit)
}

// A Ready with nothing new to keep asks for no write: heartbeats and their answers at the
// ballot already promised save nothing.
func TestNothingNewNothingToSave(t *testing.T) {
	nw := newNetwork(t, 3, nil)
	nw.elect("n0")
	nw.propose("n0", "a")
	nw.stabilize()
	nw.settle()
	checked := 0
	for range 3 * defaultHeartbeatTicks {
		for _, id := range nw.ids {
			nw.node(id).Tick()
			if nw.node(id).HasReady() {
				rd := nw.collect(id)
				require.True(t, rd.Stable.Empty(), "%s saves %+v", id, rd.Stable)
				checked++
			}
		}
		nw.deliverAll()
	}
	// Without a Ready the loop above checks nothing; heartbeats must have made some.
	require.Positive(t, checked, "no Ready came in three heartbeat intervals")
}

// An answer from before a restart says where the acceptor was, not where it is. As in
// TestRestartedAcceptorCatchesUp, n2 restarts holding chosen slots at an older ballot, which
// it can no longer tell are chosen; its answer from before, arriving late, must not make
// the leader believe it knows them again (the leader would never resend them).
func TestStaleAnswerFromBeforeARestartIsIgnored(t *testing.T) {
	nw := chosenUnderTheOldLeader(t)
	nw.collect("n1")
	nw.deliverAll()
	nw.collect("n2")
	stale := nw.takeQueued(func(m Message) bool { return m.From == "n2" })
	require.Len(t, stale, 1)
	require.Equal(t, uint64(4), stale[0].Match, describe(stale[0]))
	nw.stabilize()
	nw.crash("n2")
	nw.restart("n2")
	for range defaultHeartbeatTicks {
		nw.node("n1").Tick()
	}
	nw.collect("n1") // a heartbeat...
	nw.deliverAll()
	nw.collect("n2") // ...n2's answer says where it is now...
	nw.deliverAll()
	require.Equal(t, uint64(0), nw.node("n1").lead.prog[2].match)
	nw.collect("n1") // ...and what n1 resends from there is lost
	require.Positive(t, nw.net.Discard(nil))
	nw.enqueue(stale)
	nw.deliverAll()
	nw.tick(defaultElectionTicks)
	require.Equal(t, []string{"a", "b", "c", "d"}, nw.nodes["n2"].state, nw.tail())
}
