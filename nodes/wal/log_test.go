package wal

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// TestRoundTrip saves scripts of batches (with compactions) and reopens the log after every
// few, on both file systems: each recovery must return exactly what the model says.
func TestRoundTrip(t *testing.T) {
	for _, kind := range []string{"mem", "os"} {
		for seed := uint64(1); seed <= 8; seed++ {
			t.Run(fmt.Sprintf("%s/seed=%d", kind, seed), func(t *testing.T) {
				var fsys FS = newMem(seed)
				dir := testDir
				if kind == "os" {
					fsys, dir = OSFS{}, t.TempDir()
				}
				rng := rand.New(rand.NewPCG(seed, 1))
				saves := script(rng, 60, true)
				l, rec, err := Open(fsys, dir, "n1", nil)
				require.NoError(t, err)
				requireContents(t, consensus.Recovered{}, rec)
				for i := 0; i < len(saves); {
					n := min(1+rng.IntN(10), len(saves)-i)
					saveAll(t, l, saves[i:i+n])
					i += n
					require.NoError(t, l.Close())
					l, rec, err = Open(fsys, dir, "n1", nil)
					require.NoError(t, err)
					require.False(t, rec.Damaged)
					requireContents(t, model(saves[:i]), rec, "after %d saves (seed %d)", i, seed)
				}
				require.NoError(t, l.Close())
			})
		}
	}
}

// TestGroupCommit counts, through the file system, what each Save costs: one write and one
// file sync for a batch, nothing for an empty one, and for a snapshot one write, one file
// sync, one rename and one directory sync.
func TestGroupCommit(t *testing.T) {
	m := newMem(1)
	l, _ := openT(t, m, nil)
	rec := func(i uint64) consensus.Record { return consensus.Record{Index: i, Data: []byte("x")} }
	steps := []struct {
		name                               string
		st                                 consensus.Stable
		writes, syncs, dirSyncs, renames   uint64
		logSaves, logSyncs, logCompactions uint64
	}{
		{"empty", consensus.Stable{}, 0, 0, 0, 0, 0, 0, 0},
		{"empty records", consensus.Stable{Records: []consensus.Record{}}, 0, 0, 0, 0, 0, 0, 0},
		{"state", consensus.Stable{State: []byte("t1")}, 1, 1, 0, 0, 1, 1, 0},
		{"state and 8 records", consensus.Stable{State: []byte("t2"), Records: []consensus.Record{
			rec(1), rec(2), rec(3), rec(4), rec(5), rec(6), rec(7), rec(8)}}, 1, 1, 0, 0, 1, 1, 0},
		{"snapshot", consensus.Stable{Snapshot: &consensus.Snapshot{Index: 4, Data: []byte("s")}}, 1, 1, 1, 1, 1, 2, 1},
		{"records after", consensus.Stable{Records: []consensus.Record{rec(9)}}, 1, 1, 0, 0, 1, 1, 0},
	}
	for _, s := range steps {
		before, logBefore := m.Stats(), l.Stats()
		require.NoError(t, l.Save(s.st), s.name)
		after, logAfter := m.Stats(), l.Stats()
		require.Equal(t, s.writes, after.Writes-before.Writes, "%s: writes", s.name)
		require.Equal(t, s.syncs, after.Syncs-before.Syncs, "%s: file syncs", s.name)
		require.Equal(t, s.dirSyncs, after.DirSyncs-before.DirSyncs, "%s: directory syncs", s.name)
		require.Equal(t, s.renames, after.Renames-before.Renames, "%s: renames", s.name)
		require.Equal(t, s.logSaves, logAfter.Saves-logBefore.Saves, "%s: Stats.Saves", s.name)
		require.Equal(t, s.logSyncs, logAfter.Syncs-logBefore.Syncs, "%s: Stats.Syncs", s.name)
		require.Equal(t, s.logCompactions, logAfter.Compactions-logBefore.Compactions, "%s: Stats.Compactions", s.name)
		require.Equal(t, after.BytesWritten-before.BytesWritten, logAfter.Bytes-logBefore.Bytes, "%s: Stats.Bytes", s.name)
	}
	_, rec2 := openT(t, m, nil)
	require.Equal(t, "5:\"x\" 6:\"x\" 7:\"x\" 8:\"x\" 9:\"x\" ", describeRecords(rec2.Records))
	require.Equal(t, "t2", string(rec2.State))
}

// TestSaveDoesNotKeepCallerSlices: a core may reuse its buffers once Save returns.
func TestSaveDoesNotKeepCallerSlices(t *testing.T) {
	m := newMem(1)
	l, _ := openT(t, m, nil)
	data, state := []byte("abc"), []byte("s1")
	require.NoError(t, l.Save(consensus.Stable{State: state, Records: []consensus.Record{{Index: 1, Data: data}}}))
	copy(data, "xyz")
	copy(state, "zz")
	require.NoError(t, l.Save(consensus.Stable{Snapshot: &consensus.Snapshot{Index: 0, Data: []byte("s")}}))
	_, rec := openT(t, m, nil)
	require.Equal(t, "s1", string(rec.State))
	require.Equal(t, `1:"abc" `, describeRecords(rec.Records))
}

// TestFailedSyncIsSticky: after one failed fsync, every later Save fails without writing,
// because nothing is known any more of what the disk holds.
func TestFailedSyncIsSticky(t *testing.T) {
	errDisk, bad := errors.New("disk failed"), false
	fsys := &faultFS{MemFS: newMem(1), fault: func(call string, _ bool) error {
		if call == "sync" && bad {
			return errDisk
		}
		return nil
	}}
	l, _ := openT(t, fsys, nil)
	require.NoError(t, l.Save(consensus.Stable{State: []byte("a")}))
	bad = true
	err := l.Save(consensus.Stable{State: []byte("b")})
	require.ErrorIs(t, err, errDisk)
	bad = false
	writes := fsys.Stats().Writes
	require.ErrorIs(t, l.Save(consensus.Stable{State: []byte("c")}), errDisk)
	require.ErrorIs(t, l.Repaired(), errDisk)
	require.Equal(t, writes, fsys.Stats().Writes, "a refused Save wrote")
}

// TestSnapshotGoingBackPanics: a core that saves an older snapshot after a newer one has a
// bug, and the records between the two are gone already.
func TestSnapshotGoingBackPanics(t *testing.T) {
	l, _ := openT(t, newMem(1), nil)
	require.NoError(t, l.Save(consensus.Stable{Snapshot: &consensus.Snapshot{Index: 5}}))
	require.Panics(t, func() { _ = l.Save(consensus.Stable{Snapshot: &consensus.Snapshot{Index: 4}}) })
}

// TestClose: a closed log refuses Saves, and closing twice is harmless.
func TestClose(t *testing.T) {
	l, _ := openT(t, newMem(1), nil)
	require.NoError(t, l.Close())
	require.NoError(t, l.Close())
	require.ErrorIs(t, l.Save(consensus.Stable{State: []byte("a")}), ErrClosed)
}

// TestBadNodeID: an id that cannot be one directory's name is refused before anything is
// touched.
func TestBadNodeID(t *testing.T) {
	for _, id := range []string{"", ".", "..", "a/b", `a\b`, "a\x00", string(make([]byte, 256))} {
		_, _, err := Open(newMem(1), testDir, id, nil)
		require.ErrorIs(t, err, ErrNodeID, "%q", id)
	}
}

// TestSnapshotKeepsRecordsAbove pins down what a snapshot drops: the records at or below its
// index, and nothing else, so records above it come back in save order, stale or not. The
// case is the one doc.go warns a Raft core of: entries 7-9 from an old leader, truncated by 5'
// and 6', then a snapshot at 6. Only a record at 7 saved with the snapshot lets the core's
// replay erase them.
func TestSnapshotKeepsRecordsAbove(t *testing.T) {
	r := func(i uint64, d string) consensus.Record { return consensus.Record{Index: i, Data: []byte(d)} }
	history := []consensus.Stable{
		{Records: []consensus.Record{r(5, "old"), r(6, "old"), r(7, "old"), r(8, "old"), r(9, "old")}},
		{Records: []consensus.Record{r(5, "new"), r(6, "new")}},
	}
	for _, tc := range []struct {
		name string
		snap consensus.Stable
		want string
	}{
		{"snapshot alone", consensus.Stable{Snapshot: &consensus.Snapshot{Index: 6}},
			`7:"old" 8:"old" 9:"old" `},
		{"snapshot with a record at s+1", consensus.Stable{Snapshot: &consensus.Snapshot{Index: 6}, Records: []consensus.Record{r(7, "end")}},
			`7:"old" 8:"old" 9:"old" 7:"end" `},
		{"snapshot below the truncation", consensus.Stable{Snapshot: &consensus.Snapshot{Index: 4}},
			`5:"old" 6:"old" 7:"old" 8:"old" 9:"old" 5:"new" 6:"new" `},
	} {
		m := newMem(1)
		l, _ := openT(t, m, nil)
		saveAll(t, l, append(slices.Clone(history), tc.snap))
		_, rec := openT(t, m, nil)
		require.Equal(t, tc.want, describeRecords(rec.Records), tc.name)
	}
}
