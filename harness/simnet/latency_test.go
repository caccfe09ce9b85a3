package simnet

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// sample draws k delays and returns them with their mean.
func sample(l Latency, r *rand.Rand, k int) ([]int64, float64) {
	out := make([]int64, k)
	sum := 0.0
	for i := range out {
		out[i] = l.Draw(r)
		sum += float64(out[i])
	}
	return out, sum / float64(k)
}

// TestMaelstromDistributions: the three --latency-dist names give Maelstrom's draws: exactly
// the mean, a uniform integer in [0, 2 mean), and an exponential truncated to whole
// milliseconds, draw for draw the formula the harness used before it shared this model.
func TestMaelstromDistributions(t *testing.T) {
	c, err := Maelstrom("constant", 10)
	require.NoError(t, err)
	r := seeded(1)
	ds, _ := sample(c, r, 100)
	for _, d := range ds {
		require.Equal(t, int64(10), d)
	}
	require.Equal(t, seeded(1).Uint64(), r.Uint64(), "a constant draws no randomness")

	u, err := Maelstrom("uniform", 10)
	require.NoError(t, err)
	seen := map[int64]bool{}
	ds, mean := sample(u, seeded(2), 20000)
	for _, d := range ds {
		require.True(t, d >= 0 && d <= 19, "uniform draw %d outside [0, 20)", d)
		seen[d] = true
	}
	assert.Len(t, seen, 20, "every integer of [0, 20) is drawn")
	assert.InDelta(t, 9.5, mean, 0.2)

	e, err := Maelstrom("exponential", 10)
	require.NoError(t, err)
	r1, r2 := seeded(3), seeded(3)
	for range 1000 {
		require.Equal(t, int64(r2.ExpFloat64()*10), e.Draw(r1))
	}

	_, err = Maelstrom("gaussian", 10)
	require.Error(t, err)
}

// TestZeroDelaysDrawNothing: a model that needs no randomness consumes none, so turning a
// feature off never shifts a seed's other draws.
func TestZeroDelaysDrawNothing(t *testing.T) {
	for _, l := range []Latency{
		{}, {Dist: Exponential}, {Dist: Pareto}, {Dist: Uniform, Min: 3, Max: 3},
		{Dist: Uniform, Max: -1}, {Dist: Constant, Mean: 7, Slow: Spike{Min: 5, Max: 9}},
	} {
		r := seeded(4)
		d := l.Draw(r)
		assert.GreaterOrEqual(t, d, int64(0), l.String())
		assert.Equal(t, seeded(4).Uint64(), r.Uint64(), "%s drew randomness", l)
		assert.False(t, l.Random(), l.String())
	}
	for _, l := range []Latency{
		{Dist: Exponential, Mean: 1}, {Dist: Pareto, Mean: 1, Shape: 2}, {Dist: Uniform, Max: 1},
		{Dist: Constant, Mean: 7, Slow: Spike{P: 0.5, Min: 5, Max: 9}},
	} {
		r := seeded(4)
		l.Draw(r)
		assert.NotEqual(t, seeded(4).Uint64(), r.Uint64(), "%s drew no randomness", l)
		assert.True(t, l.Random(), l.String())
	}
}

func TestUniformRange(t *testing.T) {
	l := Latency{Dist: Uniform, Min: 5, Max: 8}
	seen := map[int64]int{}
	ds, _ := sample(l, seeded(5), 4000)
	for _, d := range ds {
		seen[d]++
	}
	require.Len(t, seen, 4)
	for d := int64(5); d <= 8; d++ {
		assert.InDelta(t, 1000, seen[d], 150, "value %d", d)
	}
}

// TestParetoIsHeavyTailed: the Pareto model has the mean it is given and a tail far heavier
// than the exponential's of the same mean, and Cap bounds it.
func TestParetoIsHeavyTailed(t *testing.T) {
	_, mean := sample(Latency{Dist: Pareto, Mean: 20, Shape: 4}, seeded(6), 50000)
	assert.InDelta(t, 19.5, mean, 1, "mean of a light Pareto")

	tail := func(l Latency) int {
		ds, _ := sample(l, seeded(7), 50000)
		n := 0
		for _, d := range ds {
			if d > 200 {
				n++
			}
		}
		return n
	}
	heavy := tail(Latency{Dist: Pareto, Mean: 20, Shape: 1.2})
	light := tail(Latency{Dist: Exponential, Mean: 20})
	assert.Greater(t, heavy, 250, "about 0.7%% of Pareto(mean 20, shape 1.2) draws exceed 10x the mean")
	assert.Less(t, light, 10, "exp(-10) of exponential draws exceed 10x the mean")

	ds, _ := sample(Latency{Dist: Pareto, Mean: 20, Shape: 1.1, Cap: 300}, seeded(8), 50000)
	for _, d := range ds {
		require.LessOrEqual(t, d, int64(300))
	}
}

// TestSlowMakesItBimodal: a fraction P of messages take the slow extra delay, the rest none.
func TestSlowMakesItBimodal(t *testing.T) {
	l := Latency{Dist: Constant, Mean: 2, Slow: Spike{P: 0.1, Min: 100, Max: 300}}
	ds, _ := sample(l, seeded(9), 20000)
	assert.InDelta(t, 2000, countSlow(t, ds, 2, 102, 302), 150)
}

// countSlow checks that every delay is either fast or in [lo, hi], and counts the latter.
func countSlow(t *testing.T, delays []int64, fast, lo, hi int64) int {
	t.Helper()
	slow := 0
	for _, d := range delays {
		switch {
		case d == fast:
		case d >= lo && d <= hi:
			slow++
		default:
			t.Fatalf("delay %d is neither %d nor in [%d, %d]", d, fast, lo, hi)
		}
	}
	return slow
}

func TestLatencyString(t *testing.T) {
	for l, want := range map[Latency]string{
		{Dist: Constant, Mean: 10}:                        "constant 10ms",
		{Dist: Uniform, Max: 19}:                          "uniform 0..19ms",
		{Dist: Exponential, Mean: 100}:                    "exponential mean=100ms",
		{Dist: Pareto, Mean: 5, Shape: 1.5, Cap: 900}:     "pareto mean=5ms shape=1.5 cap=900ms",
		{Slow: Spike{P: 0.05, Min: 10, Max: 90}, Mean: 1}: "constant 1ms slow=5% +10..90ms",
	} {
		assert.Equal(t, want, l.String())
	}
}
