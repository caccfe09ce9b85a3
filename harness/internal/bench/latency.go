package bench

import (
	"fmt"
	"math"
)

// latency writes the section of the latency runs: each op's quantiles
// against its floors, the time to the first :ok, and latency.png.
func (rp *report) latency() error {
	lats := keys(rp, sectionLatency, func(c cell) int64 { return c.latency })
	rp.heading("Latency against the floors")
	rp.p("3 nodes, `--rate 100`, `--concurrency 2n`, no nemesis, constant latency L. Floors, per op:")
	rp.p("a write or cas costs one replication round trip at the leader (**2L**) and one forwarding hop")
	rp.p("more via a follower (**3L**: the leader replies to the client directly, one hop shorter than")
	rp.p("forwarding the reply back); a lease read costs **0** at the leader and **L** via a follower.")
	rp.p("Each client is bound to one node, so 1/3 of the ops start at the leader: the **mix** floor is")
	rp.p("(leader + 2 × follower) / 3, to be read against the **mean**; the p50 sits on the follower floor")
	rp.p("(2/3 of the ops). `× mix` is mean / mix floor.")
	rp.p("")
	rp.table([]string{"L (ms)", "op", "floor leader / follower / mix"}, []string{"%s p50 / p95 / p99", "%s mean (× mix)"}, []string{"%s p50", "%s p99"})
	for _, l := range lats {
		for _, f := range []string{"read", "write", "cas", ""} {
			rp.latencyRow(l, f)
		}
	}
	rp.p("")
	rp.p("Time from the start of the run to the first `:ok` completion (s; the first election and")
	rp.p("anything unstable after it, left out of the quantiles above):")
	rp.p("")
	rp.table([]string{"L (ms)"}, []string{"%s"}, nil)
	for _, l := range lats {
		row := fmt.Sprintf("| %d |", l)
		for _, b := range rp.bins {
			row += fmt.Sprintf(" %s |", fixed(median(rp.latencyRuns(b, l), firstOK), 3))
		}
		rp.p("%s", row)
	}
	rp.p("")
	rp.p("![p50 and p99 against L](latency.png)")
	rp.p("")
	return rp.latencyPlot(lats)
}

// latencyRow writes the row of op f ("" for all ops) at latency l.
func (rp *report) latencyRow(l int64, f string) {
	name := f
	if f == "" {
		name = "all"
	}
	row := fmt.Sprintf("| %d | %s |", l, name)
	mixFloor := math.NaN()
	if f != "" {
		lead, fol, mix := floors(f, 3, float64(l))
		mixFloor = mix
		row += fmt.Sprintf(" %s / %s / %s |", ms(lead), ms(fol), ms(mix))
	} else {
		row += " |"
	}
	var p50s, p99s []float64
	for _, b := range rp.bins {
		runs := rp.cells[cell{sectionLatency, b, 3, l, 100}]
		if runs == nil {
			runs = rp.latencyRuns(b, l)
		}
		a, c, d := median(runs, latencyOf(f, p50)), median(runs, latencyOf(f, p95)), median(runs, latencyOf(f, p99))
		m := median(runs, latencyOf(f, mean))
		p50s, p99s = append(p50s, a), append(p99s, d)
		row += fmt.Sprintf(" %s / %s / %s | %s (%s) |", ms(a), ms(c), ms(d), ms(m), ratio(mixFloor, m))
	}
	if len(rp.bins) >= 2 {
		row += fmt.Sprintf(" %s | %s |", ratio(p50s[0], p50s[1]), ratio(p99s[0], p99s[1]))
	}
	rp.p("%s", row)
}

// latencyRuns returns the latency runs of bin at latency l whatever their
// rate and node count, for matrices that differ from the default one.
func (rp *report) latencyRuns(bin string, l int64) []*Run {
	return rp.where(func(c cell) bool { return c.section == sectionLatency && c.bin == bin && c.latency == l })
}
