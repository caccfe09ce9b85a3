package wal

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
)

// memFSRun drives a MemFS through random calls and keeps, independently of its
// implementation, what a crash is allowed to leave: for each file, the bytes written and how
// many were synced; for each directory, every namespace it had since its last sync.
type memFSRun struct {
	t       *testing.T
	m       *MemFS
	rng     *rand.Rand
	replay  string
	live    map[string]int // path -> file id
	files   []*trackedFile
	history map[string][]map[string]int // dir -> namespaces since its last sync
}

type trackedFile struct {
	written []byte
	synced  int
	h       File
}

var memDirs = []string{"/d", "/e"}

func newMemFSRun(t *testing.T, seed uint64) *memFSRun {
	r := &memFSRun{
		t: t, m: NewMemFS(rand.New(rand.NewPCG(seed, 1))), rng: rand.New(rand.NewPCG(seed, 2)),
		replay:  fmt.Sprintf("seed %d; replay: go test ./nodes/wal -run 'TestMemFSCrashModel/seed=%d$'", seed, seed),
		live:    map[string]int{},
		history: map[string][]map[string]int{},
	}
	for _, d := range memDirs {
		require.NoError(t, r.m.MkdirAll(d))
		r.history[d] = []map[string]int{{}}
	}
	return r
}

// inDir is the part of the live namespace in dir.
func (r *memFSRun) inDir(dir string) map[string]int {
	ns := map[string]int{}
	for p, id := range r.live {
		if filepath.Dir(p) == dir {
			ns[p] = id
		}
	}
	return ns
}

func (r *memFSRun) changed(dir string) { r.history[dir] = append(r.history[dir], r.inDir(dir)) }

// step makes one random call.
func (r *memFSRun) step() {
	t, m := r.t, r.m
	dir := memDirs[r.rng.IntN(len(memDirs))]
	name := filepath.Join(dir, string(rune('a'+r.rng.IntN(4))))
	id, exists := r.live[name]
	switch op := r.rng.IntN(10); {
	case op < 2 && !exists:
		h, err := m.Create(name)
		require.NoError(t, err, r.replay)
		r.live[name] = len(r.files)
		r.files = append(r.files, &trackedFile{h: h})
		r.changed(dir)
	case op < 5 && exists:
		p := make([]byte, 1+r.rng.IntN(20))
		for i := range p {
			p[i] = byte(r.rng.UintN(256))
		}
		f := r.files[id]
		_, err := f.h.Write(p)
		require.NoError(t, err, r.replay)
		f.written = append(f.written, p...)
	case op < 7 && exists:
		require.NoError(t, r.files[id].h.Sync(), r.replay)
		r.files[id].synced = len(r.files[id].written)
	case op == 7 && exists:
		to := filepath.Join(dir, string(rune('a'+r.rng.IntN(4))))
		require.NoError(t, m.Rename(name, to), r.replay)
		delete(r.live, name)
		r.live[to] = id
		r.changed(dir)
	case op == 8 && exists:
		require.NoError(t, m.Remove(name), r.replay)
		delete(r.live, name)
		r.changed(dir)
	case op == 9:
		require.NoError(t, m.SyncDir(dir), r.replay)
		r.history[dir] = []map[string]int{r.inDir(dir)}
	}
}

// check verifies a crash's result: each directory holds one of the namespaces it had since
// its last sync, and each file a prefix of what was written to it, at least what was synced.
func (r *memFSRun) check() {
	t := r.t
	for _, dir := range memDirs {
		names, err := r.m.ReadDir(dir)
		require.NoError(t, err, r.replay)
		content := map[string][]byte{}
		for _, n := range names {
			content[filepath.Join(dir, n)], err = r.m.ReadFile(filepath.Join(dir, n))
			require.NoError(t, err, r.replay)
		}
		fits := func(ns map[string]int) bool {
			if !slices.Equal(slices.Sorted(maps.Keys(ns)), slices.Sorted(maps.Keys(content))) {
				return false
			}
			for p, id := range ns {
				f, c := r.files[id], content[p]
				if len(c) < f.synced || len(c) > len(f.written) || !bytes.Equal(c, f.written[:len(c)]) {
					return false
				}
			}
			return true
		}
		require.True(t, slices.ContainsFunc(r.history[dir], fits),
			"%s: %s holds %v, none of the namespaces it had since its last sync", r.replay, dir, names)
	}
}

// names is every path the MemFS lists now.
func (r *memFSRun) names() []string {
	var all []string
	for _, dir := range memDirs {
		names, err := r.m.ReadDir(dir)
		require.NoError(r.t, err, r.replay)
		for _, n := range names {
			all = append(all, filepath.Join(dir, n))
		}
	}
	return all
}

// TestMemFSCrashModel runs random calls and a crash under many seeds and checks the crash
// model from outside: synced bytes survive, unsynced ones survive only as a prefix, a name
// survives only as part of an in-order prefix of its directory's unsynced changes, and
// handles from before the crash are dead. Both a torn write and a lost one must occur.
func TestMemFSCrashModel(t *testing.T) {
	sawTorn, sawDropped, sawNameLost := false, false, false
	for seed := uint64(1); seed <= 300; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			r := newMemFSRun(t, seed)
			for range 40 {
				r.step()
			}
			before := slices.Sorted(maps.Keys(r.live))
			r.m.Crash()
			r.check()
			after := r.names()
			sawNameLost = sawNameLost || !slices.Equal(before, after)
			for _, f := range r.files {
				_, err := f.h.Write([]byte("x"))
				require.ErrorIs(t, err, ErrStaleHandle, r.replay)
				require.ErrorIs(t, f.h.Sync(), ErrStaleHandle, r.replay)
			}
			for _, p := range after {
				data, err := r.m.ReadFile(p)
				require.NoError(t, err, r.replay)
				for _, f := range r.files {
					if len(data) < len(f.written) && bytes.Equal(data, f.written[:len(data)]) {
						sawTorn = sawTorn || len(data) > f.synced
						sawDropped = sawDropped || len(data) == f.synced
					}
				}
			}
		})
	}
	require.True(t, sawTorn, "no crash kept part of an unsynced write")
	require.True(t, sawDropped, "no crash lost all of an unsynced write")
	require.True(t, sawNameLost, "no crash lost a name change")
}

// TestMemFSDeterministic: one seed, one outcome.
func TestMemFSDeterministic(t *testing.T) {
	outcome := func(seed uint64) string {
		r := newMemFSRun(t, seed)
		for range 60 {
			r.step()
		}
		s := r.m.Crash()
		if c, ok := r.m.Corrupt(); ok {
			s += "\n" + c
		}
		for _, dir := range memDirs {
			names, _ := r.m.ReadDir(dir)
			for _, n := range names {
				data, _ := r.m.ReadFile(filepath.Join(dir, n))
				s += fmt.Sprintf("\n%s/%s %x", dir, n, data)
			}
		}
		return s
	}
	for seed := uint64(1); seed <= 20; seed++ {
		require.Equal(t, outcome(seed), outcome(seed), "seed %d", seed)
	}
	require.NotEqual(t, outcome(1), outcome(2))
}

// TestMemFSCorrupt: Corrupt flips exactly one bit, in a byte that was synced.
func TestMemFSCorrupt(t *testing.T) {
	for seed := uint64(1); seed <= 100; seed++ {
		m := newMem(seed)
		require.NoError(t, m.MkdirAll("/d"))
		_, ok := m.Corrupt()
		require.False(t, ok, "nothing synced yet, seed %d", seed)
		want := map[string][]byte{}
		synced := map[string]int{}
		for i, name := range []string{"/d/a", "/d/b", "/d/c"} {
			f, err := m.Create(name)
			require.NoError(t, err)
			data := bytes.Repeat([]byte{byte(i + 1)}, 10+i*7)
			_, err = f.Write(data[:len(data)/2])
			require.NoError(t, err)
			require.NoError(t, f.Sync())
			_, err = f.Write(data[len(data)/2:])
			require.NoError(t, err)
			want[name], synced[name] = data, len(data)/2
		}
		where, ok := m.Corrupt()
		require.True(t, ok)
		diffs := 0
		for name, data := range want {
			got, err := m.ReadFile(name)
			require.NoError(t, err)
			for i := range data {
				if x := got[i] ^ data[i]; x != 0 {
					diffs++
					require.Equal(t, 1, bitsSet(x), "seed %d: %s", seed, where)
					require.Less(t, i, synced[name], "seed %d: flipped an unsynced byte: %s", seed, where)
				}
			}
		}
		require.Equal(t, 1, diffs, "seed %d: %s", seed, where)
	}
}

func bitsSet(x byte) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}
