package report

import (
	"bufio"
	"fmt"
	"html"
	"os"
	"sort"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// timelineLimit caps the ops drawn on timeline.html, so that the page of a
// long run still opens.
const timelineLimit = 10000

// timeline writes timeline.html, Jepsen's view of a history: one column per
// process, one box per op from its invocation to its completion, coloured
// by outcome, with the op's details on hover. Nemesis ops get a column of
// their own.
func timeline(s *Store, ops []history.Op) error {
	type box struct {
		col        int
		start, end float64 // ms
		typ        history.Type
		title      string
	}
	open := map[int]history.Op{}
	cols := map[int]int{}
	var procs []int
	var boxes []box
	end := 0.0
	for _, op := range ops {
		end = max(end, float64(op.Time.Microseconds())/1000)
		if op.Type == history.Invoke || (!op.IsClient() && isNemesisInvoke(op, open)) {
			open[op.Process] = op
			if _, ok := cols[op.Process]; !ok {
				cols[op.Process] = len(procs)
				procs = append(procs, op.Process)
			}
			continue
		}
		inv, ok := open[op.Process]
		if !ok {
			continue
		}
		delete(open, op.Process)
		if len(boxes) >= timelineLimit {
			continue
		}
		title := fmt.Sprintf("%s %s %s -> %s %s", procName(op.Process), op.F, inv.ValueJSON(), op.Type, op.ValueJSON())
		if len(op.Error) > 0 {
			title += " " + string(op.Error)
		}
		title += fmt.Sprintf(" (%.3f-%.3f ms)", float64(inv.Time.Microseconds())/1000, float64(op.Time.Microseconds())/1000)
		boxes = append(boxes, box{col: cols[op.Process], start: float64(inv.Time.Microseconds()) / 1000,
			end: float64(op.Time.Microseconds()) / 1000, typ: op.Type, title: title})
	}
	// Processes in numeric order, the nemesis last.
	order := append([]int(nil), procs...)
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if a == history.NemesisProcess || b == history.NemesisProcess {
			return b == history.NemesisProcess && a != b
		}
		return a < b
	})
	pos := map[int]int{}
	for i, p := range order {
		pos[cols[p]] = i
	}
	f, err := os.Create(s.Path("timeline.html"))
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	const colWidth, pxPerMs = 110, 0.5
	fmt.Fprintf(w, `<!doctype html><html><head><meta charset="utf-8"><title>timeline</title><style>
body{font-family:sans-serif;font-size:11px}
.op{position:absolute;width:%dpx;overflow:hidden;border:1px solid #888;border-radius:2px;box-sizing:border-box;padding:1px}
.ok{background:#6DB6FE}.info{background:#FFAA26}.fail{background:#FEB5DA}.head{position:absolute;top:0;font-weight:bold}
</style></head><body><div style="position:relative">
`, colWidth-4)
	for i, p := range order {
		fmt.Fprintf(w, `<div class="head" style="left:%dpx">%s</div>`+"\n", i*colWidth, procName(p))
	}
	for _, b := range boxes {
		h := max((b.end-b.start)*pxPerMs, 2)
		fmt.Fprintf(w, `<div class="op %s" style="left:%dpx;top:%.1fpx;height:%.1fpx" title="%s">%s</div>`+"\n",
			b.typ, pos[b.col]*colWidth, 20+b.start*pxPerMs, h, html.EscapeString(b.title), html.EscapeString(b.title))
	}
	if len(boxes) >= timelineLimit {
		fmt.Fprintf(w, `<p>Truncated to the first %d ops.</p>`, timelineLimit)
	}
	fmt.Fprintf(w, "</div></body></html>\n")
	return w.Flush()
}

// isNemesisInvoke reports whether a nemesis op opens a pair: nemesis ops
// come as two :info ops, the first of which stands for the invocation.
func isNemesisInvoke(op history.Op, open map[int]history.Op) bool {
	_, pending := open[op.Process]
	return !pending
}

func procName(p int) string {
	if p == history.NemesisProcess {
		return "nemesis"
	}
	return fmt.Sprint(p)
}
