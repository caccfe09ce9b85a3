package nemesis

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSelect(t *testing.T) {
	for n := 1; n <= 7; n++ {
		ns := nodes(n)
		majority := n/2 + 1
		want := map[string]int{One: 1, MinorityThird: (n - 1) / 3, Minority: majority - 1, Majority: majority, All: n}
		randomSizes := map[int]bool{}
		for seed := range uint64(200) {
			rng := rand.New(rand.NewPCG(seed, 3))
			for _, spec := range Targets {
				got := Select(spec, ns, rng)
				assert.True(t, isSubsequence(got, ns), "n=%d %q: %v is not in cluster order, or repeats", n, spec, got)
				if spec == Random {
					assert.NotEmpty(t, got, "n=%d: a random subset is never empty", n)
					randomSizes[len(got)] = true
					continue
				}
				assert.Len(t, got, want[spec], "n=%d %q", n, spec)
			}
		}
		assert.Len(t, randomSizes, n, "n=%d: a random subset takes every size from 1 to N", n)
	}
	assert.Equal(t, []string{"n0", "n1", "n2"}, Select(All, nodes(3), nil))
	assert.Empty(t, Select(MinorityThird, nodes(3), rand.New(rand.NewPCG(1, 1))), "none for N <= 3")
	assert.Panics(t, func() { Select("primaries", nodes(3), nil) })
}

// isSubsequence reports whether sub lists distinct members of all in the
// order all lists them.
func isSubsequence(sub, all []string) bool {
	i := 0
	for _, s := range sub {
		for i < len(all) && all[i] != s {
			i++
		}
		if i == len(all) {
			return false
		}
		i++
	}
	return true
}

// plan draws k ops, the nemesis being free as soon as each op is due (ops
// take no time).
func plan(faults []string, n int, interval time.Duration, seed uint64, k int) []Op {
	s := NewSchedule(faults, nodes(n), interval, rand.New(rand.NewPCG(seed, seed)))
	var ops []Op
	var now time.Duration
	for range k {
		op, ok := s.Next(now)
		if !ok {
			break
		}
		ops = append(ops, op)
		now = op.At
	}
	return ops
}

func fs(ops []Op) []string {
	var out []string
	for _, op := range ops {
		out = append(out, op.F)
	}
	return out
}

// only keeps the ops whose f is among fs.
func only(ops []Op, fs ...string) []Op {
	var out []Op
	for _, op := range ops {
		if slices.Contains(fs, op.F) {
			out = append(out, op)
		}
	}
	return out
}

// TestKillAndPauseFlipFlops draws the db package's schedule over many seeds:
// each fault alternates (kill, start, kill, ... and pause, resume, ...), the
// two are mixed about evenly, the first op is due at 0 and each later one
// U[0, 2 x interval) after the previous, a kill or pause draws every target
// spec with the right number of nodes, and a start or resume acts on all.
func TestKillAndPauseFlipFlops(t *testing.T) {
	const interval = time.Second
	for seed := range uint64(20) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			ops := plan([]string{Kill, Pause}, 5, interval, seed, 400)
			require.Len(t, ops, 400)
			assert.Zero(t, ops[0].At, "the first op at t=0")
			for i := 1; i < len(ops); i++ {
				gap := ops[i].At - ops[i-1].At
				assert.True(t, gap >= 0 && gap < 2*interval, "op %d: gap %v outside [0, 2 x interval)", i, gap)
			}
			for _, pair := range [][2]string{{FKill, FStart}, {FPause, FResume}} {
				seq := only(ops, pair[0], pair[1])
				for i, op := range seq {
					assert.Equal(t, pair[i%2], op.F, "%s/%s op %d of %v", pair[0], pair[1], i, fs(seq))
				}
				assert.InDelta(t, 200, len(seq), 60, "gen/mix picks each mode about half the time")
			}
			specs := map[string]int{}
			for _, op := range ops {
				switch op.F {
				case FKill, FPause:
					specs[op.Spec]++
					assert.True(t, isSubsequence(op.Nodes, nodes(5)))
					if op.Spec == Random {
						assert.NotEmpty(t, op.Nodes)
					} else {
						assert.Len(t, op.Nodes, map[string]int{One: 1, MinorityThird: 1, Minority: 2, Majority: 3, All: 5}[op.Spec], "%s %q", op.F, op.Spec)
					}
				case FStart, FResume:
					assert.Equal(t, All, op.Spec)
					assert.Equal(t, nodes(5), op.Nodes)
				default:
					t.Fatalf("unexpected op %s", op.F)
				}
			}
			assert.Len(t, specs, len(Targets), "every target spec is drawn: %v", specs)
		})
	}
}

// TestStreamsAreStaggeredApart: with partitions and kills, each package keeps
// its own stagger and its own random source, so the partition ops are the
// very ones a partition-only schedule draws from the same seed, and the two
// streams both start at 0, the partition first.
func TestStreamsAreStaggeredApart(t *testing.T) {
	for seed := range uint64(20) {
		both := plan([]string{Partition, Kill}, 5, time.Second, seed, 300)
		alone := plan([]string{Partition}, 5, time.Second, seed, 300)
		parts := only(both, StartPartition, StopPartition)
		require.NotEmpty(t, parts)
		assert.Equal(t, alone[:len(parts)], parts, "seed %d", seed)
		assert.Equal(t, StartPartition, both[0].F)
		assert.Equal(t, FKill, both[1].F)
		assert.Zero(t, both[1].At, "the db package also starts at 0")
		for i, op := range parts {
			assert.Equal(t, []string{StartPartition, StopPartition}[i%2], op.F)
		}
		for i, op := range only(both, FKill, FStart) {
			assert.Equal(t, []string{FKill, FStart}[i%2], op.F)
		}
	}
}

// TestLateOpsComeAtOnce: an op asked for after it was due comes at once, and
// the next gap counts from then, as gen/stagger does when the nemesis was
// busy (a start waiting for init_ok).
func TestLateOpsComeAtOnce(t *testing.T) {
	s := NewSchedule([]string{Kill}, nodes(3), time.Second, rand.New(rand.NewPCG(7, 7)))
	first, _ := s.Next(0)
	assert.Zero(t, first.At)
	second, _ := s.Next(10 * time.Second)
	assert.Equal(t, 10*time.Second, second.At, "late: due now")
	third, _ := s.Next(10 * time.Second)
	assert.GreaterOrEqual(t, third.At, 10*time.Second)
	assert.Less(t, third.At, 12*time.Second)
}

func TestScheduleIsSeeded(t *testing.T) {
	faults := []string{Partition, Kill, Pause}
	a, b := plan(faults, 5, time.Second, 42, 100), plan(faults, 5, time.Second, 42, 100)
	assert.Equal(t, a, b, "one seed, one schedule")
	assert.NotEqual(t, a, plan(faults, 5, time.Second, 43, 100))
	_, ok := NewSchedule(nil, nodes(3), time.Second, rand.New(rand.NewPCG(1, 1))).Next(0)
	assert.False(t, ok, "no faults, no ops")
	assert.Panics(t, func() { NewSchedule([]string{"clock"}, nodes(3), time.Second, rand.New(rand.NewPCG(1, 1))) })
}

func TestFinalResumesThenStartsEveryNode(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	final := NewSchedule([]string{Kill, Pause, Partition}, nodes(3), time.Second, rng).Final()
	assert.Equal(t, []string{FResume, FStart}, fs(final))
	for _, op := range final {
		assert.Equal(t, nodes(3), op.Nodes)
	}
	assert.Equal(t, []string{FStart}, fs(NewSchedule([]string{Kill}, nodes(3), time.Second, rng).Final()))
	assert.Empty(t, NewSchedule([]string{Partition}, nodes(3), time.Second, rng).Final(), "lin-kv records no final heal")
}
