package bench

// nodeCount writes the section that sets 5 nodes beside 3.
func (rp *report) nodeCount() error {
	five := keys(rp, sectionNodes, func(c cell) int { return c.nodes })
	first := rp.first(sectionNodes)
	l := first.Results.Test.Latency
	rp.heading("3 versus 5 nodes")
	rp.p("`--latency %d`, `--rate %.0f`, `--concurrency 2n`, no nemesis; the 3-node rows are the latency", l, first.Results.Test.Options.Rate)
	rp.p("section's runs at the same latency. With 5 nodes the leader still needs one round trip (to the")
	rp.p("fastest 2 of 4 followers), so the floors per op stay 2L / 3L, but 4/5 of the clients go through a")
	rp.p("follower (mix: 2.8L for writes, 0.8L for reads) and each write costs more messages.")
	rp.p("")
	rp.p("| nodes | binary | read p50 / p99 | write p50 / p99 | write mean (floor mix) | ok/s | msgs-per-op |")
	rp.p("|---|---|---|---|---|---|---|")
	for _, n := range append([]int{3}, five...) {
		var wm, mp []float64
		for _, b := range rp.bins {
			var runs []*Run
			if n == 3 {
				runs = rp.cells[cell{sectionLatency, b, 3, l, first.Results.Test.Options.Rate}]
			} else {
				runs = rp.where(func(c cell) bool { return c.section == sectionNodes && c.bin == b && c.nodes == n })
			}
			_, _, mix := floors("write", n, float64(l))
			w := median(runs, latencyOf("write", mean))
			m := median(runs, msgsPerOp)
			wm, mp = append(wm, w), append(mp, m)
			rp.p("| %d | %s | %s / %s | %s / %s | %s (%s) | %.0f | %s |", n, b,
				ms(median(runs, latencyOf("read", p50))), ms(median(runs, latencyOf("read", p99))),
				ms(median(runs, latencyOf("write", p50))), ms(median(runs, latencyOf("write", p99))),
				ms(w), ms(mix), median(runs, okRate), fixed(m, 2))
		}
		if rn := rp.ratioName(); rn != "" {
			rp.p("| %d | %s | | | %s | | %s |", n, rn, ratio(wm[0], wm[1]), ratio(mp[0], mp[1]))
		}
	}
	rp.p("")
	return nil
}
