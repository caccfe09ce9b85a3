package runner

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/nemesis"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/harness/internal/report"
	"github.com/quorumkit/quorumkit/harness/internal/results"
)

// Analysis is a finished run as the checkers see it. The harness fills it
// from a real run; the simulator (harness/sim) from a virtual-time one, so
// that both leave the same store directory.
type Analysis struct {
	// Ops is the history.
	Ops []history.Op
	// Net is the network's counters.
	Net net.Stats
	// Partitions are faults to shade on the plots that the history's
	// nemesis ops do not tell (the simulator's); the nemesis's own are read
	// from the history. An End below zero lasts to the end.
	Partitions []history.Interval
	// Protocol lists bad lines and addresses; Crash is set when the run
	// crashed; Memory is each node's memory, when it was sampled.
	Protocol results.ProtocolResult
	Crash    *results.CrashResult
	Memory   map[string]*results.NodeMemory
	// Nodes is the cluster, for the recovery section.
	Nodes []string
	// Availability is the required ok fraction (negative when unset);
	// CheckTimeout bounds porcupine per key (0: none).
	Availability float64
	CheckTimeout time.Duration
	// Workload and Observations, when set, are the linearizability and the
	// observations results already computed over Ops, which are then not
	// checked again.
	Workload     *check.LinResult
	Observations *check.ObservationsResult
	// MaelstromParity leaves the harness's additional checks (quorum
	// witness, observations) out of the verdict; they are still reported.
	MaelstromParity bool
	// Seed and Test describe the run.
	Seed int64
	Test results.TestInfo
	// Log receives what could not be written.
	Log io.Writer
}

// analyse runs the checkers and writes the store.
func (t *test) analyse(end time.Duration) *results.Results {
	opts := t.opts
	t.mu.Lock()
	a := Analysis{
		Ops: t.history.Ops(), Net: t.net.Stats(),
		Protocol: t.protocol, Crash: t.crash, Memory: t.memory, Nodes: opts.Nodes,
		Availability: opts.Availability, CheckTimeout: opts.CheckTimeout, MaelstromParity: opts.MaelstromParity,
		Seed: opts.Seed, Log: opts.Log,
		Test: results.TestInfo{
			Name: opts.Workload, Start: t.clock.Start().UTC().Format(time.RFC3339Nano), Store: t.store.Dir,
			Options: &opts.Options, TimeLimit: opts.TimeLimit.Seconds(), Latency: opts.Latency.Milliseconds(),
			NemesisInterval: opts.NemesisInterval.Seconds(), Timeout: opts.Timeout().Milliseconds(),
			Duration: end.Seconds(), ZeroTime: t.zeroTime.UTC().Format(time.RFC3339Nano),
		},
	}
	t.mu.Unlock()
	return Analyse(t.store, a, end)
}

// Analyse runs every checker over a finished run that lasted until end (on
// the history's scale) and writes its store: results.json and .edn, the
// history in three forms, and the pictures (report.WritePictures).
func Analyse(store *report.Store, a Analysis, end time.Duration) *results.Results {
	ops := a.Ops
	protocol := a.Protocol
	protocol.Valid = check.Of(protocol.Count == 0)
	if protocol.Errors == nil {
		protocol.Errors = []*results.ProtocolError{}
	}
	workload, observations := a.Workload, a.Observations
	switch {
	case workload == nil && observations == nil:
		workload, observations = check.Check(ops, a.CheckTimeout)
	case workload == nil:
		workload = check.Linearizable(ops, a.CheckTimeout)
	case observations == nil:
		observations = check.Observations(ops, a.CheckTimeout)
	}
	res := &results.Results{
		Perf:          check.Perf(ops),
		Timeline:      results.Simple{Valid: check.Valid},
		Exceptions:    check.Exceptions(ops),
		Stats:         check.Stats(ops),
		Availability:  check.Availability(ops, a.Availability),
		Net:           check.Net(a.Net, ops),
		Workload:      workload,
		Protocol:      &protocol,
		Crash:         a.Crash,
		Nodes:         a.Memory,
		Recovery:      check.Recovery(ops, a.Nodes),
		Nemesis:       nemesis.Summarize(ops),
		QuorumWitness: check.QuorumWitness(ops),
		Observations:  observations,
		Seed:          a.Seed,
		Test:          a.Test,
	}
	report.WritePictures(store, res, ops, faults(ops, a.Partitions, end), a.Log)
	res.Valid = res.Verdict(a.MaelstromParity)
	if err := store.WriteHistory(ops); err != nil {
		fmt.Fprintln(a.Log, "harness:", err)
	}
	if err := store.WriteResults(res); err != nil {
		fmt.Fprintln(a.Log, "harness:", err)
	}
	return res
}

// faults are the periods to shade on the plots: the nemesis's, read from the
// history, then the extra ones, each still open at the end closed there.
func faults(ops []history.Op, extra []history.Interval, end time.Duration) []history.Interval {
	out := append(nemesis.Intervals(ops), extra...)
	for i := range out {
		if out[i].End < 0 {
			out[i].End = end
		}
	}
	return out
}

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

// exitCode maps a result to Maelstrom's exit codes; a crash wins.
func exitCode(res *results.Results) int {
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
