package bench

import (
	"fmt"
	"math"
	"slices"

	"github.com/quorumkit/quorumkit/harness/internal/check"
)

// median of the values f takes over runs, NaN when f gives none.
func median(runs []*Run, f func(*Run) (float64, bool)) float64 {
	var xs []float64
	for _, r := range runs {
		if x, ok := f(r); ok && !math.IsNaN(x) {
			xs = append(xs, x)
		}
	}
	if len(xs) == 0 {
		return math.NaN()
	}
	slices.Sort(xs)
	return check.Median(xs)
}

// medMax is the median and the maximum of xs, NaN for none.
func medMax(xs []float64) (float64, float64) {
	if len(xs) == 0 {
		return math.NaN(), math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return check.Median(s), s[len(s)-1]
}

// steady returns the steady latency of op f ("" for all ops).
func steady(r *Run, f string) (check.Latency, bool) {
	if f == "" {
		return r.Results.Perf.Steady.All, r.Results.Perf.Steady.All.Count > 0
	}
	l := r.Results.Perf.Steady.ByF[f]
	if l == nil || l.Count == 0 {
		return check.Latency{}, false
	}
	return *l, true
}

// latencyOf is the figure q of the steady latency of op f ("" for all ops).
func latencyOf(f string, q func(check.Latency) float64) func(*Run) (float64, bool) {
	return func(r *Run) (float64, bool) {
		l, ok := steady(r, f)
		return q(l), ok
	}
}

func p50(l check.Latency) float64  { return l.P50 }
func p95(l check.Latency) float64  { return l.P95 }
func p99(l check.Latency) float64  { return l.P99 }
func mean(l check.Latency) float64 { return l.Mean }

// firstOK is the time of the run's first :ok completion.
func firstOK(r *Run) (float64, bool) {
	return r.Results.Perf.Steady.From, r.Results.Perf.All.Count > 0
}

// okRate is the run's :ok completions per second.
func okRate(r *Run) (float64, bool) { return r.Results.Perf.OKRate, r.Results.Perf.Span > 0 }

// issueRate is the rate at which the harness actually invoked ops.
func issueRate(r *Run) (float64, bool) {
	p := r.Results.Perf
	return float64(r.Results.Stats.Count) / p.Span, p.Span > 0
}

// msgsPerOp is the run's server messages per client op.
func msgsPerOp(r *Run) (float64, bool) {
	m := r.Results.Net.Servers.MsgsPerOp
	if m == nil {
		return 0, false
	}
	return *m, true
}

// okFraction is the run's :ok completions over its invocations.
func okFraction(r *Run) (float64, bool) { return r.Results.Availability.OKFraction, true }

// floors returns the leader, follower and mix floors (ms) of op f with n
// nodes at latency l: a write or cas costs the leader one replication
// round trip (2L) and a follower one more forwarding hop (3L: the leader
// answers the client directly); a lease read is free at the leader and one
// hop (L) via a follower; 1/n of the clients talk to the leader.
func floors(f string, n int, l float64) (leader, follower, mix float64) {
	if f == "read" {
		leader, follower = 0, l
	} else {
		leader, follower = 2*l, 3*l
	}
	return leader, follower, (leader + float64(n-1)*follower) / float64(n)
}

// ms formats milliseconds with precision that suits their size.
func ms(x float64) string {
	switch {
	case math.IsNaN(x):
		return "–"
	case x < 10:
		return fmt.Sprintf("%.2f", x)
	case x < 100:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.0f", x)
}

// ratio formats b/a.
func ratio(a, b float64) string {
	if math.IsNaN(a) || math.IsNaN(b) || a == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f", b/a)
}

// fixed formats x with n decimals, a dash for NaN.
func fixed(x float64, n int) string {
	if math.IsNaN(x) {
		return "–"
	}
	return fmt.Sprintf("%.*f", n, x)
}
