package runner

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/nemesis"
	"github.com/quorumkit/quorumkit/harness/internal/report"
	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
)

// ops builds a history by hand: each call appends an op at the given
// millisecond, numbered in order.
type ops []history.Op

func (h *ops) add(ms int, typ history.Type, f string, process int, key int64, value string) {
	*h = append(*h, history.Op{Index: len(*h), Type: typ, F: f, Process: process, Time: time.Duration(ms) * time.Millisecond,
		Key: key, Value: json.RawMessage(value)})
}

// client appends one client op on key: its invocation at ms and its :ok
// completion 5 ms later, the value read or written given by done, its reply
// witnessed by a majority.
func (h *ops) client(ms, process int, f string, key int64, inv, done string) {
	h.add(ms, history.Invoke, f, process, key, inv)
	h.add(ms+5, history.OK, f, process, key, done)
	(*h)[len(*h)-1].Witness = &witness.Verdict{Node: "n0", Arrival: "n0", Witnesses: []string{"n0", "n1"}, Quorum: 2, Witnessed: true}
}

// linearizable is a valid run on two keys, with a partition that the
// nemesis started and never stopped.
func linearizable() ops {
	var h ops
	h.client(0, 0, "write", 0, "1", "1")
	h.client(10, 1, "read", 0, "null", "1")
	h.client(20, 2, "cas", 0, "[1,2]", "[1,2]")
	h.client(30, 3, "read", 0, "null", "2")
	h.add(35, history.Info, nemesis.StartPartition, history.NemesisProcess, 0, `"one"`)
	h.add(36, history.Info, nemesis.StartPartition, history.NemesisProcess, 0, `["isolated",{"n0":["n1","n2"]}]`)
	h.client(40, 0, "write", 1, "7", "7")
	h.client(50, 1, "read", 1, "null", "7")
	h.client(60, 2, "cas", 1, "[7,8]", "[7,8]")
	return h
}

// analysis is an Analysis of h, as a run of nodes n0 to n2 leaves it.
func analysis(h ops) Analysis {
	return Analysis{Ops: h, Nodes: []string{"n0", "n1", "n2"}, Availability: -1, Seed: 7, Log: &bytes.Buffer{},
		Test: results.TestInfo{Name: "lin-kv"}}
}

func newStore(t *testing.T) *report.Store {
	t.Helper()
	s, err := report.NewStore(t.TempDir(), "lin-kv", time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	return s
}

func TestAnalyseValidRun(t *testing.T) {
	store := newStore(t)
	res := Analyse(store, analysis(linearizable()), 100*time.Millisecond)
	assert.Equal(t, check.Valid, res.Valid)
	assert.Equal(t, results.ExitValid, res.ExitCode())
	assert.Empty(t, res.Workload.Failures)
	assert.Equal(t, 7, res.Stats.OKCount)
	assert.Equal(t, int64(7), res.Seed)
	assert.Equal(t, []*results.ProtocolError{}, res.Protocol.Errors, "no protocol errors is an empty list, not null")
	require.NotNil(t, res.Recovery, "a start-partition gives a recovery section")
	require.Len(t, res.Recovery.Partitions, 1)
	assert.Equal(t, map[string]int{nemesis.StartPartition: 1}, res.Nemesis.Ops)
	for _, f := range []string{"results.json", "results.edn", "history.jsonl", "history.edn", "history.txt", "timeline.html",
		"latency-raw.png", "latency-quantiles.png", "rate.png"} {
		assert.FileExists(t, store.Path(f))
	}
	assert.NoDirExists(t, store.Path("independent"), "no page for a valid run")
	back, err := results.Read(store.Dir)
	require.NoError(t, err)
	assert.Equal(t, check.Valid, back.Valid)
	assert.Equal(t, "lin-kv", back.Test.Name)
}

// TestAnalyseDrawsTheViolation: a read of a value never written makes its key
// not linearizable; the run is invalid and porcupine's page of that key, and
// only that key, is written and named in the results.
func TestAnalyseDrawsTheViolation(t *testing.T) {
	h := linearizable()
	h.client(70, 3, "read", 1, "null", "9")
	store := newStore(t)
	res := Analyse(store, analysis(h), 100*time.Millisecond)
	assert.Equal(t, check.Invalid, res.Valid)
	assert.Equal(t, results.ExitInvalid, res.ExitCode())
	assert.Equal(t, []int64{1}, res.Workload.Failures)
	page := filepath.Join("independent", "1", "linear.html")
	assert.Equal(t, page, res.Workload.Key(1).Visualization)
	assert.FileExists(t, store.Path(page))
	assert.NoDirExists(t, store.Path("independent", "0"))
}

// TestAnalyseVerdicts: the protocol errors, a crash and the parity flag each
// reach valid? and the exit code.
func TestAnalyseVerdicts(t *testing.T) {
	a := analysis(linearizable())
	a.Protocol = results.ProtocolResult{Count: 1, Errors: []*results.ProtocolError{{Node: "n0", Line: "x", Error: "bad"}}}
	res := Analyse(newStore(t), a, time.Second)
	assert.Equal(t, check.Invalid, res.Protocol.Valid)
	assert.Equal(t, check.Invalid, res.Valid)

	a = analysis(linearizable())
	a.Crash = &results.CrashResult{Valid: check.Unknown, Message: "node crashed"}
	res = Analyse(newStore(t), a, time.Second)
	assert.Equal(t, check.Unknown, res.Valid)
	assert.Equal(t, results.ExitCrash, res.ExitCode(), "a crash wins over the verdict")

	// An :ok write whose reply had no quorum behind it: only the
	// additional quorum-witness check sees it.
	h := linearizable()
	h[len(h)-1].Witness = unwitnessed()
	a = analysis(h)
	res = Analyse(newStore(t), a, time.Second)
	assert.Equal(t, check.Invalid, res.QuorumWitness.Valid)
	assert.Equal(t, check.Invalid, res.Valid)
	a.MaelstromParity = true
	res = Analyse(newStore(t), a, time.Second)
	assert.Equal(t, check.Invalid, res.QuorumWitness.Valid, "still reported")
	assert.Equal(t, check.Valid, res.Valid, "but not counted under --maelstrom-parity")
}

// TestAnalyseReusesResults: results already computed (as the simulator
// computes them) are taken as they are, not checked again.
func TestAnalyseReusesResults(t *testing.T) {
	a := analysis(linearizable())
	a.Workload = &check.LinResult{Valid: check.Unknown, Failures: []int64{}, Results: map[string]*check.KeyResult{}}
	res := Analyse(newStore(t), a, time.Second)
	assert.Same(t, a.Workload, res.Workload)
	assert.Equal(t, check.Unknown, res.Valid)
	assert.NotNil(t, res.Observations, "the missing one is computed")
}

func TestFaultsCloseAtTheEnd(t *testing.T) {
	extra := []history.Interval{{Start: time.Millisecond, End: 2 * time.Millisecond, Kind: "pause"}, {Start: 3 * time.Millisecond, End: -1}}
	got := faults(linearizable(), extra, time.Second)
	assert.Equal(t, []history.Interval{
		{Start: 36 * time.Millisecond, End: time.Second, Label: "one", Kind: nemesis.Partition},
		{Start: time.Millisecond, End: 2 * time.Millisecond, Kind: "pause"},
		{Start: 3 * time.Millisecond, End: time.Second},
	}, got, "the nemesis's intervals, then the extra ones, the open ones closed at the end")
}

// unwitnessed is the tracker's verdict on a reply that n0 sent with no other
// node behind it.
func unwitnessed() *witness.Verdict {
	return &witness.Verdict{Node: "n0", Arrival: "n0", Witnesses: []string{"n0"}, Quorum: 2}
}
