package runner

import (
	"fmt"
	"io"
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
