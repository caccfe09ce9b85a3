package runner

import (
	"github.com/quorumkit/quorumkit/harness/internal/check"
)

// ProtocolError is one bad line or bad address on a node's stdout.
type ProtocolError struct {
	Node  string `json:"node"`
	Line  string `json:"line"`
	Error string `json:"error"`
}

// ProtocolResult is the protocol section: invalid when any node wrote
// something that is not a valid message to a registered id.
type ProtocolResult struct {
	Valid Validity `json:"valid?"`
	// Count is the number of errors; Errors holds the first MaxProtocolErrors.
	Count  int              `json:"count"`
	Errors []*ProtocolError `json:"errors"`
}

// Validity is re-exported for the results shape.
type Validity = check.Validity

// MaxProtocolErrors caps the protocol errors kept in the results.
const MaxProtocolErrors = 100

// NodeCrash describes a node that exited on its own.
type NodeCrash struct {
	Node       string   `json:"node"`
	Status     string   `json:"status"`
	At         float64  `json:"at-seconds"`
	StderrTail []string `json:"stderr-tail"`
	StdoutTail []string `json:"stdout-tail"`
}

// CrashResult reports why the run crashed (exit 255): nodes that exited,
// or a setup failure such as an init that was never answered.
type CrashResult struct {
	Valid   Validity     `json:"valid?"`
	Message string       `json:"message"`
	Nodes   []*NodeCrash `json:"nodes,omitempty"`
}

// Simple is a checker result that only carries its verdict.
type Simple struct {
	Valid Validity `json:"valid?"`
}

// TestInfo records how the test was run.
type TestInfo struct {
	Name            string   `json:"name"`
	Start           string   `json:"start-time"`
	Store           string   `json:"store"`
	Options         *Options `json:"options"`
	TimeLimit       float64  `json:"time-limit"`
	Latency         int64    `json:"latency"`
	NemesisInterval float64  `json:"nemesis-interval"`
	Timeout         int64    `json:"timeout-ms"`
	Duration        float64  `json:"duration-seconds"`
}

// Results is the results map, written as results.json and results.edn. Its
// keys follow Maelstrom's results.edn; protocol, crash, seed and test are
// this harness's additions.
type Results struct {
	Valid        Validity                  `json:"valid?"`
	Perf         Simple                    `json:"perf"`
	Timeline     Simple                    `json:"timeline"`
	Exceptions   *check.ExceptionsResult   `json:"exceptions"`
	Stats        *check.StatsResult        `json:"stats"`
	Availability *check.AvailabilityResult `json:"availability"`
	Net          *check.NetResult          `json:"net"`
	Workload     *check.LinResult          `json:"workload"`
	Protocol     *ProtocolResult           `json:"protocol"`
	Crash        *CrashResult              `json:"crash,omitempty"`
	Seed         int64                     `json:"seed"`
	Test         TestInfo                  `json:"test"`
}
