package bench

import (
	"fmt"
	"math"
	"slices"
)

// curve writes the section of the curve runs: issued and ok throughput and
// latency as the offered rate grows, the highest rate each binary served
// under p99Limit, their plots, and then the messages per op.
func (rp *report) curve() error {
	rates := keys(rp, sectionCurve, func(c cell) float64 { return c.rate })
	first := rp.first(sectionCurve)
	o := first.Results.Test.Options
	rp.heading("Latency and throughput as the offered rate grows")
	rp.p("%d nodes, `--latency %d`, `--concurrency %d` (%dn), `--per-key-limit %d`, %.0f s per run. The offered",
		len(o.Nodes), first.Results.Test.Latency, o.Concurrency, o.Concurrency/len(o.Nodes), o.PerKeyLimit, first.Results.Test.TimeLimit)
	rp.p("rate about doubles until a binary's median p99 has passed %.0f ms at two rates in a row. *issued/s*", p99Limit)
	rp.p("is what the harness actually invoked:")
	rp.p("Jepsen's stagger (which the harness follows) waits a random gap after each invocation and does not")
	rp.p("catch up when a sleep overruns, so on a loaded machine the issued rate falls short of `--rate`.")
	rp.p("*ok/s* counts `:ok` completions (a cas whose `from` does not match is a `:fail`, so ok/s is")
	rp.p("about half the issued rate by design of the workload).")
	rp.p("")
	rp.table([]string{"offered ops/s"}, []string{"%s issued/s", "ok/s", "p50", "p99"}, []string{"%s ok/s", "%s p99"})
	best, bestOK := rp.curveRows(rates)
	rp.p("")
	rp.p("**Highest offered rate with p99 < %.0f ms:**", p99Limit)
	rp.p("")
	for _, b := range rp.bins {
		note := ""
		if best[b] == slices.Max(rp.curveRates(b)) {
			note = " (the highest rate run: the limit was not reached)"
		}
		if best[b] == 0 {
			rp.p("- %s: none of the rates run%s", b, note)
			continue
		}
		rp.p("- %s: %.0f ops/s offered, %.0f ok ops/s%s", b, best[b], bestOK[b], note)
	}
	rp.p("")
	rp.p("![ok ops/s against offered rate](curve-throughput.png)")
	rp.p("![p99 against offered rate](curve-p99.png)")
	rp.p("")
	if err := rp.curvePlots(rates); err != nil {
		return err
	}
	return rp.messages(rates)
}

// curveRows writes a row per offered rate and returns, for each binary, the
// highest rate whose median p99 stayed under p99Limit and its ok/s there.
func (rp *report) curveRows(rates []float64) (best, bestOK map[string]float64) {
	best, bestOK = map[string]float64{}, map[string]float64{}
	for _, rate := range rates {
		row := fmt.Sprintf("| %.0f |", rate)
		var oks, p99s []float64
		for _, b := range rp.bins {
			runs := rp.curveRuns(b, rate)
			if len(runs) == 0 {
				row += " | | | |"
				oks, p99s = append(oks, math.NaN()), append(p99s, math.NaN())
				continue
			}
			is, ok, a, d := median(runs, issueRate), median(runs, okRate), median(runs, latencyOf("", p50)), median(runs, latencyOf("", p99))
			oks, p99s = append(oks, ok), append(p99s, d)
			row += fmt.Sprintf(" %.0f | %.0f | %s | %s |", is, ok, ms(a), ms(d))
			if d < p99Limit && rate > best[b] {
				best[b], bestOK[b] = rate, ok
			}
		}
		if len(rp.bins) >= 2 {
			row += fmt.Sprintf(" %s | %s |", ratio(oks[0], oks[1]), ratio(p99s[0], p99s[1]))
		}
		rp.p("%s", row)
	}
	return best, bestOK
}

// curveRuns returns the curve runs of bin at offered rate.
func (rp *report) curveRuns(bin string, rate float64) []*Run {
	return rp.where(func(c cell) bool { return c.section == sectionCurve && c.bin == bin && c.rate == rate })
}

// curveRates lists the curve rates run for bin, and 0.
func (rp *report) curveRates(bin string) []float64 {
	out := []float64{0}
	for c := range rp.cells {
		if c.section == sectionCurve && c.bin == bin {
			out = append(out, c.rate)
		}
	}
	return out
}

// messages writes the messages per op over the curve's runs.
func (rp *report) messages(rates []float64) error {
	rp.heading("Messages per op")
	rp.p("Server messages (node↔node, node↔service; client traffic excluded) per client invocation, over")
	rp.p("the curve's runs. With 3 nodes an unbatched write through a follower costs 5: the forward and")
	rp.p("an append plus its ack to each of 2 followers; a lease read costs 1 via a follower and 0 at the")
	rp.p("leader. When idle, heartbeats are a fixed cost per second, so at low rates they dominate (their")
	rp.p("share per op falls as 1/rate). Under load the nodes of this project send no heartbeats (appends")
	rp.p("take their place), batch (once more than 150 requests/s arrive, at most one append round per")
	rp.p("10 ms unless 8 requests wait) and let forwarded requests ride on the followers' acks, which")
	rp.p("pushes the figure down;")
	rp.p("`-batch-delay -1` turns the lingering off.")
	rp.p("")
	rp.table([]string{"offered ops/s"}, []string{"%s"}, []string{"%s"})
	for _, rate := range rates {
		if rate != 10 && rate != 1000 && len(rates) > 4 {
			continue
		}
		row := fmt.Sprintf("| %.0f |", rate)
		var ms []float64
		for _, b := range rp.bins {
			m := median(rp.curveRuns(b, rate), msgsPerOp)
			ms = append(ms, m)
			row += fmt.Sprintf(" %s |", fixed(m, 2))
		}
		if len(rp.bins) >= 2 {
			row += fmt.Sprintf(" %s |", ratio(ms[0], ms[1]))
		}
		rp.p("%s", row)
	}
	rp.p("")
	rp.p("![msgs-per-op against rate](msgs-per-op.png)")
	rp.p("")
	return rp.messagesPlot(rates)
}
