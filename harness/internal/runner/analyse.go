package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/report"
)

// analyse runs the checkers and writes the store.
func (t *test) analyse(end time.Duration) *Results {
	opts := t.opts
	ops := t.history.Ops()
	t.mu.Lock()
	protocol := t.protocol
	crash := t.crash
	partitions := append([]report.Interval(nil), t.partition...)
	memory := t.memory
	t.mu.Unlock()
	protocol.Valid = check.Of(protocol.Count == 0)
	for i := range partitions {
		if partitions[i].End < 0 {
			partitions[i].End = end
		}
	}

	res := &Results{
		Perf:          check.Perf(ops),
		Timeline:      Simple{Valid: check.Valid},
		Exceptions:    check.Exceptions(ops),
		Stats:         check.Stats(ops),
		Availability:  check.Availability(ops, opts.Availability),
		Net:           check.Net(t.net.Stats(), ops),
		Workload:      check.Linearizable(ops, opts.CheckTimeout),
		Protocol:      &protocol,
		Crash:         crash,
		Nodes:         memory,
		Recovery:      check.Recovery(ops, opts.Nodes),
		QuorumWitness: check.QuorumWitness(ops),
		Seed:          opts.Seed,
		Test: TestInfo{
			Name: opts.Workload, Start: t.clock.Start().UTC().Format(time.RFC3339Nano), Store: t.store.Dir,
			Options: opts, TimeLimit: opts.TimeLimit.Seconds(), Latency: opts.Latency.Milliseconds(),
			NemesisInterval: opts.NemesisInterval.Seconds(), Timeout: opts.Timeout().Milliseconds(),
			Duration: end.Seconds(), ZeroTime: t.zeroTime.UTC().Format(time.RFC3339Nano),
		},
	}
	for _, k := range res.Workload.Failures {
		dir := t.store.Path("independent", strconv.FormatInt(k, 10))
		rel := filepath.Join("independent", strconv.FormatInt(k, 10), "linear.html")
		kr := res.Workload.Key(k)
		if err := os.MkdirAll(dir, 0o755); err == nil {
			if err := kr.Visualize(filepath.Join(dir, "linear.html")); err == nil {
				kr.Visualization = rel
			} else {
				fmt.Fprintln(opts.Log, "harness: visualization:", err)
			}
		}
	}
	if err := report.Timeline(t.store, ops); err != nil {
		res.Timeline = Simple{Valid: check.Unknown}
		fmt.Fprintln(opts.Log, "harness: timeline:", err)
	}
	if err := report.Plots(t.store, ops, partitions); err != nil {
		res.Perf.Valid = check.Unknown
		fmt.Fprintln(opts.Log, "harness: plots:", err)
	}
	vs := []check.Validity{res.Perf.Valid, res.Timeline.Valid, res.Exceptions.Valid, res.Stats.Valid,
		res.Availability.Valid, res.Net.Valid, res.Workload.Valid, res.Protocol.Valid}
	if crash != nil {
		vs = append(vs, crash.Valid)
	}
	if !opts.MaelstromParity {
		vs = append(vs, res.additional()...)
	}
	res.Valid = check.Worst(vs...)
	if err := t.store.WriteHistory(ops); err != nil {
		fmt.Fprintln(opts.Log, "harness:", err)
	}
	if err := t.store.WriteResults(res); err != nil {
		fmt.Fprintln(opts.Log, "harness:", err)
	}
	return res
}

// summarizeWitness prints the quorum-witness line and the first offending
// ops.
func (t *test) summarizeWitness(q *check.WitnessResult) {
	w := t.opts.Out
	parity := ""
	if t.opts.MaelstromParity {
		parity = " (reported only: --maelstrom-parity)"
	}
	fmt.Fprintf(w, ":quorum-witness valid? %-7s checked %d unwitnessed %d%s\n", q.Valid, q.Checked, q.Unwitnessed, parity)
	for _, op := range q.Ops[:min(5, len(q.Ops))] {
		arrival := "arrived at " + op.Arrival
		if op.Arrival == "" {
			arrival = "never delivered"
		}
		fmt.Fprintf(w, "  op %d process %d %s %s: %s replied with witnesses %v, %d needed (%s)\n",
			op.Index, op.Process, op.F, op.Value, op.Node, op.Witnesses, op.Quorum, arrival)
	}
}

// exitCode maps a result to Maelstrom's exit codes; a crash wins.
func exitCode(res *Results) int {
	switch {
	case res.Crash != nil:
		return ExitCrash
	case res.Valid == check.Valid:
		return ExitValid
	case res.Valid == check.Invalid:
		return ExitInvalid
	}
	return ExitUnknown
}

// summarize prints the end-of-run summary, like Maelstrom's.
func (t *test) summarize(res *Results, code int) {
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
	if c := res.Crash; c != nil {
		fmt.Fprintf(w, ":crash        %s\n", c.Message)
		for _, nc := range c.Nodes {
			fmt.Fprintf(w, "  node %s exited early (%s) at %.1fs; last stderr lines:\n%s", nc.Node, nc.Status, nc.At, indent(nc.StderrTail))
		}
	}
	fmt.Fprintln(w)
	switch code {
	case ExitValid:
		fmt.Fprintln(w, "Everything looks good! ヽ(‘ー`)ノ")
	case ExitInvalid:
		fmt.Fprintln(w, "Analysis invalid! (ﾉಥ益ಥ）ﾉ ┻━┻")
	case ExitUnknown:
		fmt.Fprintln(w, "Errors occurred during analysis, but no anomalies found. ಠ~ಠ")
	default:
		fmt.Fprintln(w, "The run crashed; results up to the crash are in the store. (exit 255)")
	}
}
