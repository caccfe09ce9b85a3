package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stubMaelstrom records each invocation's argv, one argument per line and
// a line "--END--" after each, in $STUB_LOG; prints what Maelstrom prints
// at the end of a run; and exits $STUB_EXIT (0 by default).
const stubMaelstrom = `#!/bin/sh
{ for a in "$@"; do printf '%s\n' "$a"; done; echo --END--; } >>"$STUB_LOG"
echo ':stats {:valid? true, :count 10, :ok-count 8}'
echo 'Everything looks good! ヽ(‘ー` + "`" + `)ノ'
exit "${STUB_EXIT:-0}"
`

// maelstromValueFlags are the options of `maelstrom test` (spec section 7)
// that take a value; maelstromBoolFlags those that do not.
var (
	maelstromValueFlags = map[string]bool{
		"--bin": true, "-w": true, "--workload": true, "--node-count": true, "-n": true, "--node": true,
		"--nodes": true, "--nodes-file": true, "--concurrency": true, "--rate": true, "--time-limit": true,
		"--latency": true, "--latency-dist": true, "--nemesis": true, "--nemesis-interval": true,
		"--availability": true, "--test-count": true,
		// Accepted, though lin-kv ignores them.
		"--consistency-models": true, "--key-count": true, "--max-txn-length": true,
		"--max-writes-per-key": true, "--topology": true,
	}
	maelstromBoolFlags = map[string]bool{
		"--log-stderr": true, "--log-net-send": true, "--log-net-recv": true,
		"--leave-db-running": true, "--logging-json": true,
	}
)

// checkRepo lays out a copy of scripts/check beside stub node binaries, so
// the script runs without a build, and a directory holding the stub
// maelstrom. It returns the script's path and the stub's directory.
func checkRepo(t *testing.T) (script, stubDir string) {
	t.Helper()
	repo := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "scripts", "check"))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "scripts"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "bin"), 0o755))
	script = filepath.Join(repo, "scripts", "check")
	require.NoError(t, os.WriteFile(script, src, 0o755))
	for _, b := range []string{"raftnode", "paxosnode"} {
		require.NoError(t, os.WriteFile(filepath.Join(repo, "bin", b), []byte("#!/bin/sh\nexit 0\n"), 0o755))
	}
	stubDir = t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(stubDir, "maelstrom"), []byte(stubMaelstrom), 0o755))
	return script, stubDir
}

// runCheck runs script with env added to a clean environment (no runner
// variables inherited) and returns stdout+stderr, the exit code and the
// recorded invocations.
func runCheck(t *testing.T, script string, env ...string) (string, int, [][]string) {
	t.Helper()
	log := filepath.Join(t.TempDir(), "argv")
	cmd := exec.Command(script)
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "MAELSTROM", "RUNNER", "QUICK", "TIME_LIMIT", "STORE", "NEMESES", "DATA_DIR", "STUB_EXIT", "STUB_LOG":
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, append([]string{"STUB_LOG=" + log}, env...)...)
	out, err := cmd.CombinedOutput()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err, string(out))
	}
	var calls [][]string
	if b, err := os.ReadFile(log); err == nil {
		var cur []string
		for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if l == "--END--" {
				calls = append(calls, cur)
				cur = nil
				continue
			}
			cur = append(cur, l)
		}
	}
	return string(out), code, calls
}

// assertMaelstromArgs checks that argv is a `maelstrom test` command line
// the real Maelstrom accepts, with values its validation lets through.
func assertMaelstromArgs(t *testing.T, argv []string) {
	t.Helper()
	require.NotEmpty(t, argv)
	assert.Equal(t, "test", argv[0], "the subcommand")
	vals := map[string]string{}
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "--":
			// Everything after it goes to the binary, in Maelstrom as in the harness: a
			// fresh data directory per run.
			if assert.Len(t, argv[i+1:], 2, "node arguments") {
				assert.Equal(t, "--data-dir", argv[i+1])
				assert.True(t, filepath.IsAbs(argv[i+2]), argv[i+2])
				assert.NoDirExists(t, argv[i+2], "the run's data directory is removed after it")
			}
			i = len(argv)
		case maelstromBoolFlags[a]:
			vals[a] = "true"
		case maelstromValueFlags[a]:
			if assert.Less(t, i+1, len(argv), "%s needs a value", a) {
				vals[a] = argv[i+1]
				i++
			}
		default:
			t.Errorf("maelstrom test does not accept %q (in %q)", a, argv)
		}
	}
	wl := vals["-w"] + vals["--workload"]
	assert.Equal(t, "lin-kv", wl)
	assert.Regexp(t, regexp.MustCompile(`(^|/)bin/(raftnode|paxosnode)$`), vals["--bin"])
	n, err := strconv.Atoi(vals["--node-count"])
	if assert.NoError(t, err, "--node-count") {
		assert.True(t, n >= 1 && n <= 10, "node count %d", n)
		c := vals["--concurrency"]
		k, err := strconv.Atoi(strings.TrimSuffix(c, "n"))
		if assert.NoError(t, err, "--concurrency %q", c) {
			if strings.HasSuffix(c, "n") {
				k *= n
			}
			assert.Zero(t, k%(2*n), "--concurrency %s must be a multiple of 2N for lin-kv", c)
		}
	}
	for _, f := range []string{"--time-limit", "--latency"} {
		v, err := strconv.Atoi(vals[f])
		assert.NoError(t, err, "%s must be an integer", f)
		assert.GreaterOrEqual(t, v, 0, f)
	}
	assert.NotEqual(t, "0", vals["--time-limit"])
	assert.Contains(t, []string{"", "constant", "uniform", "exponential"}, vals["--latency-dist"])
	if vals["--latency-dist"] == "exponential" {
		assert.NotEqual(t, "0", vals["--latency"], "exponential with mean 0 crashes Maelstrom")
	}
	if v, ok := vals["--nemesis"]; ok {
		// Upstream Maelstrom takes any set of partition, kill and pause.
		for _, f := range strings.Split(v, ",") {
			assert.Contains(t, []string{"partition", "kill", "pause"}, f, "--nemesis %s", v)
		}
	}
	if v, ok := vals["--nemesis-interval"]; ok {
		x, err := strconv.ParseFloat(v, 64)
		assert.NoError(t, err)
		assert.Positive(t, x)
	}
	if v, ok := vals["--rate"]; ok {
		x, err := strconv.ParseFloat(v, 64)
		assert.NoError(t, err)
		assert.GreaterOrEqual(t, x, 0.0)
	}
}

// verdictLine matches one of check's per-run lines.
var verdictLine = regexp.MustCompile(`(?m)^(raftnode|paxosnode) +(valid|INVALID|UNKNOWN|CRASHED\(\d+\)) +--node-count`)

func TestCheckScriptWithMaelstrom(t *testing.T) {
	t.Parallel()
	script, stubDir := checkRepo(t)
	stub := filepath.Join(stubDir, "maelstrom")
	for _, tc := range []struct {
		name string
		env  []string
	}{
		{"MAELSTROM names it", []string{"MAELSTROM=" + stub}},
		{"RUNNER=maelstrom finds it on PATH", []string{"RUNNER=maelstrom", "PATH=" + stubDir + string(os.PathListSeparator) + os.Getenv("PATH")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, code, calls := runCheck(t, script, tc.env...)
			require.Equal(t, 0, code, out)
			require.Len(t, calls, 16, "4 matrix rows, each with partitions and with partitions, kills and pauses, for each of 2 binaries")
			bins, nemeses := map[string]int{}, map[string]int{}
			for _, argv := range calls {
				assertMaelstromArgs(t, argv)
				for i, a := range argv {
					if a == "--bin" && i+1 < len(argv) {
						bins[filepath.Base(argv[i+1])]++
					}
					if a == "--nemesis" && i+1 < len(argv) {
						nemeses[argv[i+1]]++
					}
				}
			}
			assert.Equal(t, map[string]int{"raftnode": 8, "paxosnode": 8}, bins)
			assert.Equal(t, map[string]int{"partition": 8, "partition,kill,pause": 8}, nemeses)
			lines := verdictLine.FindAllStringSubmatch(out, -1)
			assert.Len(t, lines, 16, out)
			for _, l := range lines {
				assert.Equal(t, "valid", l[2])
			}
			assert.Contains(t, out, "check: 16 passed, 0 failed")
			assert.NotContains(t, out, "--store", "a harness-only flag leaked to maelstrom")
		})
	}

	t.Run("invalid runs are counted and fail the script", func(t *testing.T) {
		t.Parallel()
		out, code, calls := runCheck(t, script, "MAELSTROM="+stub, "STUB_EXIT=1", "QUICK=1")
		assert.Equal(t, 1, code, out)
		require.Len(t, calls, 4, "QUICK: one row per binary, with both nemeses")
		for _, argv := range calls {
			assertMaelstromArgs(t, argv)
		}
		lines := verdictLine.FindAllStringSubmatch(out, -1)
		require.Len(t, lines, 4, out)
		assert.Equal(t, "INVALID", lines[0][2])
		assert.Contains(t, out, "check: 0 passed, 4 failed")
	})

	t.Run("NEMESES chooses the nemeses of every row", func(t *testing.T) {
		t.Parallel()
		out, code, calls := runCheck(t, script, "MAELSTROM="+stub, "QUICK=1", "NEMESES=partition,kill,pause partition")
		require.Equal(t, 0, code, out)
		require.Len(t, calls, 4, "one row, two nemeses, two binaries")
		var nemeses []string
		for _, argv := range calls {
			assertMaelstromArgs(t, argv)
			for i, a := range argv {
				if a == "--nemesis" && i+1 < len(argv) {
					nemeses = append(nemeses, argv[i+1])
				}
			}
		}
		assert.Equal(t, []string{"partition,kill,pause", "partition", "partition,kill,pause", "partition"}, nemeses)
		assert.Len(t, verdictLine.FindAllString(out, -1), 4, out)
		assert.Contains(t, out, "--nemesis partition,kill,pause")
	})

	t.Run("RUNNER=maelstrom without one on PATH", func(t *testing.T) {
		t.Parallel()
		out, code, calls := runCheck(t, script, "RUNNER=maelstrom", "PATH=/usr/bin:/bin")
		assert.Equal(t, 2, code, out)
		assert.Empty(t, calls)
		assert.Contains(t, out, "no maelstrom on PATH")
	})
}
