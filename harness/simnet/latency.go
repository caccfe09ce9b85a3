package simnet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// Dist names the shape of a latency distribution.
type Dist uint8

// The distributions. The first three are Maelstrom's (--latency-dist); Pareto is the heavy
// tail that makes a rare message far slower than the rest, which uniform and exponential
// latencies practically never do.
const (
	// Constant: every message takes Mean.
	Constant Dist = iota
	// Uniform: a whole number of milliseconds drawn uniformly from [Min, Max].
	Uniform
	// Exponential: exponential with mean Mean.
	Exponential
	// Pareto: Pareto with mean Mean and shape Shape (the smaller the shape, the heavier the
	// tail; it must be above 1 for the mean to exist).
	Pareto
)

var distNames = [...]string{"constant", "uniform", "exponential", "pareto"}

// String returns the distribution's name as --latency-dist spells it.
func (d Dist) String() string { return name(distNames[:], int(d), "dist") }

// name returns names[i], or kind(i) for a value out of the table.
func name(names []string, i int, kind string) string {
	if i < len(names) {
		return names[i]
	}
	return fmt.Sprintf("%s(%d)", kind, i)
}

// Spike is an occasional extra delay: with probability P a message is delayed by a whole
// number of milliseconds drawn uniformly from [Min, Max] on top of its usual latency.
type Spike struct {
	P        float64
	Min, Max int64
}

// On reports whether the spike ever happens.
func (s Spike) On() bool { return s.P > 0 }

// draw returns the extra delay of one message. It draws nothing when the spike is off, so a
// model without spikes consumes the same random numbers as before they existed.
func (s Spike) draw(r *rand.Rand) int64 {
	if s.P <= 0 || r.Float64() >= s.P {
		return 0
	}
	return between(r, s.Min, s.Max)
}

// String describes the spike, for example "5% +100..900ms".
func (s Spike) String() string {
	return fmt.Sprintf("%.3g%% +%d..%dms", 100*s.P, s.Min, s.Max)
}

// Latency is the one model of one-way message delay in the tree: the simulated network
// draws every message's delay from it, and so does the harness's real-time network, so a
// distribution means the same thing in a simulation and in a harness run. Delays are whole
// milliseconds (Maelstrom truncates its draws the same way), the unit of virtual time.
type Latency struct {
	// Dist is the shape of the base delay.
	Dist Dist
	// Mean, in milliseconds, is the value of Constant and the mean of Exponential and
	// Pareto. A zero mean is zero delay, drawn without consuming randomness.
	Mean float64
	// Min and Max bound Uniform, inclusive. Maelstrom's uniform with mean m is [0, 2m-1].
	Min, Max int64
	// Shape is Pareto's shape parameter (alpha), above 1.
	Shape float64
	// Cap, when positive, bounds the base delay, so that a heavy tail still lets a run end.
	Cap int64
	// Slow makes the distribution bimodal: most messages take the base delay, a fraction P
	// take Slow's extra delay on top.
	Slow Spike
}

// Maelstrom returns the latency Maelstrom draws for --latency-dist dist and --latency mean
// (in milliseconds): constant, uniform integer in [0, 2 mean), or exponential with that
// mean.
func Maelstrom(dist string, mean float64) (Latency, error) {
	switch dist {
	case "constant":
		return Latency{Dist: Constant, Mean: mean}, nil
	case "uniform":
		return Latency{Dist: Uniform, Min: 0, Max: int64(2*mean) - 1}, nil
	case "exponential":
		return Latency{Dist: Exponential, Mean: mean}, nil
	}
	return Latency{}, fmt.Errorf("simnet: unknown latency distribution %q (constant, uniform or exponential)", dist)
}

// Draw returns one message's delay in whole milliseconds, never negative. Randomness comes
// only from r, and a model that needs none (constant, a uniform range of one value, a zero
// mean) draws nothing.
func (l Latency) Draw(r *rand.Rand) int64 {
	d := l.base(r)
	if l.Cap > 0 {
		d = min(d, l.Cap)
	}
	return d + l.Slow.draw(r)
}

// Random reports whether Draw consumes randomness. When it does not, Draw never touches its
// source and may be given nil, so a caller that shares its source between goroutines need
// not lock it.
func (l Latency) Random() bool {
	switch {
	case l.Slow.On():
		return true
	case l.Dist == Uniform:
		return l.Max > l.Min
	case l.Dist == Exponential:
		return l.Mean > 0
	case l.Dist == Pareto:
		return l.Mean > 0 && l.Shape > 1
	}
	return false
}

func (l Latency) base(r *rand.Rand) int64 {
	switch l.Dist {
	case Uniform:
		return between(r, l.Min, l.Max)
	case Exponential:
		if l.Mean <= 0 {
			return 0
		}
		return toMillis(r.ExpFloat64() * l.Mean)
	case Pareto:
		if l.Mean <= 0 || l.Shape <= 1 {
			return toMillis(l.Mean)
		}
		// Inverse transform: scale / U^(1/shape), U in (0, 1]; the scale gives the mean.
		scale := l.Mean * (l.Shape - 1) / l.Shape
		return toMillis(scale / math.Pow(1-r.Float64(), 1/l.Shape))
	default:
		return toMillis(l.Mean)
	}
}

// toMillis truncates a delay to whole milliseconds, as Maelstrom does, and keeps it in range.
func toMillis(ms float64) int64 {
	switch {
	case ms <= 0 || math.IsNaN(ms):
		return 0
	case ms >= math.MaxInt64/4:
		return math.MaxInt64 / 4
	}
	return int64(ms)
}

// between draws a whole number uniformly from [lo, hi]; lo when the range is empty or one
// value, without drawing.
func between(r *rand.Rand, lo, hi int64) int64 {
	if hi <= lo {
		return max(lo, 0)
	}
	return max(lo+int64(r.Uint64N(uint64(hi-lo)+1)), 0)
}

// String describes the model for failure messages, for example "exponential mean=10ms" or
// "uniform 0..19ms slow=5% +100..900ms".
func (l Latency) String() string {
	var b strings.Builder
	switch l.Dist {
	case Uniform:
		fmt.Fprintf(&b, "uniform %d..%dms", l.Min, l.Max)
	case Pareto:
		fmt.Fprintf(&b, "pareto mean=%gms shape=%.3g", l.Mean, l.Shape)
	case Constant:
		fmt.Fprintf(&b, "constant %gms", l.Mean)
	default:
		fmt.Fprintf(&b, "%s mean=%gms", l.Dist, l.Mean)
	}
	if l.Cap > 0 {
		fmt.Fprintf(&b, " cap=%dms", l.Cap)
	}
	if l.Slow.On() {
		fmt.Fprintf(&b, " slow=%s", l.Slow)
	}
	return b.String()
}
