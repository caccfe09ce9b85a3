package bench

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/nodes/nodelog"
)

// The sections of a benchmark root, one sub-store each, in report order.
const (
	// sectionLatency: 3 nodes at --latency 0, 10 and 100, no nemesis.
	sectionLatency = "latency"
	// sectionCurve: --latency 0, high concurrency, growing --rate.
	sectionCurve = "curve"
	// sectionPartition: --nemesis partition.
	sectionPartition = "partition"
	// sectionNodes: 5 nodes, compared with the 3-node latency runs.
	sectionNodes = "nodes"
	// sectionMemory: long runs at a steady rate, for RSS over time.
	sectionMemory = "memory"
)

// sections lists the sections in report order.
var sections = []string{sectionLatency, sectionCurve, sectionPartition, sectionNodes, sectionMemory}

// Run is one harness run: the parts of its results.json a report needs.
type Run struct {
	// Dir is the run's store directory; Section is the sub-store it is in.
	Dir     string
	Section string
	// Bin is the node binary's base name, e.g. "raftnode".
	Bin string
	// Results is results.json, decoded.
	Results *results.Results
	// Leaders are the leader changes found in node-logs/, in time order.
	Leaders []LeaderChange
}

// Load reads every run under root/<section>/ for each of sections; runs
// without a results.json (a crash before the store was written) are
// skipped. A section with no runs is simply absent.
func Load(root string) ([]*Run, error) {
	var runs []*Run
	for _, sec := range sections {
		dir := filepath.Join(root, sec)
		if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.Type()&fs.ModeSymlink != 0 || d.Name() != "results.json" {
				return nil // latest links point at runs found anyway
			}
			r, err := loadRun(filepath.Dir(path))
			if err != nil {
				return err
			}
			r.Section = sec
			runs = append(runs, r)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
	}
	return runs, nil
}

// loadRun reads one run directory.
func loadRun(dir string) (*Run, error) {
	res, err := results.Read(dir)
	if err != nil {
		return nil, err
	}
	if res.Test.Options == nil {
		res.Test.Options = &results.Options{} // a simulated run records none
	}
	if res.Perf == nil || res.Stats == nil || res.Net == nil || res.Availability == nil {
		return nil, fmt.Errorf("%s: results.json has no perf section: written by an older harness?", dir)
	}
	r := &Run{Dir: dir, Bin: filepath.Base(res.Test.Options.Bin), Results: res}
	logs, _ := filepath.Glob(filepath.Join(dir, "node-logs", "*.log"))
	for _, l := range logs {
		changes, err := readLeaderChanges(l, strings.TrimSuffix(filepath.Base(l), ".log"))
		if err != nil {
			return nil, err
		}
		r.Leaders = append(r.Leaders, changes...)
	}
	slices.SortStableFunc(r.Leaders, func(a, b LeaderChange) int { return a.At.Compare(b.At) })
	return r, nil
}

// LeaderChange is one nodelog.LeaderChanged line of a node log: at At, Node
// started to believe that To leads ("" for nobody).
type LeaderChange struct {
	At       time.Time
	Node, To string
}

// readLeaderChanges scans node's log (slog text, as the runtime writes it:
// time=... level=INFO msg="leader changed" node=n0 from=... to=n1) for the
// leader changes, the lines named by nodelog.LeaderChanged. The node is the
// one the log belongs to, so that the line needs no more keys than the
// contract names. Lines of other shapes, and logs of binaries that write
// none, give nothing.
func readLeaderChanges(path, node string) ([]LeaderChange, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []LeaderChange
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, nodelog.LeaderChanged) {
			continue
		}
		kv := logFields(line)
		if kv[slog.MessageKey] != nodelog.LeaderChanged {
			continue
		}
		at, err := time.Parse(time.RFC3339Nano, kv[slog.TimeKey])
		if err != nil {
			continue
		}
		out = append(out, LeaderChange{At: at, Node: node, To: kv[nodelog.To]})
	}
	return out, sc.Err()
}

// logFields splits a slog text line into its key=value pairs; quoted
// values are unquoted.
func logFields(line string) map[string]string {
	kv := map[string]string{}
	for len(line) > 0 {
		line = strings.TrimLeft(line, " ")
		eq := strings.IndexByte(line, '=')
		if eq < 0 {
			break
		}
		key, rest := line[:eq], line[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := 1
			for end < len(rest) && rest[end] != '"' {
				if rest[end] == '\\' {
					end++
				}
				end++
			}
			end = min(end+1, len(rest))
			val = rest[:end]
			rest = rest[end:]
			var s string
			if json.Unmarshal([]byte(val), &s) == nil {
				val = s
			}
		} else {
			sp := strings.IndexByte(rest, ' ')
			if sp < 0 {
				sp = len(rest)
			}
			val, rest = rest[:sp], rest[sp:]
		}
		kv[key] = val
		line = rest
	}
	return kv
}

// leaderAt is the node that leads at t by the logs: the node that most
// recently declared itself leader and has not since logged a change away
// from itself. It is "" when the logs do not tell.
func (r *Run) leaderAt(t time.Time) string {
	believes := map[string]string{}
	latestSelf := map[string]time.Time{}
	for _, c := range r.Leaders {
		if c.At.After(t) {
			break
		}
		believes[c.Node] = c.To
		if c.To == c.Node {
			latestSelf[c.Node] = c.At
		}
	}
	leader := ""
	var when time.Time
	for n, at := range latestSelf {
		if believes[n] == n && (leader == "" || at.After(when)) {
			leader, when = n, at
		}
	}
	return leader
}

// wall is the wall-clock time of seconds on the run's history scale.
func (r *Run) wall(seconds float64) (time.Time, bool) {
	zero, err := time.Parse(time.RFC3339Nano, r.Results.Test.ZeroTime)
	if err != nil {
		return time.Time{}, false
	}
	return zero.Add(time.Duration(seconds * float64(time.Second))), true
}

// failover tells whether the cluster lost its leader in partition p and
// elected another while the partition lasted: p left a two-way majority (see
// check.Partition's Quorum), and the node the logs name as leader at the
// start was cut off, or a node on the connected side logged a leader change
// between the start and the first :ok write. It is false when the logs do
// not tell, and for a partition that never recovered.
func (r *Run) failover(p *check.Partition) bool {
	start, ok := r.wall(p.Start)
	if !ok || p.Recovery == nil || !p.Quorum {
		return false
	}
	if l := r.leaderAt(start); l != "" && slices.Contains(p.Isolated, l) {
		return true
	}
	end, _ := r.wall(p.Start + *p.Recovery)
	for _, c := range r.Leaders {
		if c.At.After(start) && !c.At.After(end) && !slices.Contains(p.Isolated, c.Node) {
			return true
		}
	}
	return false
}

// afterFirstOK tells whether partition p started after the run's first :ok
// completion; one that started earlier overlaps the first election, so its
// recovery time is not a failover time.
func (r *Run) afterFirstOK(p *check.Partition) bool {
	return r.Results.Perf.All.Count > 0 && p.Start >= r.Results.Perf.Steady.From
}
