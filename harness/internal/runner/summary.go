package runner

import (
	"fmt"
	"path/filepath"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/report"
	"github.com/quorumkit/quorumkit/harness/internal/results"
)

// reportedOnly marks the summary line of an additional check that does not
// count in valid?.
func (t *test) reportedOnly() string {
	if t.opts.MaelstromParity {
		return " (reported only: --maelstrom-parity)"
	}
	return ""
}

// summarizeWitness prints the quorum-witness line and the first offending
// ops.
func (t *test) summarizeWitness(q *check.WitnessResult) {
	w := t.opts.Out
	fmt.Fprintf(w, ":quorum-witness valid? %-7s checked %d unwitnessed %d%s\n", q.Valid, q.Checked, q.Unwitnessed, t.reportedOnly())
	for _, op := range q.Ops[:min(5, len(q.Ops))] {
		arrival := "arrived at " + op.Arrival
		if op.Arrival == "" {
			arrival = "never delivered"
		}
		fmt.Fprintf(w, "  op %d process %d %s %s: %s replied with witnesses %v, %d needed (%s)\n",
			op.Index, op.Process, op.F, op.Value, op.Node, op.Witnesses, op.Quorum, arrival)
	}
}

// counts renders a map of counts as "a 1, b 2" in key order.
func counts(m map[string]int) string {
	s := ""
	for _, k := range report.SortedKeys(m) {
		if s != "" {
			s += ", "
		}
		s += fmt.Sprintf("%s %d", k, m[k])
	}
	return "{" + s + "}"
}

// summarizeObservations prints the observations line and the first
// offending ops.
func (t *test) summarizeObservations(o *check.ObservationsResult) {
	w := t.opts.Out
	fmt.Fprintf(w, ":observations valid? %-7s checked %d failures %v%s\n", o.Valid, o.Checked, o.Failures, t.reportedOnly())
	for _, op := range o.Ops[:min(5, len(o.Ops))] {
		fmt.Fprintf(w, "  key %d: op %d process %d %s %s saw %s, which no linearization explains: %s\n",
			op.Key, op.Index, op.Process, op.F, op.Value, op.Saw, filepath.Join(t.store.Dir, op.Visualization))
	}
}

// summarize prints the end-of-run summary, like Maelstrom's.
func (t *test) summarize(res *results.Results, code int) {
	w := t.opts.Out
	fmt.Fprintf(w, "\nstore: %s\nseed: %d\n", t.store.Dir, res.Seed)
	s := res.Stats
	fmt.Fprintf(w, ":stats        valid? %-7s count %d ok %d fail %d info %d\n", s.Valid, s.Count, s.OKCount, s.FailCount, s.InfoCount)
	for _, f := range report.SortedKeys(s.ByF) {
		c := s.ByF[f]
		fmt.Fprintf(w, "  %-6s      valid? %-7s count %d ok %d fail %d info %d\n", f, c.Valid, c.Count, c.OKCount, c.FailCount, c.InfoCount)
	}
	fmt.Fprintf(w, ":availability valid? %-7s ok-fraction %.4f\n", res.Availability.Valid, res.Availability.OKFraction)
	n := res.Net
	fmt.Fprintf(w, ":net          valid? %-7s all msgs %d servers msgs %d", n.Valid, n.All.MsgCount, n.Servers.MsgCount)
	if n.All.MsgsPerOp != nil {
		fmt.Fprintf(w, " msgs-per-op all %.3f servers %.3f", *n.All.MsgsPerOp, *n.Servers.MsgsPerOp)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, ":workload     valid? %-7s keys %d failures %v\n", res.Workload.Valid, len(res.Workload.Results), res.Workload.Failures)
	for _, k := range res.Workload.Failures {
		kr := res.Workload.Key(k)
		fmt.Fprintf(w, "  key %d not linearizable (%d ops): %s\n", k, kr.OpCount, filepath.Join(t.store.Dir, kr.Visualization))
	}
	fmt.Fprintf(w, ":protocol     valid? %-7s errors %d\n", res.Protocol.Valid, res.Protocol.Count)
	for _, e := range res.Protocol.Errors[:min(5, len(res.Protocol.Errors))] {
		fmt.Fprintf(w, "  %s: %s: %q\n", e.Node, e.Error, truncate(e.Line, 120))
	}
	t.summarizeWitness(res.QuorumWitness)
	if nem := res.Nemesis; nem != nil {
		fmt.Fprintf(w, ":nemesis      ops %s nodes %s\n", counts(nem.Ops), counts(nem.Nodes))
	}
	t.summarizeObservations(res.Observations)
	if c := res.Crash; c != nil {
		fmt.Fprintf(w, ":crash        %s\n", c.Message)
		for _, nc := range c.Nodes {
			fmt.Fprintf(w, "  node %s exited early (%s) at %.1fs; last stderr lines:\n%s", nc.Node, nc.Status, nc.At, indent(nc.StderrTail))
		}
	}
	fmt.Fprintln(w)
	switch code {
	case results.ExitValid:
		fmt.Fprintln(w, "Everything looks good! ヽ(‘ー`)ノ")
	case results.ExitInvalid:
		fmt.Fprintln(w, "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻")
	case results.ExitUnknown:
		fmt.Fprintln(w, "Errors occurred during analysis, but no anomalies found. ಠ~ಠ")
	default:
		fmt.Fprintln(w, "The run crashed; results up to the crash are in the store. (exit 255)")
	}
}
