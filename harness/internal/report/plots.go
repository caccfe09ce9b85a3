package report

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// Colors and glyphs follow Jepsen's perf plots: colour by completion type,
// shape by f.
var (
	typeColor = map[history.Type]color.Color{
		history.OK:   color.RGBA{R: 0x33, G: 0x7a, B: 0xb7, A: 0xff},
		history.Info: color.RGBA{R: 0xf0, G: 0xad, B: 0x4e, A: 0xff},
		history.Fail: color.RGBA{R: 0xd9, G: 0x53, B: 0x4f, A: 0xff},
	}
	fGlyph = map[string]draw.GlyphDrawer{
		"read":  draw.CircleGlyph{},
		"write": draw.TriangleGlyph{},
		"cas":   draw.SquareGlyph{},
	}
	fColor = map[string]color.Color{
		"read":  color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff},
		"write": color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff},
		"cas":   color.RGBA{R: 0x94, G: 0x67, B: 0xbd, A: 0xff},
	}
	// shades are Jepsen's perf colours for each fault (its nemesis
	// packages' :perf maps), translucent so the points show through.
	shades = map[string]color.Color{
		"partition": color.NRGBA{R: 0xe9, G: 0xdc, B: 0xa0, A: 0x70},
		"kill":      color.NRGBA{R: 0xe9, G: 0xa4, B: 0xa0, A: 0x70},
		"pause":     color.NRGBA{R: 0xa0, G: 0xb1, B: 0xe9, A: 0x70},
	}
)

// kind is an interval's fault as the plots shade it: an unknown or empty
// kind is a partition.
func kind(iv history.Interval) string {
	if _, ok := shades[iv.Kind]; ok {
		return iv.Kind
	}
	return "partition"
}

// quantiles are the quantiles drawn on latency-quantiles.png.
var quantiles = []float64{0.5, 0.95, 0.99, 1}

// sample is one completed client op.
type sample struct {
	f       string
	typ     history.Type
	start   float64 // seconds
	end     float64 // seconds
	latency float64 // milliseconds
}

// samples turns each completed client op into a sample.
func samples(ops []history.Op) []sample {
	var out []sample
	for _, p := range history.ClientPairs(ops) {
		if !p.Done {
			continue
		}
		inv, op := p.Invoke, p.Complete
		out = append(out, sample{
			f: op.F, typ: op.Type, start: inv.Time.Seconds(), end: op.Time.Seconds(),
			latency: float64(op.Time-inv.Time) / float64(time.Millisecond),
		})
	}
	return out
}

// plots draws latency-raw.png, latency-quantiles.png and rate.png into the
// store, shading the fault intervals: partitions, kills and pauses each in
// their own colour.
func plots(s *Store, ops []history.Op, partitions []history.Interval) error {
	ss := samples(ops)
	end := 1.0
	for _, op := range ops {
		end = math.Max(end, op.Time.Seconds())
	}
	if err := latencyRaw(s.Path("latency-raw.png"), ss, partitions, end); err != nil {
		return err
	}
	if err := latencyQuantiles(s.Path("latency-quantiles.png"), ss, partitions, end); err != nil {
		return err
	}
	return rate(s.Path("rate.png"), ss, partitions, end)
}

func newPlot(title, ylabel string, end float64) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time (s)"
	p.Y.Label.Text = ylabel
	p.X.Min, p.X.Max = 0, end
	p.Legend.Top = true
	return p
}

// shadeIntervals adds a translucent band per fault interval, from ymin to
// ymax, and one legend entry per kind of fault.
func shadeIntervals(p *plot.Plot, partitions []history.Interval, ymin, ymax float64) error {
	legend := map[string]bool{}
	for _, iv := range partitions {
		poly, err := plotter.NewPolygon(plotter.XYs{
			{X: iv.Start.Seconds(), Y: ymin}, {X: iv.End.Seconds(), Y: ymin},
			{X: iv.End.Seconds(), Y: ymax}, {X: iv.Start.Seconds(), Y: ymax},
		})
		if err != nil {
			return err
		}
		k := kind(iv)
		poly.Color = shades[k]
		poly.LineStyle.Width = 0
		poly.LineStyle.Color = color.Transparent
		p.Add(poly)
		if !legend[k] {
			legend[k] = true
			p.Legend.Add(k, poly)
		}
	}
	return nil
}

func sortedFs(ss []sample) []string {
	set := map[string]bool{}
	for _, s := range ss {
		set[s.f] = true
	}
	var fs []string
	for f := range set {
		fs = append(fs, f)
	}
	sort.Strings(fs)
	return fs
}

// latencyMin is the floor of the latency plots' log scale, in ms.
const latencyMin = 0.1

// latencyPlot is a plot of latencies over the run on a log scale from
// latencyMin to twice the largest (10 ms at least), the faults shaded.
func latencyPlot(title string, ss []sample, partitions []history.Interval, end float64) (*plot.Plot, error) {
	p := newPlot(title, "latency (ms)", end)
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	ymax := 10.0
	for _, s := range ss {
		ymax = math.Max(ymax, s.latency*2)
	}
	p.Y.Min, p.Y.Max = latencyMin, ymax
	return p, shadeIntervals(p, partitions, latencyMin, ymax)
}

// latencyRaw draws every completed op's latency at its invocation.
func latencyRaw(path string, ss []sample, partitions []history.Interval, end float64) error {
	p, err := latencyPlot("latency (raw)", ss, partitions, end)
	if err != nil {
		return err
	}
	for _, f := range sortedFs(ss) {
		for _, typ := range []history.Type{history.OK, history.Info, history.Fail} {
			var xys plotter.XYs
			for _, s := range ss {
				if s.f == f && s.typ == typ {
					xys = append(xys, plotter.XY{X: s.start, Y: math.Max(s.latency, latencyMin)})
				}
			}
			if len(xys) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return err
			}
			sc.GlyphStyle.Color = typeColor[typ]
			sc.GlyphStyle.Radius = vg.Points(2)
			if g, ok := fGlyph[f]; ok {
				sc.GlyphStyle.Shape = g
			}
			p.Add(sc)
			p.Legend.Add(fmt.Sprintf("%s %s", f, typ), sc)
		}
	}
	return p.Save(10*vg.Inch, 5*vg.Inch, path)
}

// bucket is the width of the time windows for quantiles and rates.
func bucket(end float64) float64 {
	return math.Max(1, math.Round(end/60))
}

// latencyQuantiles draws the quantiles of each f's latency, window by window.
func latencyQuantiles(path string, ss []sample, partitions []history.Interval, end float64) error {
	p, err := latencyPlot("latency quantiles", ss, partitions, end)
	if err != nil {
		return err
	}
	dt := bucket(end)
	dashes := [][]vg.Length{nil, {vg.Points(6), vg.Points(2)}, {vg.Points(2), vg.Points(2)}, {vg.Points(8), vg.Points(2), vg.Points(2), vg.Points(2)}}
	for _, f := range sortedFs(ss) {
		windows := map[int][]float64{}
		for _, s := range ss {
			if s.f == f {
				w := int(s.start / dt)
				windows[w] = append(windows[w], math.Max(s.latency, latencyMin))
			}
		}
		var ws []int
		for w := range windows {
			ws = append(ws, w)
			sort.Float64s(windows[w])
		}
		sort.Ints(ws)
		for qi, q := range quantiles {
			var xys plotter.XYs
			for _, w := range ws {
				xys = append(xys, plotter.XY{X: (float64(w) + 0.5) * dt, Y: check.Quantile(windows[w], q)})
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return err
			}
			l.Color = fColor[f]
			l.Dashes = dashes[qi%len(dashes)]
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("%s %g", f, q), l)
		}
	}
	return p.Save(10*vg.Inch, 5*vg.Inch, path)
}

func rate(path string, ss []sample, partitions []history.Interval, end float64) error {
	p := newPlot("throughput", "completions/s", end)
	dt := bucket(end)
	n := int(end/dt) + 1
	ymax := 1.0
	type series struct {
		f   string
		typ history.Type
	}
	counts := map[series][]float64{}
	for _, s := range ss {
		k := series{s.f, s.typ}
		if counts[k] == nil {
			counts[k] = make([]float64, n)
		}
		w := min(int(s.end/dt), n-1)
		counts[k][w] += 1 / dt
		ymax = math.Max(ymax, counts[k][w]*1.1)
	}
	p.Y.Min, p.Y.Max = 0, ymax
	if err := shadeIntervals(p, partitions, 0, ymax); err != nil {
		return err
	}
	for _, f := range sortedFs(ss) {
		for _, typ := range []history.Type{history.OK, history.Info, history.Fail} {
			c := counts[series{f, typ}]
			if c == nil {
				continue
			}
			var xys plotter.XYs
			for w, v := range c {
				xys = append(xys, plotter.XY{X: (float64(w) + 0.5) * dt, Y: v})
			}
			l, err := plotter.NewLine(xys)
			if err != nil {
				return err
			}
			l.Color = typeColor[typ]
			if g, ok := fGlyph[f]; ok {
				lp, err := plotter.NewScatter(xys)
				if err != nil {
					return err
				}
				lp.GlyphStyle.Shape, lp.GlyphStyle.Color = g, typeColor[typ]
				p.Add(lp)
			}
			p.Add(l)
			p.Legend.Add(fmt.Sprintf("%s %s", f, typ), l)
		}
	}
	return p.Save(10*vg.Inch, 5*vg.Inch, path)
}
