package wal

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// fuzzLog is a log file of generation gen and what recovery may return from it: want[k] is
// the contents after its first k intact frames.
type fuzzLog struct {
	data   []byte
	want   []consensus.Recovered
	states map[string]bool // every State saved
}

// fuzzLogs writes three logs: generation 1 (no snapshot), 2 (one), 3 (two). A generation's
// first frame holds everything saved up to the snapshot that started it.
func fuzzLogs(t testing.TB) map[uint64]fuzzLog {
	logs := map[uint64]fuzzLog{}
	for gen := uint64(1); gen <= 3; gen++ {
		saves := script(rand.New(rand.NewPCG(gen, 5)), 12, false)
		for i := range gen - 1 {
			saves[i].Snapshot = &consensus.Snapshot{Index: i + 1, Data: []byte{byte(i)}}
		}
		m := newMem(gen)
		l, _ := openT(t, m, nil)
		saveAll(t, l, saves)
		name, data := genFile(t, m)
		require.Equal(t, genName(gen), name)
		fl := fuzzLog{data: data, want: []consensus.Recovered{{}}, states: map[string]bool{}}
		base := int(gen - 1) // the saves the first frame holds
		if base > 0 {
			fl.want = append(fl.want, model(saves[:base]))
		}
		for k := base + 1; k <= len(saves); k++ {
			fl.want = append(fl.want, model(saves[:k]))
		}
		for _, s := range saves {
			if s.State != nil {
				fl.states[string(s.State)] = true
			}
		}
		logs[gen] = fl
	}
	return logs
}

// FuzzOpen hands Open any bytes as the content of a generation file. It must never panic or
// fail, and what it returns must be what the log held after some number of its intact
// frames, so never a record that was not saved; a State that is not that prefix's must come
// with Damaged and be one that was saved. The log must then work: a second Open returns the
// same, and a batch saved after it comes back.
func FuzzOpen(f *testing.F) {
	logs := fuzzLogs(f)
	for gen, fl := range logs {
		f.Add(uint8(gen), fl.data)
		f.Add(uint8(gen), fl.data[:len(fl.data)-5])
		flipped := slices.Clone(fl.data)
		flipped[len(flipped)/2] ^= 1
		f.Add(uint8(gen), flipped)
	}
	f.Add(uint8(1), []byte("random bytes"))
	f.Fuzz(func(t *testing.T, g uint8, data []byte) {
		gen := uint64(g%3) + 1
		fl := logs[gen]
		m := memWith(t, genName(gen), data)
		l, rec, err := Open(m, testDir, "n1", nil)
		require.NoError(t, err)
		// Two prefixes can differ in State alone (a frame whose records are all at or below
		// the snapshot), so an undamaged recovery must match one whole, State included.
		k := slices.IndexFunc(fl.want, func(w consensus.Recovered) bool {
			if rec.Damaged {
				w.State = rec.State
			}
			return contentsDiff(w, rec) == ""
		})
		require.GreaterOrEqual(t, k, 0, "not what the log held after any number of its frames:\n%s",
			contentsDiff(consensus.Recovered{}, rec))
		if rec.State != nil {
			require.True(t, fl.states[string(rec.State)], "a state never saved: %q", rec.State)
		}
		require.NoError(t, l.Close())

		l, rec2, err := Open(m, testDir, "n1", nil)
		require.NoError(t, err)
		require.Equal(t, rec.Damaged, rec2.Damaged)
		requireContents(t, rec, rec2, "a second recovery differs")
		requireUsable(t, m, l, rec2, rec2.Damaged, "after recovery")
	})
}
