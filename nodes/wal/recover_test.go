package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// written is a log built on a MemFS: its saves, its file, and where each frame ends.
type written struct {
	saves []consensus.Stable
	name  string
	data  []byte
	ends  []int // ends[i] is the file's length after saves[:i]
}

// writeLog saves n batches (no snapshots, so all frames stay in one file).
func writeLog(t *testing.T, seed uint64, n int) written {
	t.Helper()
	m := newMem(seed)
	l, _ := openT(t, m, nil)
	w := written{saves: script(rand.New(rand.NewPCG(seed, 2)), n, false)}
	_, data := genFile(t, m)
	w.ends = append(w.ends, len(data))
	for _, s := range w.saves {
		require.NoError(t, l.Save(s))
		_, data = genFile(t, m)
		w.ends = append(w.ends, len(data))
	}
	w.name, w.data = genFile(t, m)
	return w
}

// requireUsable saves one more batch on a recovered log and checks that the next recovery
// returns it after want, still damaged or not as before.
func requireUsable(t *testing.T, m *MemFS, l *Log, want consensus.Recovered, damaged bool, msg string) {
	t.Helper()
	extra := consensus.Stable{Records: []consensus.Record{{Index: 99, Data: []byte("after")}}}
	require.NoError(t, l.Save(extra), msg)
	want.Records = append(slices.Clone(want.Records), extra.Records...)
	_, rec := openT(t, m, nil)
	require.Equal(t, damaged, rec.Damaged, msg)
	requireContents(t, want, rec, msg)
}

// TestTornTailAtEveryOffset cuts the last frame at every byte, and also zero-fills it from
// every byte (a file system that grew the file before writing its data): recovery drops that
// frame, logs it, is not damaged, and the log goes on working after the cut.
func TestTornTailAtEveryOffset(t *testing.T) {
	w := writeLog(t, 3, 10)
	last := w.ends[len(w.ends)-2]
	want := model(w.saves[:len(w.saves)-1])
	for cut := last; cut < len(w.data); cut++ {
		for _, zeros := range []bool{false, true} {
			content := slices.Clone(w.data[:cut])
			if zeros {
				content = append(content, make([]byte, len(w.data)-cut)...)
			}
			m := memWith(t, w.name, content)
			var lines logLines
			l, rec := openT(t, m, &lines)
			msg := "cut at " + itoa(cut) + " zeros " + itoa(boolInt(zeros))
			require.False(t, rec.Damaged, msg+"\n"+lines.String())
			requireContents(t, want, rec, msg)
			require.Equal(t, cut > last || zeros, lines.has("torn tail"), msg+"\n"+lines.String())
			requireUsable(t, m, l, want, false, msg)
		}
	}
}

// TestBitFlipInAnyFrameIsDamage flips every bit of a middle frame and of the last one. A
// frame that is all there and fails its checksum was written whole and changed after, and so
// may have been acknowledged: recovery must say Damaged, return the intact frames before it,
// and the newest State of the intact frames after it, and keep saying Damaged across
// restarts until Repaired.
func TestBitFlipInAnyFrameIsDamage(t *testing.T) {
	w := writeLog(t, 5, 8)
	for _, k := range []int{3, len(w.saves) - 1} {
		want := model(w.saves[:k])
		for _, s := range w.saves[k+1:] {
			if s.State != nil {
				want.State = s.State
			}
		}
		for pos := w.ends[k]; pos < w.ends[k+1]; pos++ {
			for bit := range 8 {
				content := slices.Clone(w.data)
				content[pos] ^= 1 << bit
				m := memWith(t, w.name, content)
				var lines logLines
				l, rec := openT(t, m, &lines)
				msg := "frame " + itoa(k) + " byte " + itoa(pos) + " bit " + itoa(bit)
				require.True(t, rec.Damaged, msg+"\n"+lines.String())
				requireContents(t, want, rec, msg)
				require.True(t, lines.has("recovering as damaged"), msg)
				names, err := m.ReadDir(nodeDir)
				require.NoError(t, err)
				require.Contains(t, names, w.name+".damaged", msg)
				if bit != 0 {
					continue // the slower checks below once per byte
				}
				requireUsable(t, m, l, want, true, msg)
				l, rec = openT(t, m, nil)
				require.True(t, rec.Damaged, msg)
				if pos%2 == 0 {
					require.NoError(t, l.Repaired())
				} else { // the core's word, as the server saves it
					require.NoError(t, l.Save(consensus.Stable{Repaired: true}))
				}
				_, rec2 := openT(t, m, nil)
				require.False(t, rec2.Damaged, msg)
				requireContents(t, rec, rec2, msg)
			}
		}
	}
}

// TestAnotherNodesLog: a file written by n2 found in n1's directory is set aside as foreign
// and n1 starts empty and damaged (it may have held state that this file replaced).
func TestAnotherNodesLog(t *testing.T) {
	m2 := newMem(1)
	l2, _, err := Open(m2, testDir, "n2", nil)
	require.NoError(t, err)
	require.NoError(t, l2.Save(consensus.Stable{State: []byte("n2 state"), Records: []consensus.Record{{Index: 1, Data: []byte("x")}}}))
	names, err := m2.ReadDir(filepath.Join(testDir, "n2"))
	require.NoError(t, err)
	require.Len(t, names, 1)
	data, err := m2.ReadFile(filepath.Join(testDir, "n2", names[0]))
	require.NoError(t, err)

	m := memWith(t, names[0], data)
	var lines logLines
	_, rec := openT(t, m, &lines)
	require.True(t, rec.Damaged)
	requireContents(t, consensus.Recovered{}, rec)
	require.True(t, lines.has(`the log of node "n2", not "n1"`), lines.String())
	after, err := m.ReadDir(nodeDir)
	require.NoError(t, err)
	require.Contains(t, after, names[0]+".foreign")
	_, rec = openT(t, m, nil)
	require.True(t, rec.Damaged, "the damage mark must outlive a restart")
}

// TestFilesThatAreNoLog: an empty file, random bytes, every cut of a header, a header whose
// generation is not its file name's, a header with a flipped bit. Each is logged, set aside,
// and recovered as damaged and empty, and the log works after.
func TestFilesThatAreNoLog(t *testing.T) {
	valid, _ := encodeFileHeader(1, "n1")
	cases := map[string][]byte{"empty": {}}
	rng := rand.New(rand.NewPCG(9, 9))
	random := make([]byte, 1000)
	for i := range random {
		random[i] = byte(rng.UintN(256))
	}
	cases["random bytes"] = random
	cases["random bytes after the magic"] = append([]byte(magic), random...)
	for n := 1; n < len(valid); n++ {
		cases["header cut at "+itoa(n)] = valid[:n]
	}
	other, _ := encodeFileHeader(2, "n1")
	cases["generation 2 named 1"] = other
	for i := range valid {
		flipped := slices.Clone(valid)
		flipped[i] ^= 0x10
		cases["header byte "+itoa(i)+" flipped"] = flipped
	}
	for name, data := range cases {
		m := memWith(t, genName(1), data)
		var lines logLines
		l, rec := openT(t, m, &lines)
		require.True(t, rec.Damaged, name)
		requireContents(t, consensus.Recovered{}, rec, name)
		require.True(t, lines.has("setting it aside, recovering as damaged"), name+"\n"+lines.String())
		names, err := m.ReadDir(nodeDir)
		require.NoError(t, err)
		require.Equal(t, []string{genName(1) + ".damaged", genName(2)}, names, name)
		requireUsable(t, m, l, consensus.Recovered{}, true, name)
	}
}

// TestUnknownVersion: a file with an intact header of a later format is not ours to set
// aside; Open refuses it and leaves it as it is.
func TestUnknownVersion(t *testing.T) {
	h, _ := encodeFileHeader(1, "n1")
	binary.LittleEndian.PutUint16(h[len(magic):], formatVersion+1)
	binary.LittleEndian.PutUint32(h[len(h)-4:], crc32.Checksum(h[:len(h)-4], castagnoli))
	m := memWith(t, genName(1), h)
	_, _, err := Open(m, testDir, "n1", nil)
	require.ErrorIs(t, err, ErrVersion)
	data, err := m.ReadFile(filepath.Join(nodeDir, genName(1)))
	require.NoError(t, err)
	require.Equal(t, h, data)
}

// TestLeftoversOfACompaction: an unfinished generation under its temporary name and an older
// generation both go, and the newest generation is what is recovered.
func TestLeftoversOfACompaction(t *testing.T) {
	m := newMem(1)
	l, _ := openT(t, m, nil)
	saves := []consensus.Stable{
		{State: []byte("a"), Records: []consensus.Record{{Index: 1, Data: []byte("r1")}}},
		{Snapshot: &consensus.Snapshot{Index: 1, Data: []byte("s1")}, Records: []consensus.Record{{Index: 2}}},
	}
	require.NoError(t, l.Save(saves[0]))
	old, oldData := genFile(t, m)
	require.NoError(t, l.Save(saves[1]))
	for _, name := range []string{old, genName(9) + tmpSuffix} {
		f, err := m.Create(filepath.Join(nodeDir, name))
		require.NoError(t, err)
		_, err = f.Write(oldData)
		require.NoError(t, err)
	}
	var lines logLines
	_, rec := openT(t, m, &lines)
	require.False(t, rec.Damaged)
	requireContents(t, model(saves), rec)
	require.True(t, lines.has("left unfinished by a crash"), lines.String())
	names, err := m.ReadDir(nodeDir)
	require.NoError(t, err)
	require.Equal(t, []string{genName(2)}, names)
}

func itoa(i int) string { return strconv.Itoa(i) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// crashSeeds is how many different crashes each call is crashed with.
const crashSeeds = 16

// atEveryCall crashes the machine before call k = 0, 1, 2, ... of an operation, with
// crashSeeds different crashes each, until the operation finishes before its crash: try
// runs the operation crashing before call k and reports whether it finished.
func atEveryCall(try func(k int, seed uint64, msg string) (finished bool)) {
	for k := 0; ; k++ {
		finished := false
		for seed := uint64(1); seed <= crashSeeds; seed++ {
			if try(k, seed, fmt.Sprintf("crash before call %d, seed %d", k, seed)) {
				finished = true
			}
		}
		if finished {
			return
		}
	}
}

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
			atEveryCall(func(k int, seed uint64, msg string) (finished bool) {
				m := newMem(seed)
				fsys, c := crashFS(m, -1)
				l, _ := openT(t, fsys, nil)
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
				return finished
			})
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
			atEveryCall(func(k int, seed uint64, msg string) (finished bool) {
				m := tc.setup(seed)
				m.rng = rand.New(rand.NewPCG(seed, 3))
				fsys, c := crashFS(m, k)
				if _, _, err := Open(fsys, testDir, "n1", nil); !c.crashed {
					require.NoError(t, err, msg)
					finished = true
					m.Crash()
				}
				l, rec := openT(t, m, nil)
				require.Equal(t, tc.damaged, rec.Damaged, msg)
				requireContents(t, tc.want, rec, msg)
				requireUsable(t, m, l, tc.want, tc.damaged, msg)
				return finished
			})
		})
	}
}
