package check

import (
	"math"
	"slices"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// Latency summarizes the latencies of a set of :ok ops, in milliseconds
// from invocation to completion. Quantiles are nearest-rank: p99 of 100
// samples is the 99th smallest.
type Latency struct {
	// Count is the number of :ok ops.
	Count int `json:"count"`
	// Mean, P50, P95, P99 and Max are in milliseconds; all are 0 when
	// Count is 0.
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	Max  float64 `json:"max"`
}

// PerfResult is the perf section: latency figures of the :ok ops and the
// :ok throughput. It is always valid: perf measures, it does not judge
// (the plots that Maelstrom's perf checker draws are written next to it,
// and only a failure to write them makes it unknown).
type PerfResult struct {
	// Valid is unknown when the plots could not be written.
	Valid Validity `json:"valid?"`
	// All covers every :ok client op; ByF each f that had an :ok.
	All Latency             `json:"all"`
	ByF map[string]*Latency `json:"by-f"`
	// Span is the time in seconds from the first client invocation to the
	// last client completion; OKRate is All.Count / Span (0 without ops).
	Span   float64 `json:"span-seconds"`
	OKRate float64 `json:"ok-rate"`
	// Steady leaves out the start-up: only ops invoked at or after the
	// first :ok completion count, so the first leader election (ops parked
	// until a leader exists) does not weigh on the quantiles of a short
	// run. Benchmarks quote it.
	Steady Steady `json:"steady"`
}

// Steady is the latency of the :ok ops invoked from From on.
type Steady struct {
	// From is the time of the run's first :ok completion, in seconds on
	// the history's scale (0 without one).
	From float64 `json:"from-seconds"`
	// All and ByF are as in PerfResult.
	All Latency             `json:"all"`
	ByF map[string]*Latency `json:"by-f"`
}

// Perf pairs each client completion with its invocation and summarizes the
// :ok ones, overall and by f, for the whole run and from the first :ok on.
func Perf(ops []history.Op) *PerfResult {
	type okOp struct {
		f       string
		invoked time.Duration
		ms      float64
	}
	var oks []okOp
	var first, last time.Duration = -1, -1
	for _, p := range history.ClientPairs(ops) {
		if first < 0 || p.Invoke.Time < first {
			first = p.Invoke.Time
		}
		if !p.Done {
			continue
		}
		last = max(last, p.Complete.Time)
		if p.Complete.Type == history.OK {
			oks = append(oks, okOp{p.Complete.F, p.Invoke.Time, float64(p.Complete.Time-p.Invoke.Time) / float64(time.Millisecond)})
		}
	}
	var from time.Duration
	if len(oks) > 0 {
		from = oks[0].invoked + time.Duration(oks[0].ms*float64(time.Millisecond))
	}
	summarize := func(steady bool) (Latency, map[string]*Latency) {
		all := []float64{}
		byF := map[string][]float64{}
		for _, o := range oks {
			if steady && o.invoked < from {
				continue
			}
			all = append(all, o.ms)
			byF[o.f] = append(byF[o.f], o.ms)
		}
		m := map[string]*Latency{}
		for f, l := range byF {
			s := Summarize(l)
			m[f] = &s
		}
		return Summarize(all), m
	}
	r := &PerfResult{Valid: Valid}
	r.All, r.ByF = summarize(false)
	r.Steady.From = from.Seconds()
	r.Steady.All, r.Steady.ByF = summarize(true)
	if first >= 0 && last > first {
		r.Span = (last - first).Seconds()
		r.OKRate = float64(r.All.Count) / r.Span
	}
	return r
}

// Summarize returns the count, mean and nearest-rank quantiles of ms. It
// sorts ms in place.
func Summarize(ms []float64) Latency {
	if len(ms) == 0 {
		return Latency{}
	}
	slices.Sort(ms)
	sum := 0.0
	for _, x := range ms {
		sum += x
	}
	return Latency{
		Count: len(ms), Mean: round3(sum / float64(len(ms))),
		P50: round3(Quantile(ms, 0.5)), P95: round3(Quantile(ms, 0.95)), P99: round3(Quantile(ms, 0.99)),
		Max: round3(ms[len(ms)-1]),
	}
}

// Quantile is the nearest-rank q-quantile of sorted, which must not be
// empty: the smallest value with at least q of the samples at or below it.
func Quantile(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// round3 keeps three decimals (microseconds, for milliseconds), so that
// results.json does not carry float noise.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
