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

// crashFS lets left mutating calls through to a MemFS, then crashes it in place of the next
// one and fails every call after. left < 0 never crashes.
type crashFS struct {
	*MemFS
	left    int
	crashed bool
}

var errCrashed = errors.New("crashed")

func (c *crashFS) op() error {
	switch {
	case c.crashed:
		return errCrashed
	case c.left == 0:
		c.MemFS.Crash()
		c.crashed = true
		return errCrashed
	case c.left > 0:
		c.left--
	}
	return nil
}

func (c *crashFS) MkdirAll(dir string) error {
	if err := c.op(); err != nil {
		return err
	}
	return c.MemFS.MkdirAll(dir)
}

func (c *crashFS) ReadDir(dir string) ([]string, error) {
	if c.crashed {
		return nil, errCrashed
	}
	return c.MemFS.ReadDir(dir)
}

func (c *crashFS) ReadFile(name string) ([]byte, error) {
	if c.crashed {
		return nil, errCrashed
	}
	return c.MemFS.ReadFile(name)
}

func (c *crashFS) Create(name string) (File, error) {
	if err := c.op(); err != nil {
		return nil, err
	}
	f, err := c.MemFS.Create(name)
	return &crashFile{f, c}, err
}

func (c *crashFS) OpenAppend(name string) (File, error) {
	if c.crashed {
		return nil, errCrashed
	}
	f, err := c.MemFS.OpenAppend(name)
	return &crashFile{f, c}, err
}

func (c *crashFS) Rename(oldName, newName string) error {
	if err := c.op(); err != nil {
		return err
	}
	return c.MemFS.Rename(oldName, newName)
}

func (c *crashFS) Remove(name string) error {
	if err := c.op(); err != nil {
		return err
	}
	return c.MemFS.Remove(name)
}

func (c *crashFS) SyncDir(dir string) error {
	if err := c.op(); err != nil {
		return err
	}
	return c.MemFS.SyncDir(dir)
}

type crashFile struct {
	File
	c *crashFS
}

func (f *crashFile) Write(p []byte) (int, error) {
	if err := f.c.op(); err != nil {
		return 0, err
	}
	return f.File.Write(p)
}

func (f *crashFile) Sync() error {
	if err := f.c.op(); err != nil {
		return err
	}
	return f.File.Sync()
}

func (f *crashFile) Truncate(size int64) error {
	if err := f.c.op(); err != nil {
		return err
	}
	return f.File.Truncate(size)
}

const crashSeeds = 16

// TestSaveCrashAtEveryStep crashes the machine before each file-system call of a Save (a
// plain batch, and a snapshot that starts a new generation), and after its last, with
// crashSeeds different crashes each: recovery must find the state before the Save or the
// state after it (only the latter once Save has returned), never damage, never a mix, and the
// log must work after.
func TestSaveCrashAtEveryStep(t *testing.T) {
	before := []consensus.Stable{
		{State: []byte("t1"), Records: []consensus.Record{{Index: 1, Data: []byte("a")}, {Index: 2, Data: []byte("b")}}},
		{Records: []consensus.Record{{Index: 3, Data: []byte("c")}}},
	}
	for name, step := range map[string]consensus.Stable{
		"batch": {State: []byte("t2"), Records: []consensus.Record{{Index: 4, Data: []byte("d")}}},
		"snapshot": {State: []byte("t2"), Records: []consensus.Record{{Index: 4, Data: []byte("d")}},
			Snapshot: &consensus.Snapshot{Index: 2, Data: []byte("s2")}},
	} {
		t.Run(name, func(t *testing.T) {
			oldWant, newWant := model(before), model(append(slices.Clone(before), step))
			seen := map[string]bool{}
			for k := 0; ; k++ {
				finished := false
				for seed := uint64(1); seed <= crashSeeds; seed++ {
					msg := fmt.Sprintf("crash before call %d, seed %d", k, seed)
					m := newMem(seed)
					c := &crashFS{MemFS: m, left: -1}
					l, _ := openT(t, c, nil)
					saveAll(t, l, before)
					c.left = k
					if err := l.Save(step); !c.crashed {
						require.NoError(t, err, msg)
						finished = true
						m.Crash()
					}
					l, rec := openT(t, m, nil)
					require.False(t, rec.Damaged, msg)
					want, got := oldWant, "old"
					if describeRecords(rec.Records) == describeRecords(newWant.Records) {
						want, got = newWant, "new"
					}
					requireContents(t, want, rec, msg)
					if finished {
						require.Equal(t, "new", got, "%s: a Save that returned is lost", msg)
					}
					seen[got] = true
					requireUsable(t, m, l, want, false, msg)
				}
				if finished {
					break
				}
			}
			require.Equal(t, map[string]bool{"old": true, "new": true}, seen, "crashes never produced both outcomes")
		})
	}
}

// TestOpenCrashAtEveryStep crashes the machine at every call of an Open that has work to do:
// a first start, a torn tail to cut, and a damaged log to replace. The next Open must find
// what the interrupted one would have: empty; the intact frames; damage, with the same
// contents, because the damage mark must not be lost on the way to being written.
func TestOpenCrashAtEveryStep(t *testing.T) {
	w := writeLog(t, 11, 6)
	torn := slices.Clone(w.data[:len(w.data)-3])
	flipped := slices.Clone(w.data)
	flipped[w.ends[3]+frameHeaderLen] ^= 4
	damagedWant := model(w.saves[:3])
	for _, s := range w.saves[4:] {
		if s.State != nil {
			damagedWant.State = s.State
		}
	}
	cases := []struct {
		name    string
		setup   func(seed uint64) *MemFS
		want    consensus.Recovered
		damaged bool
	}{
		{"first start", newMem, consensus.Recovered{}, false},
		{"torn tail", func(uint64) *MemFS { return memWith(t, w.name, torn) }, model(w.saves[:len(w.saves)-1]), false},
		{"damaged", func(uint64) *MemFS { return memWith(t, w.name, flipped) }, damagedWant, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k := 0; ; k++ {
				finished := false
				for seed := uint64(1); seed <= crashSeeds; seed++ {
					msg := fmt.Sprintf("crash before call %d, seed %d", k, seed)
					m := tc.setup(seed)
					m.rng = rand.New(rand.NewPCG(seed, 3))
					c := &crashFS{MemFS: m, left: k}
					if _, _, err := Open(c, testDir, "n1", nil); !c.crashed {
						require.NoError(t, err, msg)
						finished = true
						m.Crash()
					}
					l, rec := openT(t, m, nil)
					require.Equal(t, tc.damaged, rec.Damaged, msg)
					requireContents(t, tc.want, rec, msg)
					requireUsable(t, m, l, tc.want, tc.damaged, msg)
				}
				if finished {
					break
				}
			}
		})
	}
}
