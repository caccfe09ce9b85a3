package wal

import (
	"errors"
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

// faultFS is a MemFS whose every call first asks fault whether to fail, and with what error:
// the tests' one way to make a disk crash or go bad at a chosen call. fault is told the call's
// name and whether the call changes what the disk holds (reading and opening do not).
type faultFS struct {
	*MemFS
	fault func(call string, mutates bool) error
}

// do runs call unless fault fails it.
func (f *faultFS) do(name string, mutates bool, call func() error) error {
	if err := f.fault(name, mutates); err != nil {
		return err
	}
	return call()
}

func (f *faultFS) MkdirAll(dir string) error {
	return f.do("mkdir", true, func() error { return f.MemFS.MkdirAll(dir) })
}

func (f *faultFS) Rename(oldName, newName string) error {
	return f.do("rename", true, func() error { return f.MemFS.Rename(oldName, newName) })
}

func (f *faultFS) Remove(name string) error {
	return f.do("remove", true, func() error { return f.MemFS.Remove(name) })
}

func (f *faultFS) SyncDir(dir string) error {
	return f.do("syncdir", true, func() error { return f.MemFS.SyncDir(dir) })
}

func (f *faultFS) ReadDir(dir string) (names []string, err error) {
	err = f.do("readdir", false, func() (err error) { names, err = f.MemFS.ReadDir(dir); return err })
	return names, err
}

func (f *faultFS) ReadFile(name string) (data []byte, err error) {
	err = f.do("readfile", false, func() (err error) { data, err = f.MemFS.ReadFile(name); return err })
	return data, err
}

func (f *faultFS) Create(name string) (File, error) {
	if err := f.fault("create", true); err != nil {
		return nil, err
	}
	h, err := f.MemFS.Create(name)
	return &faultFile{h, f}, err
}

func (f *faultFS) OpenAppend(name string) (File, error) {
	if err := f.fault("open", false); err != nil {
		return nil, err
	}
	h, err := f.MemFS.OpenAppend(name)
	return &faultFile{h, f}, err
}

// faultFile is a file of a faultFS, whose writes, syncs and truncations ask its fault too.
type faultFile struct {
	File
	fs *faultFS
}

func (f *faultFile) Write(p []byte) (n int, err error) {
	err = f.fs.do("write", true, func() (err error) { n, err = f.File.Write(p); return err })
	return n, err
}

func (f *faultFile) Sync() error {
	return f.fs.do("sync", true, f.File.Sync)
}

func (f *faultFile) Truncate(size int64) error {
	return f.fs.do("truncate", true, func() error { return f.File.Truncate(size) })
}

var errCrashed = errors.New("crashed")

// crash is a fault that lets left mutating calls through, then crashes the MemFS in place of
// the next one and fails every call after. left < 0 never crashes.
type crash struct {
	m       *MemFS
	left    int
	crashed bool
}

// crashFS returns m behind a crash fault that lets left mutating calls through.
func crashFS(m *MemFS, left int) (*faultFS, *crash) {
	c := &crash{m: m, left: left}
	return &faultFS{MemFS: m, fault: c.fault}, c
}

func (c *crash) fault(_ string, mutates bool) error {
	switch {
	case c.crashed:
		return errCrashed
	case !mutates:
	case c.left == 0:
		c.m.Crash()
		c.crashed = true
		return errCrashed
	case c.left > 0:
		c.left--
	}
	return nil
}
