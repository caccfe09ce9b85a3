package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/process"
	"github.com/quorumkit/quorumkit/harness/internal/testkit"
)

// bin holds the harness and fixture binaries built by TestMain.
var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "harness-test-")
	if err != nil {
		panic(err)
	}
	bin = dir
	build := exec.Command("go", "build", "-o", dir+"/", ".", "./testdata/fixture")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the harness and its fixture:", err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// run is one harness run's outcome.
type run struct {
	code    int
	stdout  string
	stderr  string
	store   string
	results map[string]any
}

// harness runs `harness test` with args in a fresh store and reads the
// results back.
func harness(t *testing.T, env []string, args ...string) *run {
	t.Helper()
	store := t.TempDir()
	cmd := exec.Command(filepath.Join(bin, "harness"), append([]string{"test", "--store", store}, args...)...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := &run{stdout: out.String(), stderr: errb.String(), store: store}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		r.code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	if b, err := os.ReadFile(filepath.Join(store, "latest", "results.json")); err == nil {
		require.NoError(t, json.Unmarshal(b, &r.results), "results.json")
	}
	return r
}

// get walks a path of keys through the results map.
func (r *run) get(path ...string) any {
	var v any = r.results
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// expect requires the run to have exited with code, and asserts that its results hold want: a
// value for each path of keys, written with slashes ("stats/valid?" is r.get("stats", "valid?")).
func (r *run) expect(t *testing.T, code int, want map[string]any) {
	t.Helper()
	require.Equal(t, code, r.code, r)
	for path, v := range want {
		assert.Equal(t, v, r.get(strings.Split(path, "/")...), path)
	}
}

func (r *run) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

func fixture(mode string) []string {
	return []string{"--bin", filepath.Join(bin, "fixture"), mode}
}

func TestSingleNodeKVIsValid(t *testing.T) {
	t.Parallel()
	r := harness(t, nil, append(fixture("kv"), "--node-count", "1", "--concurrency", "2n",
		"--time-limit", "3", "--rate", "100", "--seed", "7")...)
	r.expect(t, 0, map[string]any{"valid?": true, "workload/valid?": true, "stats/valid?": true, "seed": 7.0})
	assert.Contains(t, r.stdout, "Everything looks good!")
	assert.Contains(t, r.stderr, "ok ", "progress line")
	okCount, _ := r.get("stats", "ok-count").(float64)
	assert.Equal(t, okCount, r.get("perf", "all", "count"), "perf covers every ok op")
	p50, _ := r.get("perf", "all", "p50").(float64)
	p99, _ := r.get("perf", "all", "p99").(float64)
	assert.True(t, 0 < p50 && p50 <= p99, "0 < p50 %v <= p99 %v", p50, p99)
	assert.NotNil(t, r.get("perf", "by-f", "read", "p95"))
	rate, _ := r.get("perf", "ok-rate").(float64)
	// The generator must never exceed --rate; how close a loaded machine gets to it is a
	// benchmark's question, not this test's.
	assert.True(t, 0 < rate && rate <= 150, "ok ops/s %v at --rate 100", rate)
	if _, err := os.Stat("/proc/self/status"); err == nil {
		samples, _ := r.get("nodes", "n0", "rss-samples").([]any)
		assert.GreaterOrEqual(t, len(samples), 3, "a sample at 0, one a second, one at the end")
		peak, _ := r.get("nodes", "n0", "rss-peak-kib").(float64)
		assert.Positive(t, peak)
	}
	assert.Nil(t, r.get("recovery"), "no nemesis, no recovery section")
	assert.Equal(t, true, r.get("quorum-witness", "valid?"), "one node is its own majority")
	assert.Greater(t, r.get("quorum-witness", "checked"), float64(10))
	assert.Equal(t, true, r.get("observations", "valid?"))
	assert.Greater(t, r.get("observations", "checked"), float64(10), "cas's answered 22, at least")
	for _, f := range []string{"results.edn", "history.txt", "history.jsonl", "node-logs/n0.log",
		"latency-raw.png", "latency-quantiles.png", "rate.png", "timeline.html"} {
		assert.FileExists(t, filepath.Join(r.store, "latest", f))
	}
	assert.FileExists(t, filepath.Join(r.store, "lin-kv", "latest", "results.json"))
}

func TestOwnMapsAreNotLinearizable(t *testing.T) {
	t.Parallel()
	r := harness(t, nil, append(fixture("kv"), "--node-count", "3", "--concurrency", "2n",
		"--time-limit", "3", "--rate", "100", "--latency", "5",
		"--nemesis", "partition", "--nemesis-interval", "1")...)
	r.expect(t, 1, map[string]any{"valid?": false, "workload/valid?": false, "workload/failures": []any{0.0}})
	vis, _ := r.get("workload", "results", "0", "visualization").(string)
	assert.FileExists(t, filepath.Join(r.store, "latest", vis))
	hist, err := os.ReadFile(filepath.Join(r.store, "latest", "history.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(hist), ":nemesis\t:info\t:start-partition")
	parts, _ := r.get("recovery", "partitions").([]any)
	assert.NotEmpty(t, parts, "each start-partition has a recovery entry")
}

func TestProxyThroughLinKVServiceIsValid(t *testing.T) {
	t.Parallel()
	r := harness(t, nil, append(fixture("proxy"), "--node-count", "3", "--concurrency", "2n",
		"--time-limit", "3", "--rate", "100", "--latency", "2", "--latency-dist", "exponential")...)
	require.Equal(t, 0, r.code, r)
	assert.Equal(t, true, r.get("workload", "valid?"))
	perOp, _ := r.get("net", "servers", "msgs-per-op").(float64)
	assert.InDelta(t, 2, perOp, 0.2, "one request and one reply between node and service per op")
	// lin-kv is linearizable by construction: it stands in for a quorum.
	assert.Equal(t, true, r.get("quorum-witness", "valid?"))
	assert.Equal(t, float64(0), r.get("quorum-witness", "unwitnessed"))
	assert.Greater(t, r.get("quorum-witness", "checked"), float64(10))
}

// withAndWithoutParity runs the harness with args, and with args and
// --maelstrom-parity, in parallel subtests, and hands each run to check.
func withAndWithoutParity(t *testing.T, env, args []string, check func(t *testing.T, parity bool, r *run)) {
	for _, parity := range []bool{false, true} {
		t.Run(fmt.Sprintf("parity=%v", parity), func(t *testing.T) {
			t.Parallel()
			a := args
			if parity {
				a = append(append([]string(nil), args...), "--maelstrom-parity")
			}
			check(t, parity, harness(t, env, a...))
		})
	}
}

// TestEarlyAcksAreUnwitnessed runs a node that is linearizable but answers
// writes before any copy has them: the quorum-witness section catches it,
// and --maelstrom-parity reports it without counting it.
func TestEarlyAcksAreUnwitnessed(t *testing.T) {
	t.Parallel()
	args := append(fixture("early"), "--node-count", "3", "--concurrency", "2n",
		"--time-limit", "3", "--rate", "100", "--latency", "5")
	withAndWithoutParity(t, nil, args, func(t *testing.T, parity bool, r *run) {
		assert.Equal(t, true, r.get("workload", "valid?"), "linearizable: n0 holds the only state that counts")
		assert.Equal(t, false, r.get("quorum-witness", "valid?"), r)
		checked, _ := r.get("quorum-witness", "checked").(float64)
		unwitnessed, _ := r.get("quorum-witness", "unwitnessed").(float64)
		// Of 3 nodes, a request that arrived at n1 or n2 and was
		// forwarded is witnessed by its arrival node and n0; one that
		// arrived at n0 itself is answered with n0 alone behind it.
		assert.Positive(t, unwitnessed, r)
		assert.Less(t, unwitnessed, checked, "forwarded requests have 2 of 3 witnesses")
		ops, _ := r.get("quorum-witness", "ops").([]any)
		require.Len(t, ops, int(min(unwitnessed, 100)))
		for _, o := range ops {
			op := o.(map[string]any)
			assert.Contains(t, []any{"write", "cas"}, op["f"])
			assert.Equal(t, "n0", op["node"])
			assert.Equal(t, "n0", op["arrival"])
			assert.Equal(t, []any{"n0"}, op["witnesses"])
			assert.Equal(t, float64(2), op["quorum"])
		}
		assert.Contains(t, r.stdout, ":quorum-witness valid? false")
		if parity {
			require.Equal(t, 0, r.code, r)
			assert.Equal(t, true, r.get("valid?"))
			assert.Equal(t, true, r.get("test", "options", "maelstrom-parity"))
			assert.Contains(t, r.stdout, "reported only: --maelstrom-parity")
		} else {
			require.Equal(t, 1, r.code, r)
			assert.Equal(t, false, r.get("valid?"))
			assert.Contains(t, r.stdout, "n0 replied with witnesses [n0], 2 needed (arrived at n0)")
		}
	})
}

// TestQuorumAcksAreWitnessed runs the same node, but its leader answers
// only once a majority acked: nothing is flagged.
func TestQuorumAcksAreWitnessed(t *testing.T) {
	t.Parallel()
	r := harness(t, nil, append(fixture("quorum"), "--node-count", "5", "--concurrency", "2n",
		"--time-limit", "3", "--rate", "100", "--latency", "5")...)
	r.expect(t, 0, map[string]any{"quorum-witness/valid?": true, "quorum-witness/unwitnessed": 0.0})
	assert.Greater(t, r.get("quorum-witness", "checked"), float64(10))
	assert.Contains(t, r.stdout, ":quorum-witness valid? true")
	assert.Equal(t, true, r.get("observations", "valid?"), "a leader that answers from its own copy saw what it says")
	assert.Greater(t, r.get("observations", "checked"), float64(10))
}

// TestForgetfulNodeFailsObservations runs a lone node that wipes its store
// every 500 ms, as a memory-only node that restarts does. Maelstrom's check
// drops the reads and cas's it then answers with 20 and judges it valid; the
// observations section sees them read nil after an acknowledged write, and
// --maelstrom-parity reports it without counting it. A wipe goes unseen only
// when the next op is a write (1 in 6: a write thread, then a write of its
// mix), so all seven of a run go unseen once in 280,000 runs.
func TestForgetfulNodeFailsObservations(t *testing.T) {
	t.Parallel()
	args := append(fixture("forget"), "--node-count", "1", "--concurrency", "2n",
		"--time-limit", "4", "--rate", "100")
	withAndWithoutParity(t, []string{"FIXTURE_FORGET_EVERY=500ms"}, args, func(t *testing.T, parity bool, r *run) {
		assert.Equal(t, true, r.get("workload", "valid?"), "Maelstrom's check drops what shows the loss")
		assert.Equal(t, true, r.get("quorum-witness", "valid?"), "one node is its own majority")
		assert.Equal(t, false, r.get("observations", "valid?"), r)
		assert.Positive(t, r.get("observations", "by-kind", "read-20"), "reads answered 20 are observations")
		ops, _ := r.get("observations", "ops").([]any)
		require.NotEmpty(t, ops, r)
		op := ops[0].(map[string]any)
		assert.Equal(t, "nil", op["saw"])
		assert.Contains(t, []any{"read", "cas"}, op["f"])
		vis, _ := op["visualization"].(string)
		assert.FileExists(t, filepath.Join(r.store, "latest", vis))
		assert.Equal(t, "observations.html", filepath.Base(vis))
		assert.Contains(t, r.stdout, ":observations valid? false")
		assert.Contains(t, r.stdout, "saw nil, which no linearization explains")
		if parity {
			require.Equal(t, 0, r.code, r)
			assert.Equal(t, true, r.get("valid?"))
			assert.Regexp(t, `:observations valid\? false .*\(reported only: --maelstrom-parity\)`, r.stdout)
		} else {
			require.Equal(t, 1, r.code, r)
			assert.Equal(t, false, r.get("valid?"))
		}
	})
}

// TestRefusedCasIsCaught runs a lone node that answers 22 to every other cas
// whose from matches: Maelstrom's check never sees those cas's, the
// observations section does, and is what makes the run invalid.
func TestRefusedCasIsCaught(t *testing.T) {
	t.Parallel()
	r := harness(t, nil, append(fixture("refuse"), "--node-count", "1", "--concurrency", "2n",
		"--time-limit", "3", "--rate", "100")...)
	r.expect(t, 1, map[string]any{"workload/valid?": true, "quorum-witness/valid?": true,
		"observations/valid?": false, "observations/failures": []any{0.0}})
	assert.Equal(t, true, r.get("stats", "valid?"), "half the matching cas's succeed")
	ops, _ := r.get("observations", "ops").([]any)
	require.Len(t, ops, 1, "one key, and its first offending observation")
	op := ops[0].(map[string]any)
	assert.Equal(t, "cas", op["f"])
	value, _ := op["value"].([]any)
	require.Len(t, value, 2)
	from := value[1].([]any)[0]
	assert.Equal(t, fmt.Sprintf("not %v", from), op["saw"], "it saw another value than its from")
	assert.Equal(t, "precondition-failed", op["error"].([]any)[0])
}

func TestSilentNodeTimesOut(t *testing.T) {
	t.Parallel()
	r := harness(t, nil, append(fixture("silent"), "--node-count", "1", "--concurrency", "2n",
		"--time-limit", "2", "--rate", "50")...)
	r.expect(t, 1, map[string]any{"stats/valid?": false, "stats/ok-count": 0.0})
	hist, err := os.ReadFile(filepath.Join(r.store, "latest", "history.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(hist), ":net-timeout")
}

func TestCrashingNodeIsReported(t *testing.T) {
	t.Parallel()
	r := harness(t, []string{"FIXTURE_CRASH_AFTER=1500ms"}, append(fixture("crash"), "--node-count", "1",
		"--concurrency", "2n", "--time-limit", "5", "--rate", "50")...)
	require.Equal(t, 255, r.code, r)
	nodes, _ := r.get("crash", "nodes").([]any)
	require.Len(t, nodes, 1, r)
	crash := nodes[0].(map[string]any)
	assert.Equal(t, "n0", crash["node"])
	assert.Equal(t, "exit status 3", crash["status"])
	assert.Contains(t, fmt.Sprint(crash["stderr-tail"]), "last words")
	assert.Contains(t, r.stdout, "n0 exited early")
	assert.Greater(t, r.get("stats", "count"), float64(0), "history up to the crash is kept")
}

func TestGarbageLineIsAProtocolError(t *testing.T) {
	t.Parallel()
	r := harness(t, nil, append(fixture("garbage"), "--node-count", "1", "--concurrency", "2n",
		"--time-limit", "2", "--rate", "100")...)
	r.expect(t, 1, map[string]any{"protocol/valid?": false, "protocol/count": 2.0})
	errs, _ := r.get("protocol", "errors").([]any)
	require.Len(t, errs, 2)
	assert.Equal(t, "this is not a message", errs[0].(map[string]any)["line"])
	assert.Contains(t, errs[1].(map[string]any)["error"], "unknown destination")
	// The harness keeps reading the node: its replies still count.
	assert.Equal(t, true, r.get("workload", "valid?"))
	assert.Greater(t, r.get("stats", "ok-count"), float64(10))
}

func TestBadArguments(t *testing.T) {
	t.Parallel()
	for name, args := range map[string][]string{
		"no bin":                {"--node-count", "1", "--concurrency", "2n"},
		"default concurrency":   append(fixture("kv"), "--node-count", "3"),
		"concurrency not 2N":    append(fixture("kv"), "--node-count", "3", "--concurrency", "4"),
		"exponential mean 0":    append(fixture("kv"), "--node-count", "1", "--concurrency", "2n", "--latency-dist", "exponential"),
		"unknown nemesis":       append(fixture("kv"), "--node-count", "1", "--concurrency", "2n", "--nemesis", "partition,clock"),
		"time limit 0":          append(fixture("kv"), "--node-count", "1", "--concurrency", "2n", "--time-limit", "0"),
		"availability too high": append(fixture("kv"), "--node-count", "1", "--concurrency", "2n", "--availability", "1.5"),
		"unknown flag":          append(fixture("kv"), "--node-count", "1", "--concurrency", "2n", "--frobnicate"),
		"node named c1":         append(fixture("kv"), "--nodes", "a,c1", "--concurrency", "2n"),
	} {
		t.Run(name, func(t *testing.T) {
			r := harness(t, nil, args...)
			assert.Equal(t, 254, r.code, r)
			assert.Nil(t, r.results)
		})
	}
}

func TestParseTest(t *testing.T) {
	o, count, err := ParseTest([]string{"--bin", "x", "a", "--node-count", "2", "--concurrency", "4n", "--", "-b"}, os.Stderr)
	require.NoError(t, err)
	assert.Equal(t, 1, count)
	assert.Equal(t, []string{"a", "-b"}, o.Args)
	assert.Equal(t, []string{"n0", "n1"}, o.Nodes)
	assert.Equal(t, 8, o.Concurrency)
	o, _, err = ParseTest([]string{"--bin", "x", "--concurrency", "10"}, os.Stderr)
	require.NoError(t, err)
	assert.Equal(t, []string{"n1", "n2", "n3", "n4", "n5"}, o.Nodes)
	assert.Equal(t, float64(5), o.Rate)
	assert.Equal(t, "constant", o.LatencyDist)
	assert.Equal(t, float64(-1), o.Availability)
}

// TestNoOrphans kills the harness with SIGKILL mid-run: its nodes must die
// with it (Pdeathsig), leaving no orphan.
func TestNoOrphans(t *testing.T) {
	t.Parallel()
	store := t.TempDir()
	cmd := exec.Command(filepath.Join(bin, "harness"), append([]string{"test", "--store", store},
		append(fixture("silent"), "--node-count", "2", "--concurrency", "2n", "--time-limit", "30")...)...)
	require.NoError(t, cmd.Start())
	pids := map[string]int{}
	require.Eventually(t, func() bool {
		for _, n := range []string{"n0", "n1"} {
			b, err := os.ReadFile(filepath.Join(store, "latest", "node-logs", n+".log"))
			if err != nil {
				return false
			}
			var pid int
			if i := strings.Index(string(b), "pid "); i >= 0 {
				fmt.Sscanf(string(b)[i:], "pid %d", &pid)
			}
			if pid == 0 {
				return false
			}
			pids[n] = pid
		}
		return true
	}, 10*time.Second, 20*time.Millisecond)
	require.NoError(t, cmd.Process.Kill())
	cmd.Wait()
	for n, pid := range pids {
		assert.Eventually(t, func() bool {
			return syscall.Kill(pid, 0) == syscall.ESRCH
		}, 5*time.Second, 20*time.Millisecond, "node %s (pid %d) outlived the harness", n, pid)
	}
}

// TestSeedReproducesTheNemesis runs the nemesis alone (--rate 0) twice
// with one seed: the partitions must come out the same.
func TestSeedReproducesTheNemesis(t *testing.T) {
	t.Parallel()
	nemesisValues := func() []string {
		r := harness(t, nil, append(fixture("kv"), "--node-count", "5", "--concurrency", "2n", "--rate", "0",
			"--time-limit", "2", "--nemesis", "partition", "--nemesis-interval", "0.2", "--seed", "42")...)
		require.Equal(t, 0, r.code, r)
		b, err := os.ReadFile(filepath.Join(r.store, "latest", "history.jsonl"))
		require.NoError(t, err)
		var vals []string
		for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			var op struct{ Value json.RawMessage }
			require.NoError(t, json.Unmarshal([]byte(line), &op))
			vals = append(vals, string(op.Value))
		}
		return vals
	}
	a, b := nemesisValues(), nemesisValues()
	require.GreaterOrEqual(t, min(len(a), len(b)), 4)
	n := min(len(a), len(b))
	assert.Equal(t, a[:n], b[:n])
}

// TestPerKeyLimitAndTestCount runs two short tests in a row, each spread
// over many keys by --per-key-limit.
func TestPerKeyLimitAndTestCount(t *testing.T) {
	t.Parallel()
	r := harness(t, nil, append(fixture("kv"), "--node-count", "1", "--concurrency", "2n",
		"--time-limit", "1", "--rate", "300", "--per-key-limit", "20", "--test-count", "2", "--seed", "5")...)
	require.Equal(t, 0, r.code, r)
	keys, _ := r.get("workload", "results").(map[string]any)
	assert.Greater(t, len(keys), 3, "ops spread over keys of at most 20 ops")
	for k, v := range keys {
		assert.LessOrEqual(t, v.(map[string]any)["op-count"], float64(20), "key %s", k)
	}
	assert.Equal(t, float64(6), r.get("seed"), "the second test runs with seed + 1")
	dirs, err := os.ReadDir(filepath.Join(r.store, "lin-kv"))
	require.NoError(t, err)
	assert.Len(t, dirs, 3, "two runs and the latest link")
}

// nodePids reads the pid of every process of every node from the fixture's
// init lines in the store's node logs (a restarted node logs a line per
// process).
func nodePids(t *testing.T, store string) []int {
	t.Helper()
	logs, _ := filepath.Glob(filepath.Join(store, "latest", "node-logs", "*.log"))
	var pids []int
	for _, l := range logs {
		b, err := os.ReadFile(l)
		require.NoError(t, err)
		for _, line := range strings.Split(string(b), "\n") {
			if i := strings.Index(line, "pid "); i >= 0 {
				var pid int
				fmt.Sscanf(line[i:], "pid %d", &pid)
				pids = append(pids, pid)
			}
		}
	}
	return pids
}

// TestKillAndPauseAgainstAProxy runs every fault at once against nodes that
// keep no state of their own (they proxy to lin-kv): whatever the nemesis
// kills or pauses, the run must stay valid, the history must show the
// nemesis's ops and the timeouts of requests to dead nodes, and no process
// may survive the run.
func TestKillAndPauseAgainstAProxy(t *testing.T) {
	t.Parallel()
	r := harness(t, nil, append(fixture("proxy"), "--node-count", "3", "--concurrency", "2n",
		"--time-limit", "5", "--rate", "100", "--latency", "2", "--seed", "3",
		"--nemesis", "partition,kill,pause", "--nemesis-interval", "0.3")...)
	require.Equal(t, 0, r.code, r)
	ops, _ := r.get("nemesis", "ops").(map[string]any)
	nodes, _ := r.get("nemesis", "nodes").(map[string]any)
	for _, f := range []string{"kill", "start", "pause", "resume", "start-partition"} {
		assert.Positive(t, ops[f], "%s ops in %v", f, ops)
	}
	for _, o := range []string{"killed", "started", "paused", "resumed"} {
		assert.Positive(t, nodes[o], "%s nodes in %v", o, nodes)
	}
	assert.Equal(t, nodes["killed"], nodes["started"], "every node killed was started again")
	assert.Contains(t, r.stdout, ":nemesis      ops {")
	hist, err := os.ReadFile(filepath.Join(r.store, "latest", "history.txt"))
	require.NoError(t, err)
	assert.Contains(t, string(hist), ":nemesis\t:info\t:kill\t")
	assert.Contains(t, string(hist), ":net-timeout", "requests to dead and paused nodes time out")
	lines := strings.Split(strings.TrimSpace(string(hist)), "\n")
	assert.Contains(t, lines[len(lines)-1], ":start\t{", "the run ends with every node started")
	pids := nodePids(t, r.store)
	assert.Greater(t, len(pids), 3, "restarts ran new processes")
	testkit.AssertGone(t, pids)
}

// TestFailedRestartCrashesTheRun: a node that cannot start again after a
// kill crashes the run (exit 255) with a message naming it, and leaves no
// process behind.
func TestFailedRestartCrashesTheRun(t *testing.T) {
	t.Parallel()
	r := harness(t, []string{"FIXTURE_INIT_ONCE=" + t.TempDir()}, append(fixture("kv"), "--node-count", "3",
		"--concurrency", "2n", "--time-limit", "10", "--rate", "50", "--seed", "1",
		"--nemesis", "kill", "--nemesis-interval", "0.2")...)
	require.Equal(t, 255, r.code, r)
	assert.Contains(t, r.get("crash", "message"), "did not come back after a kill", r)
	assert.Contains(t, r.stdout, "refusing to start again")
	testkit.AssertGone(t, nodePids(t, r.store))
}

// TestNoStoppedProcessOutlivesTheHarness stops the harness while nodes are
// paused, by SIGTERM (it tears down) and by SIGKILL (the kernel kills its
// nodes): no node process survives, stopped or not.
func TestNoStoppedProcessOutlivesTheHarness(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			store := t.TempDir()
			cmd := exec.Command(filepath.Join(bin, "harness"), append([]string{"test", "--store", store},
				append(fixture("silent"), "--node-count", "3", "--concurrency", "2n", "--time-limit", "30",
					"--rate", "0", "--nemesis", "pause,kill", "--nemesis-interval", "0.1", "--seed", "2")...)...)
			require.NoError(t, cmd.Start())
			var pids []int
			require.Eventually(t, func() bool {
				pids = nodePids(t, store)
				for _, pid := range pids {
					if process.State(pid) == "T" {
						return true
					}
				}
				return false
			}, 20*time.Second, 5*time.Millisecond, "a node is paused")
			require.NoError(t, cmd.Process.Signal(sig))
			cmd.Wait()
			testkit.AssertGone(t, append(pids, nodePids(t, store)...))
		})
	}
}
