package bench

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// binColor gives each binary one colour on every plot.
func binColor(i int) color.Color {
	palette := []color.Color{
		color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff}, // raftnode: blue
		color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff}, // paxosnode: red
		color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
		color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
	}
	return palette[i%len(palette)]
}

var grey = color.RGBA{R: 0x80, G: 0x80, B: 0x80, A: 0xff}

// line adds a line with points to p, skipping NaN values.
func line(p *plot.Plot, name string, xys plotter.XYs, c color.Color, dashed bool, glyph draw.GlyphDrawer) error {
	var clean plotter.XYs
	for _, xy := range xys {
		if !math.IsNaN(xy.Y) && !math.IsInf(xy.Y, 0) {
			clean = append(clean, xy)
		}
	}
	if len(clean) == 0 {
		return nil
	}
	l, pts, err := plotter.NewLinePoints(clean)
	if err != nil {
		return err
	}
	l.Color, pts.Color = c, c
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	if glyph != nil {
		pts.Shape = glyph
	}
	pts.Radius = vg.Points(2.5)
	p.Add(l, pts)
	p.Legend.Add(name, l, pts)
	return nil
}

// hline draws a horizontal reference line from x0 to x1.
func hline(p *plot.Plot, name string, y, x0, x1 float64) error {
	l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}})
	if err != nil {
		return err
	}
	l.Color = grey
	l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
	p.Add(l)
	p.Legend.Add(name, l)
	return nil
}

func (rp *report) save(p *plot.Plot, name string) error {
	if err := p.Save(7*vg.Inch, 4.2*vg.Inch, filepath.Join(rp.out, name)); err != nil {
		return fmt.Errorf("bench: %s: %w", name, err)
	}
	return nil
}

// newPlot is a plot with its title and axis labels, its legend at the top.
func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = title, x, y
	p.Legend.Top = true
	return p
}

// logAxis puts an axis on a log scale.
func logAxis(a *plot.Axis) {
	a.Scale = plot.LogScale{}
	a.Tick.Marker = plot.LogTicks{Prec: -1}
}

// latencyPlot draws p50 and p99 of writes against L, with the floor mix.
func (rp *report) latencyPlot(lats []int64) error {
	p := newPlot("write latency against node-to-node latency L (3 nodes)", "L (ms)", "latency (ms)")
	p.Legend.Left = true
	for i, b := range rp.bins {
		var med, tail plotter.XYs
		for _, l := range lats {
			runs := rp.latencyRuns(b, l)
			med = append(med, plotter.XY{X: float64(l), Y: median(runs, latencyOf("write", p50))})
			tail = append(tail, plotter.XY{X: float64(l), Y: median(runs, latencyOf("write", p99))})
		}
		if err := line(p, b+" write p50", med, binColor(i), false, draw.CircleGlyph{}); err != nil {
			return err
		}
		if err := line(p, b+" write p99", tail, binColor(i), true, draw.TriangleGlyph{}); err != nil {
			return err
		}
	}
	var fol, mix plotter.XYs
	for _, l := range lats {
		_, f, m := floors("write", 3, float64(l))
		fol = append(fol, plotter.XY{X: float64(l), Y: f})
		mix = append(mix, plotter.XY{X: float64(l), Y: m})
	}
	if err := line(p, "floor via a follower (3L)", fol, grey, true, draw.SquareGlyph{}); err != nil {
		return err
	}
	if err := line(p, "floor mix (8L/3)", mix, grey, false, draw.SquareGlyph{}); err != nil {
		return err
	}
	return rp.save(p, "latency.png")
}

// curvePlots draws ok ops/s and p99 against the offered rate.
func (rp *report) curvePlots(rates []float64) error {
	tp := logLogPlot("throughput against offered rate (--latency 0)", "ops/s (log)")
	lp := logLogPlot("p99 latency against offered rate (--latency 0)", "p99 (ms, log)")
	for i, b := range rp.bins {
		var ok, issued, tail plotter.XYs
		for _, rate := range rates {
			runs := rp.curveRuns(b, rate)
			if len(runs) == 0 {
				continue
			}
			ok = append(ok, plotter.XY{X: rate, Y: median(runs, okRate)})
			issued = append(issued, plotter.XY{X: rate, Y: median(runs, issueRate)})
			tail = append(tail, plotter.XY{X: rate, Y: math.Max(median(runs, latencyOf("", p99)), 0.01)})
		}
		if err := line(tp, b+" ok/s", ok, binColor(i), false, draw.CircleGlyph{}); err != nil {
			return err
		}
		if err := line(tp, b+" issued/s", issued, binColor(i), true, draw.TriangleGlyph{}); err != nil {
			return err
		}
		if err := line(lp, b+" p99", tail, binColor(i), false, draw.CircleGlyph{}); err != nil {
			return err
		}
	}
	lo, hi := slices.Min(rates), slices.Max(rates)
	if err := hline(lp, fmt.Sprintf("%.0f ms", p99Limit), p99Limit, lo, hi); err != nil {
		return err
	}
	if err := rp.save(tp, "curve-throughput.png"); err != nil {
		return err
	}
	return rp.save(lp, "curve-p99.png")
}

// logLogPlot is a plot of a figure against the offered rate, both on log
// scales, its legend top left.
func logLogPlot(title, ylabel string) *plot.Plot {
	p := newPlot(title, "offered rate (ops/s, log)", ylabel)
	p.Legend.Left = true
	logAxis(&p.X)
	logAxis(&p.Y)
	return p
}

// messagesPlot draws server msgs-per-op against the offered rate.
func (rp *report) messagesPlot(rates []float64) error {
	p := newPlot("server messages per op against offered rate (--latency 0)", "offered rate (ops/s, log)", "server msgs / op")
	logAxis(&p.X)
	p.Y.Min = 0
	for i, b := range rp.bins {
		var xys plotter.XYs
		for _, rate := range rates {
			if runs := rp.curveRuns(b, rate); len(runs) > 0 {
				xys = append(xys, plotter.XY{X: rate, Y: median(runs, msgsPerOp)})
			}
		}
		if err := line(p, b, xys, binColor(i), false, draw.CircleGlyph{}); err != nil {
			return err
		}
	}
	return rp.save(p, "msgs-per-op.png")
}

// recoveryPlot draws each partition's recovery time against its start,
// one series per binary; partitions that cost the leader are triangles, those
// that left no two-way majority squares.
func (rp *report) recoveryPlot() error {
	p := newPlot("recovery time per partition (log)", "partition start (s into the run)", "seconds to the first ok write (log)")
	logAxis(&p.Y)
	for i, b := range rp.bins {
		var other, lead, noMaj plotter.XYs
		for _, r := range rp.runs {
			if r.Section != sectionPartition || r.Bin != b || r.Results.Recovery == nil {
				continue
			}
			for _, part := range r.Results.Recovery.Partitions {
				if part.Recovery == nil || !r.afterFirstOK(part) {
					continue
				}
				xy := plotter.XY{X: part.Start, Y: math.Max(*part.Recovery, 1e-3)}
				switch {
				case !part.Quorum:
					noMaj = append(noMaj, xy)
				case r.failover(part):
					lead = append(lead, xy)
				default:
					other = append(other, xy)
				}
			}
		}
		for _, s := range []struct {
			name  string
			xys   plotter.XYs
			glyph draw.GlyphDrawer
		}{{b + ": leader lost", lead, draw.TriangleGlyph{}}, {b + ": leader kept", other, draw.CircleGlyph{}},
			{b + ": no majority", noMaj, draw.BoxGlyph{}}} {
			if len(s.xys) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(s.xys)
			if err != nil {
				return err
			}
			sc.Color = binColor(i)
			sc.Shape = s.glyph
			sc.Radius = vg.Points(3)
			p.Add(sc)
			p.Legend.Add(s.name, sc)
		}
	}
	return rp.save(p, "recovery.png")
}

// memoryPlot draws each node's RSS over time.
func (rp *report) memoryPlot(runs []*Run) error {
	p := newPlot("node RSS over time", "time (s)", "RSS (MiB)")
	p.Y.Min = 0
	p.Legend.Top = false // bottom right: the lines start low and stay high
	for _, r := range runs {
		ci := slices.Index(rp.bins, r.Bin)
		var nodes []string
		for n := range r.Results.Nodes {
			nodes = append(nodes, n)
		}
		slices.Sort(nodes)
		for j, n := range nodes {
			var xys plotter.XYs
			for _, s := range r.Results.Nodes[n].Samples {
				xys = append(xys, plotter.XY{X: s[0], Y: s[1] / 1024})
			}
			if len(xys) < 2 {
				continue
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return err
			}
			l.Color = binColor(ci)
			l.Width = vg.Points(1)
			if j > 0 {
				l.Dashes = []vg.Length{vg.Points(1 + float64(j)*2), vg.Points(2)}
			}
			p.Add(l)
			p.Legend.Add(r.Bin+" "+n, l)
		}
	}
	p.Y.Max *= 1.1
	return rp.save(p, "memory.png")
}
