package bench

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/nodelog"
)

var zero = time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)

// fakeRun writes a run directory with a results.json in the shape the
// harness writes and, optionally, a node log. scale multiplies latencies.
func fakeRun(t *testing.T, root, section, bin string, nodes int, latency int64, rate, scale float64, seq int) string {
	t.Helper()
	dir := filepath.Join(root, section, "lin-kv", fmt.Sprintf("20261125T2000%02d.000+0000", seq))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "node-logs"), 0o755))
	names := make([]string, nodes)
	for i := range names {
		names[i] = fmt.Sprintf("n%d", i)
	}
	lat := func(p50 float64) map[string]any {
		p50 *= scale
		return map[string]any{"count": 100, "mean": p50 * 1.1, "p50": p50, "p95": 2 * p50, "p99": 3 * p50, "max": 4 * p50}
	}
	byF := map[string]any{"read": lat(float64(latency) + 1), "write": lat(3*float64(latency) + 2), "cas": lat(3*float64(latency) + 2)}
	mpo := 10 / (1 + rate/100)
	res := map[string]any{
		"valid?": true,
		"perf": map[string]any{"valid?": true, "all": lat(float64(latency) + 1), "by-f": byF, "span-seconds": 10.0,
			"ok-rate": rate / 2, "steady": map[string]any{"from-seconds": 0.3, "all": lat(float64(latency) + 1), "by-f": byF}},
		"stats":        map[string]any{"valid?": true, "count": int(rate * 10), "ok-count": int(rate * 5), "by-f": map[string]any{}},
		"availability": map[string]any{"valid?": true, "ok-fraction": 0.75},
		"net":          map[string]any{"valid?": true, "servers": map[string]any{"msg-count": 1, "msgs-per-op": mpo}},
		"workload":     map[string]any{"valid?": true},
		"nodes": map[string]any{"n0": map[string]any{"pid": 1, "rss-peak-kib": 9000, "rss-last-kib": 8000, "rss-hwm-kib": 9000,
			"rss-samples": [][2]float64{{0, 3000}, {60, 8000}, {600, 8100}}}},
		"test": map[string]any{
			"options":    map[string]any{"bin": "/x/bin/" + bin, "nodes": names, "concurrency": 2 * nodes, "rate": rate, "per-key-limit": 0},
			"time-limit": 10, "latency": latency, "nemesis-interval": 5, "zero-time": zero.Format(time.RFC3339Nano),
		},
	}
	if section == sectionPartition {
		rec1, rec2, end := 0.02*scale, 0.8*scale, 4.0
		res["recovery"] = map[string]any{"valid?": true, "count": 3, "partitions": []any{
			map[string]any{"start-seconds": 1.0, "end-seconds": end, "shape": "one", "isolated": []string{"n2"}, "quorum?": true, "recovery-seconds": rec1},
			// No two-way majority from 4.2 to 4.6 s; the first :ok write comes 0.1 s (x scale) after the heal.
			map[string]any{"start-seconds": 4.2, "end-seconds": 4.6, "shape": "majorities-ring", "isolated": []string{}, "quorum?": false,
				"recovery-seconds": 0.4 + 0.1*scale, "after-heal": true},
			map[string]any{"start-seconds": 5.0, "end-seconds": nil, "shape": "one", "isolated": []string{"n0"}, "quorum?": true, "recovery-seconds": rec2},
		}}
		// n0 leads from 0.5 s: the second partition cuts the leader off.
		log := fmt.Sprintf("time=%s level=INFO msg=\"leader changed\" node=n0 from=\"\" to=n0\n"+
			"time=%s level=INFO msg=\"n0 became leader\" node=n0\n",
			zero.Add(500*time.Millisecond).Format(time.RFC3339Nano), zero.Add(501*time.Millisecond).Format(time.RFC3339Nano))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "node-logs", "n0.log"), []byte(log), 0o644))
		log = fmt.Sprintf("time=%s level=INFO msg=\"leader changed\" node=n1 from=\"\" to=n0\n", zero.Add(600*time.Millisecond).Format(time.RFC3339Nano))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "node-logs", "n1.log"), []byte(log), 0o644))
	}
	b, err := json.MarshalIndent(res, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "results.json"), b, 0o644))
	return dir
}

func TestLogFields(t *testing.T) {
	kv := logFields(`time=2026-11-25T20:14:12.470Z level=INFO msg="leader changed" node=n0 from="" to=n2`)
	assert.Equal(t, "leader changed", kv["msg"])
	assert.Equal(t, "n0", kv["node"])
	assert.Equal(t, "", kv["from"])
	assert.Equal(t, "n2", kv["to"])
	kv = logFields(`msg="n0 became follower leader=\"n2\"" node=n0`)
	assert.Equal(t, `n0 became follower leader="n2"`, kv["msg"])
	assert.Equal(t, "n0", kv["node"])
}

func TestLeaderAt(t *testing.T) {
	r := &Run{Leaders: []LeaderChange{
		{At: zero.Add(1 * time.Second), Node: "n1", To: "n1"},
		{At: zero.Add(1 * time.Second), Node: "n0", To: "n1"},
		{At: zero.Add(5 * time.Second), Node: "n1", To: ""}, // n1 steps down
		{At: zero.Add(6 * time.Second), Node: "n2", To: "n2"},
	}}
	assert.Equal(t, "", r.leaderAt(zero))
	assert.Equal(t, "n1", r.leaderAt(zero.Add(2*time.Second)))
	assert.Equal(t, "", r.leaderAt(zero.Add(5500*time.Millisecond)))
	assert.Equal(t, "n2", r.leaderAt(zero.Add(7*time.Second)))

	r.Results = &results.Results{}
	r.Results.Test.ZeroTime = zero.Format(time.RFC3339Nano)
	rec := func(x float64) *float64 { return &x }
	assert.True(t, r.failover(&check.Partition{Start: 2, Isolated: []string{"n1"}, Quorum: true, Recovery: rec(0.5)}), "leader cut off")
	assert.False(t, r.failover(&check.Partition{Start: 2, Isolated: []string{"n2"}, Quorum: true, Recovery: rec(0.5)}), "leader kept")
	assert.True(t, r.failover(&check.Partition{Start: 4, Isolated: []string{}, Quorum: true, Recovery: rec(3)}), "a 5-node ring: n1 steps down")
	assert.False(t, r.failover(&check.Partition{Start: 4, Isolated: []string{}, Recovery: rec(3)}), "a 3-node ring: no two-way majority, so not a failover whatever happens")
	assert.False(t, r.failover(&check.Partition{Start: 5.5, Isolated: []string{"n2"}, Quorum: true, Recovery: rec(1)}), "only the cut-off node's view changed")
	assert.False(t, r.failover(&check.Partition{Start: 4, Isolated: []string{"n1"}, Quorum: true}), "never recovered")
}

func TestReport(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	seq := 0
	for _, bin := range []string{"paxosnode", "raftnode"} {
		scale := 1.0
		if bin == "paxosnode" {
			scale = 2
		}
		for _, l := range []int64{0, 10, 100} {
			for range 3 {
				seq++
				fakeRun(t, root, sectionLatency, bin, 3, l, 100, scale, seq)
			}
		}
		for _, rate := range []float64{10, 100, 1000} {
			seq++
			fakeRun(t, root, sectionCurve, bin, 3, 0, rate, scale*rate/5, seq)
		}
		seq++
		fakeRun(t, root, sectionPartition, bin, 3, 10, 100, scale, seq)
		seq++
		fakeRun(t, root, sectionNodes, bin, 5, 10, 100, scale, seq)
		seq++
		fakeRun(t, filepath.Join(root, sectionMemory), bin, bin, 3, 0, 500, scale, seq)
	}
	runs, err := Load(root)
	require.NoError(t, err)
	require.Len(t, runs, 2*(9+3+3))
	// The memory runs sit one level deeper (memory/<bin>/lin-kv/...).
	mem := 0
	for _, r := range runs {
		if r.Section == sectionMemory {
			mem++
		}
	}
	assert.Equal(t, 2, mem)

	require.NoError(t, Write(out, runs, Meta{Date: zero, Commit: "abc123 test", Machine: "test machine, 2 cores",
		GoVersion: "go1.26", Mode: "full", Invocation: "make bench", Commands: []string{"a", "a", "b"}}))
	b, err := os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err)
	md := string(b)
	for _, want := range []string{
		"| commit | abc123 test |", "a    # x2",
		"Paxos/Raft p50", // raftnode comes first whatever the load order
		"| 10 | write | 20.0 / 30.0 / 26.7 | 32.0 / 64.0 / 96.0 | 35.2 (1.32) | 64.0 / 128 / 192 | 70.4 (2.64) | 2.00 | 2.00 |",
		"| 10 | read | 0.00 / 10.0 / 6.67 |",
		"## Latency and throughput", "- raftnode: 100 ops/s offered", "- paxosnode: 10 ops/s offered",
		"| 10 | 9.09 | 9.09 | 1.00 |", // msgs-per-op at rate 10
		"| raftnode | 1 | 0.750 | 1 / 1 / 1 | 0.020 | 0.800 / 0.800 | 0 / 1 / 0 | 0.100 / 0.100 | 0 / 0 |",
		"| Paxos/Raft | | 1.00 | | | 2.00 | | 2.00 | |",
		"| 5 | raftnode |", "| raftnode | n0 | 7.8 | 7.9 | 7.8 | 8.8 | 250 |",
		"30 of 30 runs were valid",
		"| core settings, both binaries | " + consensus.DefaultTiming.String() + " |",
	} {
		assert.True(t, strings.Contains(md, want), "README.md lacks %q", want)
	}
	for _, png := range []string{"latency.png", "curve-throughput.png", "curve-p99.png", "msgs-per-op.png", "recovery.png", "memory.png"} {
		st, err := os.Stat(filepath.Join(out, png))
		if assert.NoError(t, err, png) {
			assert.Positive(t, st.Size(), png)
		}
	}
	assert.False(t, strings.Contains(md, "NaN"), "no NaN in the report")
	assert.NotContains(t, md, "## Durability", "no section without scripts/durability's file")
	require.NoError(t, os.WriteFile(filepath.Join(out, "durability.md"), []byte("| fsyncs per op | 0.2 |\n"), 0o644))
	require.NoError(t, Write(out, runs, Meta{Date: zero, Commit: "abc123 test", Machine: "m", GoVersion: "go1.26", Mode: "full"}))
	b, err = os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err)
	assert.Contains(t, string(b), "## Durability\n\n| fsyncs per op | 0.2 |\n", "the durability runs survive a regeneration")
	if t.Failed() {
		t.Log(md)
	}
}

// TestSectionsLeftOut: a section without runs is left out of the report,
// and the others are still written.
func TestSectionsLeftOut(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	fakeRun(t, root, sectionPartition, "raftnode", 3, 10, 100, 1, 1)
	runs, err := Load(root)
	require.NoError(t, err)
	require.NoError(t, Write(out, runs, Meta{Date: zero}))
	b, err := os.ReadFile(filepath.Join(out, "README.md"))
	require.NoError(t, err)
	md := string(b)
	assert.Contains(t, md, "## Under partitions")
	assert.Contains(t, md, "## Correctness of the measured runs")
	for _, gone := range []string{"## Latency against the floors", "## Latency and throughput", "## Messages per op", "## 3 versus 5 nodes", "## Memory"} {
		assert.NotContains(t, md, gone)
	}
}

// TestLeaderChangedLines reads back lines that the real slog text handler
// wrote, configured as the runtime configures it (nodes.Run: a TextHandler
// with a level, the node id added by With), with the contract's message and
// keys: the parser must find exactly the leader changes, in order, with
// their times, whatever the values need in quoting.
func TestLeaderChangedLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n1.log")
	f, err := os.Create(path)
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo})).With("node", "n1")
	before := time.Now()
	log.Info("became candidate", "term", 3, "note", nodelog.LeaderChanged+" soon")
	log.Info(nodelog.LeaderChanged, nodelog.From, "", nodelog.To, "n2")
	log.Info(nodelog.LeaderChanged, nodelog.From, "n2", nodelog.To, "")
	log.Info(nodelog.LeaderChanged, nodelog.From, "", nodelog.To, "node one")
	after := time.Now()
	require.NoError(t, f.Close())

	changes, err := readLeaderChanges(path, "n1")
	require.NoError(t, err)
	require.Len(t, changes, 3, "a line that only mentions the message is not one")
	for i, want := range []string{"n2", "", "node one"} {
		assert.Equal(t, "n1", changes[i].Node)
		assert.Equal(t, want, changes[i].To)
		assert.False(t, changes[i].At.Before(before.Truncate(time.Millisecond)), "slog stamps milliseconds")
		assert.False(t, changes[i].At.After(after))
	}
}

// TestServerLogsLeaderChanged checks the writing side of the contract in the
// KV server's source: one log call whose message is nodelog.LeaderChanged
// and whose keys are nodelog.From and nodelog.To, so that a server that
// renames the line or its keys fails here rather than leaving the benchmark
// report without leaders.
func TestServerLogsLeaderChanged(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "nodes", "kvserver")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	sel := func(e ast.Expr) string {
		if s, ok := e.(*ast.SelectorExpr); ok {
			if x, ok := s.X.(*ast.Ident); ok {
				return x.Name + "." + s.Sel.Name
			}
		}
		return ""
	}
	var calls [][]string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || sel(call.Args[0]) != "nodelog.LeaderChanged" {
				return true
			}
			var keys []string
			for i := 1; i < len(call.Args); i += 2 {
				keys = append(keys, sel(call.Args[i]))
			}
			calls = append(calls, keys)
			return true
		})
	}
	assert.Equal(t, [][]string{{"nodelog.From", "nodelog.To"}}, calls, "the server's leader-changed log calls and their keys")
}
