package kvserver

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/nodelog"
	"github.com/quorumkit/quorumkit/nodes/wal"
)

// fakeStorage records what it is asked to save, and what had already left or been applied
// at that moment.
type fakeStorage struct {
	saved   []consensus.Stable
	outLen  []int    // messages already in the outbox at each Save
	applied []uint64 // entries already applied at each Save
	out     *nodes.Outbox
	srv     *Server[fakeMsg]
	fail    error
}

func (f *fakeStorage) Save(st consensus.Stable) error {
	f.saved = append(f.saved, st)
	f.outLen = append(f.outLen, f.out.Len())
	f.applied = append(f.applied, f.srv.state.applied)
	return f.fail
}

func TestStableIsSavedBeforeAnythingOfItsReadyIsSentOrApplied(t *testing.T) {
	fs := &fakeStorage{out: &nodes.Outbox{}}
	ts := newTestServerWith(t, "n0", "n0", Config[fakeMsg]{
		Storage: func(string, *slog.Logger) (Storage, *consensus.Recovered, error) { return fs, nil, nil },
	})
	fs.srv = ts.srv
	st := consensus.Stable{State: []byte("term 2"), Records: []consensus.Record{{Index: 1, Data: []byte("x")}}}
	ts.core.queue(consensus.Ready[fakeMsg]{Stable: st, Messages: []fakeMsg{{To: "n1", N: 1}},
		Committed: commit(1, logCommand{Client: "c1", MsgID: 1, Command: cmdWrite(1)}.encode())})
	out := ts.idle(fs.out)
	require.Len(t, out, 1, "the message went out")
	require.Equal(t, []consensus.Stable{st}, fs.saved, "one save for the one Ready")
	require.Equal(t, []int{0}, fs.outLen, "nothing was sent before the save")
	require.Equal(t, []uint64{0}, fs.applied, "nothing was applied before the save")
	require.EqualValues(t, 1, ts.srv.state.applied)

	ts.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n1", N: 2}}})
	ts.idle(nil)
	require.Len(t, fs.saved, 1, "an empty Stable is not saved")

	fs.fail = errors.New("disk gone")
	ts.core.queue(consensus.Ready[fakeMsg]{Stable: st, Messages: []fakeMsg{{To: "n1", N: 3}}})
	require.Panics(t, func() { ts.idle(nil) }, "a node that cannot save must not send what depends on it")
}

func TestARestartedNodeStartsFromItsSnapshot(t *testing.T) {
	a := newTestServer(t, "n0", "n0", 2)
	a.core.queue(consensus.Ready[fakeMsg]{Committed: commit(1,
		logCommand{Client: "c1", MsgID: 1, Command: cmdWrite(5)}.encode(),
		logCommand{Client: "c1", MsgID: 2, Command: cmdWrite(6)}.encode())})
	a.idle(nil)
	require.Equal(t, []uint64{2}, a.core.compacted)

	rec := &consensus.Recovered{State: []byte("s"), Snapshot: &consensus.Snapshot{Index: 2, Data: a.core.snapshots[0]}}
	var got *consensus.Recovered
	b := New(Config[fakeMsg]{
		Kind:    "fake",
		Storage: func(string, *slog.Logger) (Storage, *consensus.Recovered, error) { return &fakeStorage{}, rec, nil },
		NewCore: func(init nodes.Init, r *consensus.Recovered) consensus.Core[fakeMsg] {
			got = r
			return &fakeCore{id: init.NodeID, leader: "n0"}
		},
	})
	b.Init(0, nodes.Init{NodeID: "n1", NodeIDs: []string{"n0", "n1", "n2"}, Rand: rand.New(rand.NewPCG(1, 2))}, &nodes.Outbox{})
	require.Same(t, rec, got, "the core gets what the storage held")
	require.EqualValues(t, 2, b.state.applied)
	require.Equal(t, a.srv.state.snapshot(), b.state.snapshot(), "store and sessions come back from the snapshot")
}

func TestSoloSavesCommandsAndReplaysThemAfterARestart(t *testing.T) {
	s := NewSolo("n0", nil)
	require.True(t, s.Propose([]byte("a")))
	require.True(t, s.Propose([]byte("b")))
	rd := s.Ready()
	require.Equal(t, []consensus.Record{{Index: 1, Data: []byte("a")}, {Index: 2, Data: []byte("b")}}, rd.Stable.Records)
	s.Compact(1, []byte("snap"))
	require.True(t, s.HasReady(), "the snapshot is to be saved")
	require.Equal(t, &consensus.Snapshot{Index: 1, Data: []byte("snap")}, s.Ready().Stable.Snapshot)

	r := NewSolo("n0", &consensus.Recovered{Snapshot: &consensus.Snapshot{Index: 1, Data: []byte("snap")}, Records: rd.Stable.Records})
	got := r.Ready()
	require.Equal(t, []consensus.Entry{{Index: 2, Data: []byte("b")}}, got.Committed, "what the snapshot holds is not applied again")
	require.True(t, r.Propose([]byte("c")))
	require.EqualValues(t, 3, r.Ready().Committed[0].Index)
}

// TestAnAcknowledgedWriteOutlivesACrash runs the one-node server on a simulated disk: what it
// acknowledged is there after a crash that loses every unsynced byte, and the client's session
// too (a retry of the same request is not applied twice).
func TestAnAcknowledgedWriteOutlivesACrash(t *testing.T) {
	disk := wal.NewMemFS(rand.New(rand.NewPCG(3, 4)))
	start := func() *Server[SoloMessage] {
		cfg := SoloConfig()
		cfg.Storage = LogStorage(disk, "data")
		cfg.CompactEvery = 3
		srv := New(cfg)
		srv.Init(0, nodes.Init{NodeID: "n0", NodeIDs: []string{"n0"}, Rand: rand.New(rand.NewPCG(1, 2))}, &nodes.Outbox{})
		return srv
	}
	srv := start()
	for i := 1; i <= 4; i++ { // a snapshot at 3, one record after it
		out := deliverTo(t, srv, 0, clientReq("c1", i, fmt.Sprintf(`"type":"write","key":%d,"value":%d`, i, 10*i)))
		require.Equal(t, "write_ok", out[0].Body["type"])
	}
	disk.Crash()
	srv = start()
	for i := 1; i <= 4; i++ {
		out := deliverTo(t, srv, 0, clientReq("c2", i, fmt.Sprintf(`"type":"read","key":%d`, i)))
		require.Equal(t, float64(10*i), out[0].Body["value"], "key %d", i)
	}
	out := deliverTo(t, srv, 0, clientReq("c1", 4, `"type":"cas","key":4,"from":40,"to":41`))
	require.Equal(t, "cas_ok", out[0].Body["type"], "the session remembers that c1's request 4 succeeded")
	out = deliverTo(t, srv, 0, clientReq("c2", 5, `"type":"read","key":4`))
	require.Equal(t, 40.0, out[0].Body["value"], "and does not apply it again")
}

// TestTheStorageLineIsWhatTheDurabilityScriptReads: scripts/durability counts fsyncs from the
// node logs' storage lines; the line the server writes through the runtime's text handler and
// the patterns the script looks for are both spelled from nodelog, so a rename on either side
// fails here.
func TestTheStorageLineIsWhatTheDurabilityScriptReads(t *testing.T) {
	l, _, err := wal.Open(wal.NewMemFS(rand.New(rand.NewPCG(1, 1))), "data", "n0", nil)
	require.NoError(t, err)
	require.NoError(t, l.Save(consensus.Stable{State: []byte("hs")}))
	var buf bytes.Buffer
	(&disk{storage: l}).logStats(storageLogEvery, slog.New(slog.NewTextHandler(&buf, nil)))
	require.Contains(t, buf.String(), "msg="+nodelog.Storage+" ")
	require.Regexp(t, " "+nodelog.Syncs+`=[1-9]\d*`, buf.String())

	script, err := os.ReadFile(filepath.Join("..", "..", "scripts", "durability"))
	require.NoError(t, err)
	require.Contains(t, string(script), "'msg="+nodelog.Storage+"'")
	require.Contains(t, string(script), `r"`+nodelog.Syncs+`=(\d+)"`)
}
