package sim

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/harness/simseed"
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/nodes/wal"
)

func solo() nodes.Machine {
	return kvserver.New(kvserver.SoloConfig())
}

// latency is the tests' network: 0 to 10 ms, uniformly.
var latency = simnet.Latency{Dist: simnet.Uniform, Max: 10}

// pauses pauses a node every 200 ms on average, for up to 800 ms.
var pauses = simnet.Faults{Latency: latency, Pauses: simnet.Pauses{Every: 200, Max: 800}}

func TestSoloNodeIsLinearizable(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		res := Run(Config{Seed: seed, Nodes: 1, NewMachine: solo})
		require.Zero(t, res.Info, "seed %d: a lone node without faults answers everything", seed)
		require.InDelta(t, 75*6, res.OK+res.Fail, 90, "seed %d: 75 ops/s per node for 6 s", seed)
		res = Run(Config{Seed: seed, Nodes: 1, NewMachine: solo, Faults: pauses})
		require.Empty(t, res.Problems, "seed %d", seed)
		require.Greater(t, res.RecoveredOK, 0, "seed %d", seed)
		require.Equal(t, check.Valid, res.Check(10*time.Second).Valid, "seed %d", seed)
		w := res.Witness()
		require.Equal(t, check.Valid, w.Valid, "seed %d: a lone node is its own quorum", seed)
		require.Positive(t, w.Checked, "seed %d: every acknowledged write carries a verdict", seed)
		obs := res.Observe(10 * time.Second)
		require.Equal(t, check.Valid, obs.Valid, "seed %d: a lone node saw what it says", seed)
		require.Positive(t, obs.ByKind[check.SawCasFailed], "seed %d: cas's answered 22 are checked", seed)
	}
}

// soloOn is the one-node server keeping its state on disk.
func soloOn(disk wal.FS) nodes.Machine {
	cfg := kvserver.SoloConfig()
	cfg.Storage = kvserver.LogStorage(disk, "data")
	cfg.CompactEvery = 16
	return kvserver.New(cfg)
}

// crashes kill the node every 300 ms on average, for up to 100 ms.
var crashes = simnet.Faults{Latency: latency, Crashes: simnet.Crashes{Every: 300, Max: 100}}

// TestADurableNodeSurvivesCrashes: a lone node on a simulated disk is killed again and again,
// its disk losing what it had not synced (and tearing writes), and still answers every read
// with what it acknowledged; the crashes show in the fault log and bite (some ops time out).
func TestADurableNodeSurvivesCrashes(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		res := Run(Config{Seed: seed, Nodes: 1, NewDurable: soloOn, Faults: crashes})
		require.NoError(t, judge(res, res.Checks(10*time.Second)), "seed %d", seed)
		require.Greater(t, res.RecoveredOK, 0, "seed %d", seed)
		require.Greater(t, res.Info, 0, "seed %d: requests to a dead node time out", seed)
		crashed, restarted, disk := 0, 0, 0
		for _, line := range res.FaultLog {
			crashed += strings.Count(line, "crashed for")
			restarted += strings.Count(line, "restarted")
			disk += strings.Count(line, "disk: crash")
		}
		require.Greater(t, crashed, 5, "seed %d: %v", seed, res.FaultLog)
		require.Equal(t, crashed, disk, "seed %d: every crash strikes the disk", seed)
		require.Equal(t, crashed, restarted, "seed %d: every crashed node restarts", seed)
	}
}

// forgetful is a machine that wipes its state every period of virtual time, as a memory-only
// node that restarts does: it starts afresh, and answers what it lost with error 20.
type forgetful struct {
	fresh  func() nodes.Machine
	period time.Duration
	m      nodes.Machine
	init   nodes.Init
	next   time.Duration
}

func (f *forgetful) Init(now time.Duration, init nodes.Init, out *nodes.Outbox) {
	f.m, f.init, f.next = f.fresh(), init, now+f.period
	f.m.Init(now, init, out)
}

func (f *forgetful) Handle(now time.Duration, msg *nodes.Message, out *nodes.Outbox) error {
	return f.m.Handle(now, msg, out)
}

func (f *forgetful) Tick(now time.Duration, out *nodes.Outbox) {
	if now >= f.next {
		f.m, f.next = f.fresh(), now+f.period
		f.m.Init(now, f.init, &nodes.Outbox{})
	}
	f.m.Tick(now, out)
}

func (f *forgetful) Idle(now time.Duration, out *nodes.Outbox) { f.m.Idle(now, out) }

// TestObservationsCatchAForgetfulNode: a lone node that forgets its store every 300 ms passes
// the linearizability check (it drops the reads answered 20), but not the observations check,
// which fails the run; the failing run's store has the observations section and porcupine's
// page of the key.
func TestObservationsCatchAForgetfulNode(t *testing.T) {
	res := Run(Config{Seed: 3, Nodes: 1, Faults: simnet.Faults{Latency: latency}, Label: "a forgetful node",
		NewMachine: func() nodes.Machine { return &forgetful{fresh: solo, period: 300 * time.Millisecond} }})
	require.Empty(t, res.Problems)
	checks := res.Checks(10 * time.Second)
	require.Equal(t, check.Valid, checks.Lin.Valid, "Maelstrom's check drops what shows the loss")
	require.Equal(t, check.Invalid, checks.Obs.Valid)
	require.NotEmpty(t, checks.Obs.Ops)
	require.Equal(t, "nil", checks.Obs.Ops[0].Saw)

	root := t.TempDir()
	err := failure(root, res, checks, simseed.Command(t.Name()), judge(res, checks))
	require.ErrorContains(t, err, "observations valid? false")
	require.ErrorContains(t, err, "saw nil, which no linearization explains")
	require.NotContains(t, err.Error(), "linearizable? false")
	dir, saved := stored(t, err)
	require.Equal(t, check.Invalid, saved.Valid)
	require.Equal(t, check.Invalid, saved.Observations.Valid)
	require.Equal(t, checks.Obs.Failures, saved.Observations.Failures)
	require.Equal(t, checks.Obs.Ops[0].Index, saved.Observations.Ops[0].Index)
	require.FileExists(t, filepath.Join(dir, saved.Observations.Ops[0].Visualization))
}

// stored is the store directory a failure's message names, and the results.json there, read
// with the schema every reader of a stored run uses.
func stored(t *testing.T, err error) (string, *results.Results) {
	t.Helper()
	dir := strings.TrimSpace(strings.SplitN(strings.SplitN(err.Error(), "store: ", 2)[1], "\n", 2)[0])
	saved, rerr := results.Read(dir)
	require.NoError(t, rerr)
	return dir, saved
}

// TestCrashesBiteAMemoryOnlyNode: the same crashes on the same node without a disk lose what it
// acknowledged, and the checks say so on every seed (the observations check: it answers reads
// of what it lost with 20).
func TestCrashesBiteAMemoryOnlyNode(t *testing.T) {
	for seed := uint64(1); seed <= 10; seed++ {
		res := Run(Config{Seed: seed, Nodes: 1, NewMachine: solo, Faults: crashes})
		require.ErrorContains(t, judge(res, res.Checks(10*time.Second)), "observations valid? false", "seed %d", seed)
	}
}

// TestClientsAreTheHarnesss: the simulated clients issue Maelstrom's lin-kv workload through
// the harness's generator and dispatcher: reads only on the first N threads, each thread bound
// to one node, ops at about the configured rate, and a thread whose op ended :info comes back
// as a new process.
func TestClientsAreTheHarnesss(t *testing.T) {
	res := Run(Config{Seed: 5, Nodes: 3, NewMachine: solo, Faults: pauses, Rate: 200, ClientTimeout: 100 * time.Millisecond})
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

// Three Solo nodes each answer from their own state: the checker must catch it, the
// quorum-witness check must flag every acknowledged write (each node answers alone, with a
// quorum of two), and the failure must leave a harness store directory with the seed, what
// the run was and the replay command.
func TestCheckerCatchesSplitBrain(t *testing.T) {
	cfg := Config{Seed: 7, Nodes: 3, NewMachine: solo, Duration: time.Second, Recovery: time.Second,
		Faults: simnet.Faults{Latency: latency}, Label: "three solo nodes"}
	res := Run(cfg)
	require.Empty(t, res.Problems)
	checks := res.Checks(10 * time.Second)
	lin := checks.Lin
	require.Equal(t, check.Invalid, lin.Valid)
	w := res.Witness()
	require.Equal(t, check.Invalid, w.Valid)
	require.Equal(t, w.Checked, w.Unwitnessed, "no write of a lone node has a quorum behind it")
	require.Len(t, w.Ops[0].Witnesses, 1)
	require.Equal(t, w.Ops[0].Node, w.Ops[0].Arrival)

	root := t.TempDir()
	replay := simseed.Replay(t.Name(), 7)
	err := failure(root, res, checks, replay, judge(res, checks))
	require.ErrorContains(t, err, "not linearizable")
	require.ErrorContains(t, err, "quorum-witness valid? false")
	require.ErrorContains(t, err, "replicas did not converge within 2s")
	require.ErrorContains(t, err, "drawn: 3 nodes, three solo nodes")
	require.ErrorContains(t, err, "faults: latency=uniform 0..10ms")
	require.ErrorContains(t, err, "replay: go test ./harness/sim -run '^TestCheckerCatchesSplitBrain$' -sim.seed 7")
	require.ErrorContains(t, err, "store: "+root)
	dir, saved := stored(t, err)
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
	require.Equal(t, check.Invalid, saved.Valid)
	require.Equal(t, int64(7), saved.Seed)
	require.Equal(t, lin.Failures, saved.Workload.Failures)
	require.Contains(t, saved.Test.Replay, "go test ./harness/sim")
	require.Equal(t, check.Invalid, saved.QuorumWitness.Valid)
	require.Equal(t, w.Unwitnessed, saved.QuorumWitness.Unwitnessed)
	about, aerr := os.ReadFile(filepath.Join(dir, "simulation.txt"))
	require.NoError(t, aerr)
	require.Contains(t, string(about), "seed: 7\nnodes: 3\nsettings: three solo nodes\nfaults: latency=uniform 0..10ms\nreplay: "+replay)
	latest, lerr := filepath.EvalSymlinks(filepath.Join(root, "latest"))
	require.NoError(t, lerr)
	abs, _ := filepath.Abs(dir)
	require.Equal(t, abs, latest)
}

func TestRunsReplay(t *testing.T) {
	f := pauses
	f.Partitions, f.Loss, f.Dup = simnet.Partitions{Every: 300}, 0.1, 0.1
	a := Run(Config{Seed: 3, Nodes: 3, NewMachine: solo, Faults: f})
	b := Run(Config{Seed: 3, Nodes: 3, NewMachine: solo, Faults: f})
	require.Equal(t, a.History, b.History, "one seed, one run")
	c := Run(Config{Seed: 4, Nodes: 3, NewMachine: solo, Faults: f})
	require.NotEqual(t, a.History, c.History)
}

// recording is a machine that logs every call it gets, with the time it was given.
type recording struct {
	nodes.Machine
	calls *[]call
}

type call struct {
	kind string // tick, idle, or the handled message's src
	now  time.Duration
}

func (r recording) Tick(now time.Duration, out *nodes.Outbox) {
	*r.calls = append(*r.calls, call{"tick", now})
	r.Machine.Tick(now, out)
}

func (r recording) Idle(now time.Duration, out *nodes.Outbox) {
	*r.calls = append(*r.calls, call{"idle", now})
	r.Machine.Idle(now, out)
}

func (r recording) Handle(now time.Duration, msg *nodes.Message, out *nodes.Outbox) error {
	*r.calls = append(*r.calls, call{msg.Src, now})
	return r.Machine.Handle(now, msg, out)
}

// TestPausedNodeHandlesNothing: a paused node gets no call at all, not even the client
// requests that arrive meanwhile (clients are outside the network, so the simulator keeps
// them for it); when the pause ends its first call is a tick at the resume instant, which
// gives it all the time it missed, and only then does it handle what waited.
func TestPausedNodeHandlesNothing(t *testing.T) {
	var calls []call
	res := Run(Config{Seed: 11, Nodes: 1, Faults: pauses,
		NewMachine: func() nodes.Machine { return recording{solo(), &calls} }})
	require.Empty(t, res.Problems)
	checked, waited := 0, 0
	for _, f := range res.faults {
		if !strings.HasPrefix(f.Label, "pause") {
			continue
		}
		require.Positive(t, f.End, "every pause ends within the run")
		checked++
		first := -1
		for i, c := range calls {
			require.False(t, c.now >= f.Start && c.now < f.End, "call %v during the pause %v", c, f)
			if first < 0 && c.now >= f.End {
				first = i
			}
		}
		require.Equal(t, call{"tick", f.End}, calls[first], "a resumed node first measures the time it lost")
		for _, op := range res.History {
			if op.Type == history.Invoke && op.Time >= f.Start && op.Time < f.End {
				waited++
				require.Contains(t, calls[first+1:], call{"c" + strconv.Itoa(op.Process%2), f.End},
					"a request sent during the pause is handled on resume")
			}
		}
	}
	require.GreaterOrEqual(t, checked, 3)
	require.Positive(t, waited, "some requests waited for a paused node")
}

// claims is a machine that takes lead for the leader.
type claims struct {
	nodes.Machine
	lead string
}

func (c claims) Leader() string { return c.lead }

// TestPausesAimAtTheLeaderMostNodesName: the leader a pause aims at is the node most nodes
// take for the leader, and only if it takes itself for one; a machine that does not say
// counts for nobody.
func TestPausesAimAtTheLeaderMostNodesName(t *testing.T) {
	leader := func(leads ...string) string {
		s := &simulation{index: map[string]int{}}
		for i, l := range leads {
			id := "n" + strconv.Itoa(i)
			s.ids, s.index[id] = append(s.ids, id), i
			var m nodes.Machine = claims{lead: l}
			if l == "?" {
				m = solo()
			}
			s.nodes = append(s.nodes, node{machine: m})
		}
		return s.leader()
	}
	require.Equal(t, "n1", leader("n1", "n1", "n1"))
	require.Equal(t, "n2", leader("n0", "n2", "n2", "n2", "n0"), "a deposed leader that still believes it leads is not the one")
	require.Equal(t, "n0", leader("n0", "n2", "", "?", "n0"), "n2 does not take itself for the leader")
	require.Equal(t, "", leader("n1", "", "n1"))
	require.Equal(t, "", leader("?", "?", "?"))
}

// shows is a machine that shows a fixed replicated state.
type shows struct {
	nodes.Machine
	applied uint64
	state   string
}

func (m shows) State() (uint64, []byte) { return m.applied, []byte(m.state) }

// TestReplicasMustAgree: once the clients stop, replicas that show their state must reach one
// applied index, and then hold one state.
func TestReplicasMustAgree(t *testing.T) {
	run := func(replicas ...shows) string {
		i := 0
		return Run(Config{Seed: 1, Nodes: len(replicas), Duration: 100 * time.Millisecond, Recovery: 100 * time.Millisecond,
			NewMachine: func() nodes.Machine {
				m := replicas[i]
				m.Machine, i = solo(), i+1
				return m
			}}).Divergence
	}
	require.Empty(t, run(shows{applied: 7, state: "a"}, shows{applied: 7, state: "a"}, shows{applied: 7, state: "a"}))
	require.Empty(t, run(shows{applied: 7, state: "a"}), "one replica agrees with itself")
	require.Equal(t, "replicas diverge: n0 and n2 applied 7 but hold different states:\n    n0: a\n    n2: b",
		run(shows{applied: 7, state: "a"}, shows{applied: 7, state: "a"}, shows{applied: 7, state: "b"}))
	require.Equal(t, "replicas did not converge within 2s after the clients stopped: applied [7 6 7] by [n0 n1 n2]",
		run(shows{applied: 7, state: "a"}, shows{applied: 6, state: "a"}, shows{applied: 7, state: "a"}))
}
