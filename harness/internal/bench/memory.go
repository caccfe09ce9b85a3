package bench

import (
	"fmt"
	"math"
	"slices"
)

// rssAt is the sample nearest to t seconds, if one lies within 5 s of it.
func rssAt(samples [][2]float64, t float64) (float64, bool) {
	best, bestD := 0.0, math.Inf(1)
	for _, s := range samples {
		if d := math.Abs(s[0] - t); d < bestD {
			best, bestD = s[1], d
		}
	}
	return best, bestD <= 5
}

// mib formats KiB as MiB, a dash when there is no figure.
func mib(kib float64, ok bool) string {
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%.1f", kib/1024)
}

// memory writes the section of the long runs: each node's RSS over time.
func (rp *report) memory() error {
	var runs []*Run
	for _, r := range rp.runs {
		if r.Section == sectionMemory {
			runs = append(runs, r)
		}
	}
	t := runs[0].Results.Test
	rp.heading("Memory")
	rp.p("%d nodes, `--rate %.0f`, `--latency %d`, `--per-key-limit %d`, %.0f s; VmRSS sampled every second. RSS",
		len(t.Options.Nodes), t.Options.Rate, t.Latency, t.Options.PerKeyLimit, t.TimeLimit)
	rp.p("in MiB at 1 and 10 minutes (the sample nearest to each), the last sample, and the peak. A flat")
	rp.p("line from minute 1 to minute 10 means compaction keeps the log bounded. The binaries' runs ran")
	rp.p("side by side, at the same time (RSS needs no quiet machine, and it halves the section's time), so")
	rp.p("their ok/s is lower than either would reach alone.")
	rp.p("")
	rp.p("| binary | node | RSS at 1 min | RSS at 10 min | last | peak | ok/s |")
	rp.p("|---|---|---|---|---|---|---|")
	slices.SortFunc(runs, func(a, b *Run) int { return binOrder(a.Bin) - binOrder(b.Bin) })
	for _, r := range runs {
		var nodes []string
		for n := range r.Results.Nodes {
			nodes = append(nodes, n)
		}
		slices.Sort(nodes)
		for _, n := range nodes {
			m := r.Results.Nodes[n]
			e, eok := rssAt(m.Samples, memoryEarly)
			l, lok := rssAt(m.Samples, memoryLate)
			rp.p("| %s | %s | %s | %s | %s | %s | %.0f |", r.Bin, n, mib(e, eok), mib(l, lok),
				mib(float64(m.Last), true), mib(float64(m.Peak), true), r.Results.Perf.OKRate)
		}
	}
	rp.p("")
	rp.p("![RSS over time](memory.png)")
	rp.p("")
	return rp.memoryPlot(runs)
}
