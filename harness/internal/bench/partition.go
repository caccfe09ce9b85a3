package bench

import (
	"math"
)

// partition writes the section of the partition runs: availability and
// recovery times, by kind of partition, and recovery.png.
func (rp *report) partition() error {
	first := rp.first(sectionPartition)
	t := first.Results.Test
	rp.heading("Under partitions")
	rp.p("%d nodes, `--nemesis partition --nemesis-interval %g`, `--latency %d`, `--rate %.0f`, %.0f s per run.",
		len(t.Options.Nodes), t.NemesisInterval, t.Latency, t.Options.Rate, t.TimeLimit)
	rp.p("*Availability* is the ok fraction (`:ok` / invocations; reads of missing keys and cas mismatches")
	rp.p("are `:fail`s by design, so even a fault-free run stays near 0.5–0.8). *Recovery* is, per")
	rp.p("start-partition, the time to the `:ok` completion of the first write or cas invoked after it.")
	rp.p("Partitions fall into three kinds. *Leader kept*: the cut spared the leader, and recovery is")
	rp.p("about one write. *Leader lost*: the node the node logs name as leader when the cut began was")
	rp.p("isolated by it, or a node on the connected side logged a leader change before the first `:ok`")
	rp.p("write; recovery is the failover time (detection, election, the first commit, and the clients'")
	rp.p("requests reaching the new leader), the figure to read. *No majority*: no node talks both ways")
	rp.p("with a majority, as in the 3-node `:majorities-ring` (each node ignores one peer, so every link")
	rp.p("works one way only): no leader can commit unless messages go round the ring. The column counts")
	rp.p("those served during the cut, after the heal, and never; their recovery is from the start of")
	rp.p("the cut if served during it, else from the heal. *Unserved* counts the partitions of the first")
	rp.p("two kinds with no `:ok` write until the heal, and those never served. Pooled over the")
	rp.p("repeats; partitions that began before the run's first `:ok` (the nemesis fires its first one at")
	rp.p("t = 0, during the first election) are left out.")
	rp.p("")
	hdr := "| binary | runs | availability | partitions kept / lost / no majority | leader kept: recovery median (s) | leader lost: failover median / max (s) | no majority: served during / after heal / never | its recovery median / max (s) | unserved: after heal / never |"
	rp.p("%s", hdr)
	rp.p("|---|---|---|---|---|---|---|---|---|")
	var avs, lmeds, hmeds []float64
	for _, b := range rp.bins {
		runs := rp.where(func(c cell) bool { return c.section == sectionPartition && c.bin == b })
		pt := tallyPartitions(runs)
		av := median(runs, okFraction)
		km, _ := medMax(pt.kept)
		lm, lx := medMax(pt.lost)
		hm, hx := medMax(pt.noMaj)
		avs, lmeds, hmeds = append(avs, av), append(lmeds, lm), append(hmeds, hm)
		rp.p("| %s | %d | %s | %d / %d / %d | %s | %s / %s | %d / %d / %d | %s / %s | %d / %d |", b, len(runs), fixed(av, 3),
			len(pt.kept), len(pt.lost), pt.nmDuring+pt.nmAfter+pt.nmNever, fixed(km, 3), fixed(lm, 3), fixed(lx, 3),
			pt.nmDuring, pt.nmAfter, pt.nmNever, fixed(hm, 3), fixed(hx, 3), pt.healed, pt.never)
	}
	if rn := rp.ratioName(); rn != "" {
		rp.p("| %s | | %s | | | %s | | %s | |", rn, ratio(avs[0], avs[1]), ratio(lmeds[0], lmeds[1]), ratio(hmeds[0], hmeds[1]))
	}
	rp.p("")
	rp.p("![recovery time per partition](recovery.png)")
	rp.p("")
	return rp.recoveryPlot()
}

// partitions pools the steady partitions of some runs by kind.
type partitions struct {
	// kept, lost and noMaj are the recovery times of the partitions that
	// spared the leader, cost it, and left no two-way majority; a noMaj
	// one served only after the heal counts from the heal.
	kept, lost, noMaj []float64
	// never and healed count the partitions with a majority never served,
	// and served only after the heal.
	never, healed int
	// nmDuring, nmAfter and nmNever count the partitions without a
	// majority served during the cut, after the heal, and never.
	nmDuring, nmAfter, nmNever int
}

// tallyPartitions sorts the steady partitions of runs (Run.afterFirstOK) by kind.
func tallyPartitions(runs []*Run) partitions {
	var pt partitions
	for _, r := range runs {
		if r.Results.Recovery == nil {
			continue
		}
		for _, p := range r.Results.Recovery.Partitions {
			if !r.afterFirstOK(p) {
				continue
			}
			switch {
			case !p.Quorum:
				switch {
				case p.Recovery == nil:
					pt.nmNever++
				case !p.AfterHeal:
					pt.nmDuring++
					pt.noMaj = append(pt.noMaj, *p.Recovery)
				default:
					pt.nmAfter++
					pt.noMaj = append(pt.noMaj, math.Max(0, *p.Recovery-(*p.End-p.Start)))
				}
				continue
			case p.Recovery == nil:
				pt.never++
				continue
			case p.AfterHeal:
				pt.healed++
			}
			if r.failover(p) {
				pt.lost = append(pt.lost, *p.Recovery)
			} else {
				pt.kept = append(pt.kept, *p.Recovery)
			}
		}
	}
	return pt
}
