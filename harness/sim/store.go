package sim

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/report"
	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/harness/internal/runner"
	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/harness/simseed"
)

var storeRoot = flag.String("sim.store", "", "store root for the directories of failing simulated runs (default: the module's store/)")

// storeMu serializes store creation: parallel sweeps that fail at once would race on the
// latest links.
var storeMu sync.Mutex

// WriteStore writes the run's store directory as a harness run writes it, through the
// harness's own Analyse: root/lin-kv/<timestamp>/ with results.json and .edn, the history
// (jsonl, edn, txt), timeline.html, the plots (the faults shaded) and, for each key that is not
// linearizable, independent/<key>/linear.html (and observations.html for each key whose
// observations are not); root/latest points at it. The seed is in results.json's seed, and
// replay, the command that replays the run, in its test.replay. The results already computed
// in checks are not computed again. It returns the directory.
func (r *Result) WriteStore(root, replay string, checks Checks) (string, error) {
	storeMu.Lock()
	defer storeMu.Unlock()
	start := time.Now()
	store, err := report.NewStore(root, "lin-kv", start)
	if err != nil {
		return "", err
	}
	f := r.cfg.Faults
	var interval float64 // the mean gap between the nemesis's acts, in seconds
	for _, every := range []int64{f.Partitions.Every, f.Pauses.Every} {
		if every > 0 && (interval == 0 || float64(every)/1000 < interval) {
			interval = float64(every) / 1000
		}
	}
	runner.Analyse(store, runner.Analysis{
		Ops: r.History, Net: r.net, Partitions: r.faults, Nodes: r.ids,
		Protocol:     results.ProtocolResult{Count: len(r.Problems), Errors: r.Problems[:min(len(r.Problems), results.MaxProtocolErrors)]},
		Availability: -1, Workload: checks.Lin, Observations: checks.Obs, Seed: int64(r.Seed), Log: os.Stderr,
		Test: results.TestInfo{
			Name: "lin-kv", Start: start.UTC().Format(time.RFC3339Nano), Store: store.Dir,
			TimeLimit: (r.cfg.Duration + r.cfg.Recovery).Seconds(), Latency: int64(meanLatency(f.Latency)),
			NemesisInterval: interval, Timeout: r.cfg.ClientTimeout.Milliseconds(), Duration: r.end.Seconds(),
			ZeroTime: start.UTC().Format(time.RFC3339Nano), Replay: replay,
		},
	}, r.end)
	if err := r.writeFaults(store, replay); err != nil {
		return store.Dir, err
	}
	if err := r.writeNodeLogs(store); err != nil {
		return store.Dir, err
	}
	return store.Dir, nil
}

// meanLatency is a latency model's mean base delay in milliseconds, as Maelstrom's --latency
// states it.
func meanLatency(l simnet.Latency) float64 {
	if l.Dist == simnet.Uniform {
		return float64(l.Min+l.Max) / 2
	}
	return l.Mean
}

// writeFaults writes simulation.txt: what the run was (seed, cluster, node settings, fault
// model), the command that replays it, and the log of the faults the network applied.
func (r *Result) writeFaults(store *report.Store, replay string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "seed: %d\nnodes: %d\n", r.Seed, r.cfg.Nodes)
	if r.cfg.Label != "" {
		fmt.Fprintf(&b, "settings: %s\n", r.cfg.Label)
	}
	fmt.Fprintf(&b, "faults: %s\nreplay: %s\n", r.cfg.Faults, replay)
	if r.Divergence != "" {
		fmt.Fprintf(&b, "\n%s\n", r.Divergence)
	}
	b.WriteString("\nfault log:\n")
	for _, line := range r.FaultLog {
		b.WriteString(line + "\n")
	}
	return os.WriteFile(store.Path("simulation.txt"), []byte(b.String()), 0o644)
}

// writeNodeLogs replays the run with every node logging to node-logs/<node>.log, stamped with
// virtual time: the run is deterministic, so the logs are the failing run's, which a run whose
// logs were discarded (as a sweep's are, to stay fast) cannot give otherwise.
func (r *Result) writeNodeLogs(store *report.Store) error {
	if r.cfg.NewMachine == nil {
		return nil
	}
	files := map[string]*os.File{}
	var ferr error
	cfg := r.cfg
	cfg.nodeLogs = func(id string) io.Writer {
		f, err := os.Create(store.NodeLog(id))
		if err != nil {
			ferr = err
			return io.Discard
		}
		files[id] = f
		return f
	}
	again := Run(cfg)
	for _, f := range files {
		if err := f.Close(); ferr == nil {
			ferr = err
		}
	}
	if ferr == nil && !reflect.DeepEqual(again.History, r.History) {
		ferr = errors.New("sim: the run did not replay the same history; node-logs/ are another run's")
	}
	return ferr
}

// defaultStoreRoot is -sim.store, or else the store/ folder at the module's root (where
// `make check` leaves harness runs), found from the test's working directory.
func defaultStoreRoot() string {
	if *storeRoot != "" {
		return *storeRoot
	}
	if root, _, err := simseed.ModuleRoot(); err == nil {
		return filepath.Join(root, "store")
	}
	return filepath.Join(os.TempDir(), "quorumkit-store")
}
