package nemesis

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// completions walks the nemesis ops of a history and calls fn with each
// completion and the value of its invocation. The nemesis runs one op at a
// time, so its ops come in pairs: an invocation, then its completion.
func completions(ops []history.Op, fn func(inv, done history.Op)) {
	var inv *history.Op
	for i := range ops {
		op := &ops[i]
		if op.IsClient() {
			continue
		}
		if inv == nil {
			inv = op
			continue
		}
		fn(*inv, *op)
		inv = nil
	}
}

// specOf is the spec an invocation named ("" for null).
func specOf(inv history.Op) string {
	var s string
	json.Unmarshal(inv.Value, &s)
	return s
}

// Intervals derives from a history's nemesis ops the periods to shade on the
// plots, as Jepsen's perf plots shade them from the history: a partition
// from its start-partition's completion to its stop-partition's; a kill
// from the completion that took the first node down to the one that brought
// the last one back, labelled with every node it took down; a pause
// likewise. An interval still open at the end of the history has End -1.
func Intervals(ops []history.Op) []history.Interval {
	var out []history.Interval
	var state State
	open := map[string]int{}            // kind -> index in out
	hit := map[string]map[string]bool{} // kind -> nodes it struck
	openAt := func(kind, label string, at time.Duration) {
		open[kind] = len(out)
		out = append(out, history.Interval{Start: at, End: -1, Label: label, Kind: kind})
	}
	completions(ops, func(inv, done history.Op) {
		state.apply(done.F, specOf(inv), done.Value)
		switch done.F {
		case StartPartition:
			openAt(Partition, state.Shape, done.Time)
			return
		case StopPartition:
			if i, ok := open[Partition]; ok {
				out[i].End = done.Time
				delete(open, Partition)
			}
			return
		}
		for _, k := range []struct {
			kind  string
			nodes map[string]bool
		}{{Kill, state.Down}, {Pause, state.Paused}} {
			i, ok := open[k.kind]
			switch {
			case len(k.nodes) > 0:
				if !ok {
					hit[k.kind] = map[string]bool{}
					openAt(k.kind, "", done.Time)
					i = open[k.kind]
				}
				for n := range k.nodes {
					hit[k.kind][n] = true
				}
				out[i].Label = k.kind + " " + strings.Join(sortedSet(hit[k.kind]), " ")
			case ok:
				out[i].End = done.Time
				delete(open, k.kind)
			}
		}
	})
	return out
}

// Summary is the results' nemesis section: how many of each nemesis op
// happened, and what they did to the nodes.
type Summary struct {
	// Valid is always true: the section counts.
	Valid check.Validity `json:"valid?"`
	// Ops counts the completed ops by f (start-partition, kill, start, ...).
	Ops map[string]int `json:"ops"`
	// Nodes counts what the kills, starts, pauses and resumes did, node by
	// node, by outcome (killed, started, paused, resumed, not-running, ...):
	// a kill of two nodes counts 2 killed.
	Nodes map[string]int `json:"nodes"`
}

// Summarize counts the nemesis ops of a history; it returns nil when there
// were none.
func Summarize(ops []history.Op) *Summary {
	var s *Summary
	completions(ops, func(_, done history.Op) {
		if s == nil {
			s = &Summary{Valid: check.Valid, Ops: map[string]int{}, Nodes: map[string]int{}}
		}
		s.Ops[done.F]++
		var outcomes map[string]string
		if json.Unmarshal(done.Value, &outcomes) == nil {
			for _, o := range outcomes {
				s.Nodes[o]++
			}
		}
	})
	return s
}
