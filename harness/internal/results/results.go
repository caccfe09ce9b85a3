package results

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/nemesis"
)

// ProtocolError is one bad line or bad address on a node's stdout.
type ProtocolError struct {
	// Node is the node whose stdout held the line.
	Node string `json:"node"`
	// Line is the offending line, as written.
	Line string `json:"line"`
	// Error says what is wrong with it.
	Error string `json:"error"`
}

// ProtocolResult is the protocol section: invalid when any node wrote
// something that is not a valid message to a registered id.
type ProtocolResult struct {
	// Valid is false when there was any error.
	Valid check.Validity `json:"valid?"`
	// Count is the number of errors; Errors holds the first MaxProtocolErrors.
	Count int `json:"count"`
	// Errors are the first errors, in the order they happened.
	Errors []*ProtocolError `json:"errors"`
}

// MaxProtocolErrors caps the protocol errors kept in the results.
const MaxProtocolErrors = 100

// NodeCrash describes a node that exited on its own.
type NodeCrash struct {
	// Node is the node's id.
	Node string `json:"node"`
	// Status is how it ended, e.g. "exit status 3".
	Status string `json:"status"`
	// At is when the harness noticed, in seconds on the history's scale.
	At float64 `json:"at-seconds"`
	// StderrTail and StdoutTail are the last lines of each stream.
	StderrTail []string `json:"stderr-tail"`
	StdoutTail []string `json:"stdout-tail"`
}

// CrashResult reports why the run crashed (exit 255): nodes that exited,
// or a setup failure such as an init that was never answered.
type CrashResult struct {
	// Valid is unknown: a crashed run's analysis is incomplete.
	Valid check.Validity `json:"valid?"`
	// Message summarizes the crash.
	Message string `json:"message"`
	// Nodes lists the nodes that exited on their own.
	Nodes []*NodeCrash `json:"nodes,omitempty"`
}

// Simple is a checker result that only carries its verdict.
type Simple struct {
	// Valid is the verdict.
	Valid check.Validity `json:"valid?"`
}

// TestInfo records how the test was run.
type TestInfo struct {
	// Name is the workload.
	Name string `json:"name"`
	// Start is the wall-clock start, RFC 3339.
	Start string `json:"start-time"`
	// Store is the run's store directory.
	Store string `json:"store"`
	// Options are the parsed options.
	Options *Options `json:"options"`
	// TimeLimit (s), Latency (ms), NemesisInterval (s) and Timeout (the
	// client RPC timeout, ms) restate the durations in Maelstrom's units.
	TimeLimit       float64 `json:"time-limit"`
	Latency         int64   `json:"latency"`
	NemesisInterval float64 `json:"nemesis-interval"`
	Timeout         int64   `json:"timeout-ms"`
	// Duration is how long the run lasted, from client setup to analysis.
	Duration float64 `json:"duration-seconds"`
	// ZeroTime is the wall-clock instant of time 0 on the history's scale
	// (RFC 3339), to line history times up with timestamps in node logs.
	ZeroTime string `json:"zero-time"`
	// Replay is the command that replays the run exactly, where there is
	// one: a simulated run's go test command (with its seed).
	Replay string `json:"replay,omitempty"`
}

// Results is the results map, written as results.json and results.edn. Its
// keys follow Maelstrom's results.edn; protocol, crash, nodes, recovery,
// quorum-witness, observations, seed and test are this harness's additions.
type Results struct {
	// Valid is the worst of the sub-results: false > unknown > true.
	Valid check.Validity `json:"valid?"`
	// Perf has the latency quantiles and the :ok throughput; it is unknown
	// when the plots could not be written, and valid otherwise.
	Perf *check.PerfResult `json:"perf"`
	// Timeline is unknown when timeline.html could not be written.
	Timeline Simple `json:"timeline"`
	// Exceptions groups indeterminate :info ops by exception class.
	Exceptions *check.ExceptionsResult `json:"exceptions"`
	// Stats counts completions overall and by f.
	Stats *check.StatsResult `json:"stats"`
	// Availability is the ok fraction against --availability.
	Availability *check.AvailabilityResult `json:"availability"`
	// Net has the message counts and msgs-per-op.
	Net *check.NetResult `json:"net"`
	// Workload is the per-key linearizability result.
	Workload *check.LinResult `json:"workload"`
	// Protocol lists bad stdout lines and bad addresses.
	Protocol *ProtocolResult `json:"protocol"`
	// Crash is present when the run crashed (exit 255).
	Crash *CrashResult `json:"crash,omitempty"`
	// Nodes has each node's resident memory over the run, by node id
	// (absent where /proc cannot be read).
	Nodes map[string]*NodeMemory `json:"nodes,omitempty"`
	// QuorumWitness lists the :ok writes and cas's whose reply had no
	// majority of nodes causally between the request's arrival and itself.
	QuorumWitness *check.WitnessResult `json:"quorum-witness"`
	// Observations checks the definite failures that saw the register (a read
	// or cas answered 20, a cas answered 22), which Maelstrom drops, with each
	// key's operations.
	Observations *check.ObservationsResult `json:"observations"`
	// Recovery has, for each start-partition, the time to the first :ok
	// write or cas invoked after it; present only when there were
	// partitions.
	Recovery *check.RecoveryResult `json:"recovery,omitempty"`
	// Nemesis counts the nemesis's ops by f and what they did to the
	// nodes (killed, started, paused, ...); present only when it ran.
	Nemesis *nemesis.Summary `json:"nemesis,omitempty"`
	// Seed is the seed of the generator, the nemesis and the latencies.
	Seed int64 `json:"seed"`
	// Test records how the test was run.
	Test TestInfo `json:"test"`
}

// additional returns the verdicts of the checks Maelstrom does not have,
// which --maelstrom-parity leaves out of valid?. The protocol section is not
// one: Maelstrom punishes a bad line too, by no longer reading the node.
// A new check of that kind adds its verdict here, and so obeys the flag.
func (r *Results) additional() []check.Validity {
	return []check.Validity{r.QuorumWitness.Valid, r.Observations.Valid}
}

// Verdict is the worst of the sections' verdicts (false > unknown > true),
// the run's valid?: every section Maelstrom has, the crash when there was
// one, and, unless parity asks for Maelstrom's verdict exactly, the
// additional checks.
func (r *Results) Verdict(parity bool) check.Validity {
	vs := []check.Validity{r.Perf.Valid, r.Timeline.Valid, r.Exceptions.Valid, r.Stats.Valid,
		r.Availability.Valid, r.Net.Valid, r.Workload.Valid, r.Protocol.Valid}
	if r.Crash != nil {
		vs = append(vs, r.Crash.Valid)
	}
	if !parity {
		vs = append(vs, r.additional()...)
	}
	return check.Worst(vs...)
}

// Exit codes, as Maelstrom's: what a run's results make of the harness's
// exit status, and the status of arguments it refused.
const (
	ExitValid   = 0
	ExitInvalid = 1
	ExitUnknown = 2
	ExitBadArgs = 254
	ExitCrash   = 255
)

// ExitCode is the exit status of a run with these results: a crash wins over
// the verdict.
func (r *Results) ExitCode() int {
	switch {
	case r.Crash != nil:
		return ExitCrash
	case r.Valid == check.Valid:
		return ExitValid
	case r.Valid == check.Invalid:
		return ExitInvalid
	}
	return ExitUnknown
}

// NodeMemory is one node's resident memory, sampled from
// /proc/<pid>/status about once a second from time 0 until the workload
// ends.
type NodeMemory struct {
	// Pid is the node's process id.
	Pid int `json:"pid"`
	// Peak and Last are the largest and the last VmRSS sample, in KiB.
	Peak int64 `json:"rss-peak-kib"`
	Last int64 `json:"rss-last-kib"`
	// HWM is the kernel's VmHWM (the peak between samples too) at the last
	// sample, in KiB.
	HWM int64 `json:"rss-hwm-kib"`
	// Samples are [seconds on the history's scale, VmRSS in KiB] pairs in
	// time order, e.g. for "RSS after 1 minute".
	Samples [][2]float64 `json:"rss-samples"`
}

// Add records one sample taken at seconds: rss is VmRSS and hwm VmHWM, in
// KiB. Times are kept to the millisecond, which is all a reader of
// "RSS after 1 minute" needs.
func (m *NodeMemory) Add(seconds float64, rss, hwm int64) {
	m.Samples = append(m.Samples, [2]float64{math.Round(seconds*1000) / 1000, float64(rss)})
	m.Peak = max(m.Peak, rss)
	m.Last, m.HWM = rss, hwm
}

// Read decodes the results.json in a run's store directory dir, so that every reader of a
// stored run (the benchmark report, the tests of what writes it) decodes it with this schema.
func Read(dir string) (*Results, error) {
	b, err := os.ReadFile(filepath.Join(dir, "results.json"))
	if err != nil {
		return nil, err
	}
	res := &Results{}
	if err := json.Unmarshal(b, res); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return res, nil
}
