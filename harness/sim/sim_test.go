package sim

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
)

func solo() nodes.Machine {
	return kvserver.New(kvserver.Config[kvserver.SoloMessage]{
		Kind:    "solo",
		NewCore: func(init nodes.Init) kvserver.Core[kvserver.SoloMessage] { return kvserver.NewSolo(init.NodeID) },
	})
}

func TestSoloNodeIsLinearizable(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		res := Run(Config{Seed: seed, Nodes: 1, NewMachine: solo})
		require.Zero(t, res.Info, "seed %d: a lone node without faults answers everything", seed)
		require.InDelta(t, 75*6, res.OK+res.Fail, 90, "seed %d: 75 ops/s per node for 6 s", seed)
		res = Run(Config{Seed: seed, Nodes: 1, NewMachine: solo, Pauses: true})
		require.Empty(t, res.Problems, "seed %d", seed)
		require.Greater(t, res.RecoveredOK, 0, "seed %d", seed)
		require.Equal(t, check.Valid, res.Check(10*time.Second).Valid, "seed %d", seed)
	}
}

// TestClientsAreTheHarnesss: the simulated clients issue Maelstrom's lin-kv workload through
// the harness's generator and dispatcher: reads only on the first N threads, each thread bound
// to one node, ops at about the configured rate, and a thread whose op ended :info comes back
// as a new process.
func TestClientsAreTheHarnesss(t *testing.T) {
	res := Run(Config{Seed: 5, Nodes: 3, NewMachine: solo, Pauses: true, Rate: 200, ClientTimeout: 100 * time.Millisecond})
	invokes, infos := 0, 0
	for _, p := range history.ClientPairs(res.History) {
		thread := p.Invoke.Process % 6
		if thread < 3 {
			require.Equal(t, "read", p.Invoke.F, "thread %d only reads", thread)
		} else {
			require.NotEqual(t, "read", p.Invoke.F, "thread %d never reads", thread)
		}
		invokes++
		if p.Done && p.Complete.Type == history.Info {
			infos++
		}
	}
	require.InDelta(t, 200*6, invokes, 200, "200 ops/s for 6 s")
	require.Greater(t, infos, 0, "pauses longer than the timeout time some writes out")
	procs := map[int]bool{}
	for _, op := range res.History {
		procs[op.Process] = true
	}
	require.Greater(t, len(procs), 6, ":info crashed threads, which came back as new processes")
}

// Three Solo nodes each answer from their own state: the checker must catch it, and the
// failure must leave a harness store directory with the seed and the replay command.
func TestCheckerCatchesSplitBrain(t *testing.T) {
	cfg := Config{Seed: 7, Nodes: 3, NewMachine: solo, Duration: time.Second, Recovery: time.Second}
	res := Run(cfg)
	require.Empty(t, res.Problems)
	lin := res.Check(10 * time.Second)
	require.Equal(t, check.Invalid, lin.Valid)

	root := t.TempDir()
	replay := replayCommand(t.Name(), "-sim.seed", "7")
	err := failure(root, res, lin, replay, errors.New("not linearizable"))
	require.ErrorContains(t, err, "not linearizable")
	require.ErrorContains(t, err, "replay: go test ./harness/sim -run '^TestCheckerCatchesSplitBrain$' -sim.seed 7")
	require.ErrorContains(t, err, "store: "+root)
	dir := strings.TrimSpace(strings.SplitN(strings.SplitN(err.Error(), "store: ", 2)[1], "\n", 2)[0])
	for _, f := range []string{"results.json", "results.edn", "history.jsonl", "history.edn", "history.txt",
		"timeline.html", "rate.png"} {
		require.FileExists(t, filepath.Join(dir, f))
	}
	require.FileExists(t, filepath.Join(dir, "independent", strconv.FormatInt(lin.Failures[0], 10), "linear.html"))
	for _, node := range []string{"n0", "n1", "n2"} {
		log, err := os.ReadFile(filepath.Join(dir, "node-logs", node+".log"))
		require.NoError(t, err)
		require.Contains(t, string(log), "vt=", "node logs carry virtual time")
	}
	var results struct {
		Valid    check.Validity `json:"valid?"`
		Seed     int64          `json:"seed"`
		Workload struct {
			Failures []int64 `json:"failures"`
		} `json:"workload"`
		Test struct {
			Replay string `json:"replay"`
		} `json:"test"`
	}
	b, rerr := os.ReadFile(filepath.Join(dir, "results.json"))
	require.NoError(t, rerr)
	require.NoError(t, json.Unmarshal(b, &results))
	require.Equal(t, check.Invalid, results.Valid)
	require.Equal(t, int64(7), results.Seed)
	require.Equal(t, lin.Failures, results.Workload.Failures)
	require.Contains(t, results.Test.Replay, "go test ./harness/sim")
	latest, lerr := filepath.EvalSymlinks(filepath.Join(root, "latest"))
	require.NoError(t, lerr)
	abs, _ := filepath.Abs(dir)
	require.Equal(t, abs, latest)
}

func TestReplayCommand(t *testing.T) {
	got := replayCommand("TestSimulation/3-nodes", "-sim.seed", "17", "-sim.seeds", "1")
	require.Equal(t, `go test ./harness/sim -run '^TestSimulation$/^3-nodes$' -sim.seed 17 -sim.seeds 1`, got)
	require.True(t, strings.HasPrefix(replayCommand("TestX/a.b"), `go test ./harness/sim -run '^TestX$/^a\.b$'`))
}

func TestRunsReplay(t *testing.T) {
	a := Run(Config{Seed: 3, Nodes: 3, NewMachine: solo, Partitions: true, Pauses: true, Loss: 0.1, Duplicate: 0.1})
	b := Run(Config{Seed: 3, Nodes: 3, NewMachine: solo, Partitions: true, Pauses: true, Loss: 0.1, Duplicate: 0.1})
	require.Equal(t, a.History, b.History, "one seed, one run")
	c := Run(Config{Seed: 4, Nodes: 3, NewMachine: solo, Partitions: true, Pauses: true})
	require.NotEqual(t, a.History, c.History)
}
