package wal

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// model is what recovery must return after a sequence of Saves, computed the plain way: the
// last State, the last Snapshot, and every record saved, in order, whose index is above the
// last snapshot's.
func model(saves []consensus.Stable) consensus.Recovered {
	var m consensus.Recovered
	var all []consensus.Record
	for _, s := range saves {
		if s.State != nil {
			m.State = s.State
		}
		if s.Snapshot != nil {
			m.Snapshot = s.Snapshot
		}
		all = append(all, s.Records...)
	}
	for _, r := range all {
		if m.Snapshot == nil || r.Index > m.Snapshot.Index {
			m.Records = append(m.Records, r)
		}
	}
	return m
}

// requireContents checks a recovery against a model, ignoring Damaged.
func requireContents(t testing.TB, want, got consensus.Recovered, msgAndArgs ...any) {
	t.Helper()
	require.Empty(t, contentsDiff(want, got), msgAndArgs...)
}

// contentsDiff says how got differs from want, ignoring Damaged, "" if it does not. It tells
// nil from empty apart where the log must keep them apart.
func contentsDiff(want, got consensus.Recovered) string {
	describe := func(r consensus.Recovered) string {
		s := "state " + describeBytes(r.State) + "; snapshot "
		if r.Snapshot == nil {
			s += "none"
		} else {
			s += fmt.Sprintf("%d %s", r.Snapshot.Index, describeBytes(r.Snapshot.Data))
		}
		return s + "; records " + describeRecords(r.Records)
	}
	if w, g := describe(want), describe(got); w != g {
		return fmt.Sprintf("want %s\n got %s", w, g)
	}
	return ""
}

func describeBytes(b []byte) string {
	if b == nil {
		return "nil"
	}
	return fmt.Sprintf("%q", b)
}

// describeRecords is a readable form of records that keeps nil apart from empty.
func describeRecords(rs []consensus.Record) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%d:%s ", r.Index, describeBytes(r.Data))
	}
	return b.String()
}

// script makes n Stables as a core might: a State now and then, records with mostly rising
// indexes (and some rewinds, as a Raft log truncates), and a snapshot every so often when
// snapshots is set. Indexes stay small so that snapshots drop some records and keep others.
func script(rng *rand.Rand, n int, snapshots bool) []consensus.Stable {
	var out []consensus.Stable
	next, snap := uint64(1), uint64(0)
	for i := range n {
		var s consensus.Stable
		if rng.IntN(3) == 0 {
			s.State = fmt.Appendf(nil, "state-%d", i)
		}
		for range rng.IntN(4) {
			if rng.IntN(8) == 0 && next > snap+2 {
				next -= uint64(rng.IntN(2) + 1)
			}
			s.Records = append(s.Records, consensus.Record{Index: next, Data: recordData(rng, i)})
			next++
		}
		if snapshots && rng.IntN(6) == 0 && next > snap+2 {
			snap += uint64(rng.IntN(int(next-snap-1))) + 1
			s.Snapshot = &consensus.Snapshot{Index: snap, Data: fmt.Appendf(nil, "snap-%d", i)}
		}
		if i == 0 && s.Empty() {
			s.State = []byte{} // an empty State, which must come back empty, not nil
		}
		out = append(out, s)
	}
	return out
}

func recordData(rng *rand.Rand, i int) []byte {
	switch rng.IntN(6) {
	case 0:
		return nil
	case 1:
		return []byte{}
	}
	return fmt.Appendf(nil, "rec-%d-%d", i, rng.IntN(1000))
}

// logLines collects what a Log logs.
type logLines []string

func (l *logLines) logf(format string, args ...any) { *l = append(*l, fmt.Sprintf(format, args...)) }

func (l logLines) String() string { return strings.Join(l, "\n") }

func (l logLines) has(sub string) bool { return strings.Contains(l.String(), sub) }

const testDir = "/data"

// openT opens node n1's log under testDir and fails the test on an error.
func openT(t testing.TB, fsys FS, lines *logLines) (*Log, consensus.Recovered) {
	t.Helper()
	var logf func(string, ...any)
	if lines != nil {
		logf = lines.logf
	}
	l, rec, err := Open(fsys, testDir, "n1", logf)
	require.NoError(t, err)
	return l, rec
}

// saveAll saves every Stable and fails the test on an error.
func saveAll(t testing.TB, l *Log, saves []consensus.Stable) {
	t.Helper()
	for _, s := range saves {
		require.NoError(t, l.Save(s))
	}
}

// nodeDir is n1's directory.
var nodeDir = filepath.Join(testDir, "n1")

// genFile returns the one generation file in n1's directory, by name and content.
func genFile(t testing.TB, fsys FS) (string, []byte) {
	t.Helper()
	names, err := fsys.ReadDir(nodeDir)
	require.NoError(t, err)
	var gens []string
	for _, n := range names {
		if _, ok := parseGenName(n); ok {
			gens = append(gens, n)
		}
	}
	require.Len(t, gens, 1, "files: %v", names)
	data, err := fsys.ReadFile(filepath.Join(nodeDir, gens[0]))
	require.NoError(t, err)
	return gens[0], data
}

// memWith returns a MemFS whose n1 directory holds one file, synced, with the given content.
func memWith(t testing.TB, name string, data []byte) *MemFS {
	t.Helper()
	m := NewMemFS(rand.New(rand.NewPCG(1, 1)))
	require.NoError(t, m.MkdirAll(nodeDir))
	f, err := m.Create(filepath.Join(nodeDir, name))
	require.NoError(t, err)
	_, err = f.Write(data)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
	require.NoError(t, m.SyncDir(nodeDir))
	return m
}

// newMem returns an empty MemFS seeded with seed.
func newMem(seed uint64) *MemFS { return NewMemFS(rand.New(rand.NewPCG(seed, 7))) }
