package nemesis

import (
	"encoding/json"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// What an act did to one node: the values of a kill, start, pause or resume
// completion's map, node -> outcome.
const (
	// Killed: the node's process was SIGKILLed.
	Killed = "killed"
	// NotRunning: a kill or pause found the node already down.
	NotRunning = "not-running"
	// Started: the node was down; its new process answered init.
	Started = "started"
	// AlreadyRunning: a start found the node up (paused or not).
	AlreadyRunning = "already-running"
	// StartFailed: the new process exited or did not answer init; the run
	// then crashes, as a node that fails its first init does.
	StartFailed = "start-failed"
	// NotStarted: the run was halting (interrupted, or a node crashed), so
	// a down node was left down.
	NotStarted = "not-started"
	// Paused: the node's process group was sent SIGSTOP.
	Paused = "paused"
	// AlreadyPaused: a pause found the node paused.
	AlreadyPaused = "already-paused"
	// Resumed: the node's process group was sent SIGCONT.
	Resumed = "resumed"
	// NotPaused: a resume found the node running, or down.
	NotPaused = "not-paused"
)

// Processes is what kills, starts, pauses and resumes act on: the node
// processes. Each method acts on one node and returns its outcome (the
// constants above). Start and Resume must be idempotent. The nemesis calls
// the methods for different nodes concurrently, never twice at once for one
// node.
type Processes interface {
	Kill(node string) string
	Start(node string) string
	Pause(node string) string
	Resume(node string) string
}

// Config drives the nemesis.
type Config struct {
	// Faults are the faults to inject: Partition, Kill, Pause.
	Faults []string
	Nodes  []string
	// Interval is the mean gap between two ops of one stream.
	Interval time.Duration
	Clock    clock.Clock
	Rand     *rand.Rand
	// Net takes the partitions; Processes the kills and pauses (it may be
	// nil when neither is among the faults).
	Net       Partitioner
	Processes Processes
	History   *history.History
	// Stop ends the schedule; Run then plays the final ops, heals the
	// network and returns.
	Stop <-chan struct{}
	// TimeLimit, if positive, is when (after Run starts) the schedule ends:
	// no op is issued at or after it, as for client ops.
	TimeLimit time.Duration
	// OnChange, if not nil, is told the faults in effect after each op, as
	// State.String describes them ("" when there are none).
	OnChange func(faults string)
}

// Run plays the schedule of cfg.Faults until Stop closes or the time limit
// passes, records every op as an :info invocation and an :info completion,
// then plays the final ops (every node resumed, then started) and heals the
// network. Ops run one at a time, as Jepsen's single nemesis worker runs
// them: a start waits for every restarted node's init_ok, and the next op
// waits for it.
func Run(cfg Config) {
	defer cfg.Net.Heal()
	sched := NewSchedule(cfg.Faults, cfg.Nodes, cfg.Interval, cfg.Rand)
	if (sched.faults[Kill] || sched.faults[Pause]) && cfg.Processes == nil {
		panic("nemesis: kill and pause need Processes")
	}
	var state State
	origin := cfg.Clock.Now()
	cutoff := origin + cfg.TimeLimit
schedule:
	for {
		op, ok := sched.Next(cfg.Clock.Now() - origin)
		if !ok || (cfg.TimeLimit > 0 && origin+op.At >= cutoff) {
			<-cfg.Stop
			break
		}
		select {
		case <-cfg.Stop:
			break schedule
		case <-cfg.Clock.After(origin + op.At - cfg.Clock.Now()):
			play(cfg, &state, op)
		}
	}
	for _, op := range sched.Final() {
		play(cfg, &state, op)
	}
}

// play performs one op between its invocation and its completion.
func play(cfg Config, state *State, op Op) {
	inv := json.RawMessage("null")
	if op.Spec != "" {
		inv, _ = json.Marshal(op.Spec)
	}
	cfg.History.Append(history.Op{Type: history.Info, F: op.F, Process: history.NemesisProcess, Value: inv})
	var done json.RawMessage
	switch op.F {
	case StartPartition:
		cfg.Net.Partition(op.Grudge)
		done = Describe(op.Grudge)
	case StopPartition:
		cfg.Net.Heal()
		done = json.RawMessage(`"network-healed"`)
	default:
		outcomes := onNodes(cfg.Processes, op)
		done, _ = json.Marshal(outcomes)
	}
	cfg.History.Append(history.Op{Type: history.Info, F: op.F, Process: history.NemesisProcess, Value: done})
	state.apply(op.F, op.Spec, done)
	if cfg.OnChange != nil {
		cfg.OnChange(state.String())
	}
}

// onNodes acts on op's nodes in parallel, as Jepsen's c/on-nodes does, and
// returns each node's outcome.
func onNodes(p Processes, op Op) map[string]string {
	act := map[string]func(string) string{FKill: p.Kill, FStart: p.Start, FPause: p.Pause, FResume: p.Resume}[op.F]
	out := make(map[string]string, len(op.Nodes))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, n := range op.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := act(n)
			mu.Lock()
			out[n] = r
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// State is the faults in effect, as the history's completions tell them.
type State struct {
	// Shape is the partition in effect ("" when healed).
	Shape string
	// Down and Paused are the nodes killed and not started since, and
	// paused and not resumed (or killed) since.
	Down, Paused map[string]bool
}

// apply updates the state with one completion of f, whose invocation named
// spec and whose value is done.
func (s *State) apply(f, spec string, done json.RawMessage) {
	if s.Down == nil {
		s.Down, s.Paused = map[string]bool{}, map[string]bool{}
	}
	switch f {
	case StartPartition:
		s.Shape = spec
		return
	case StopPartition:
		s.Shape = ""
		return
	}
	var outcomes map[string]string
	if json.Unmarshal(done, &outcomes) != nil {
		return
	}
	for n, o := range outcomes {
		switch o {
		case Killed:
			s.Down[n] = true
			delete(s.Paused, n)
		case Started:
			delete(s.Down, n)
		case Paused:
			s.Paused[n] = true
		case Resumed:
			delete(s.Paused, n)
		}
	}
}

// String describes the state for a progress line, e.g.
// "majority, killed n0 n2, paused n1"; "" when nothing is in effect.
func (s *State) String() string {
	var parts []string
	if s.Shape != "" {
		parts = append(parts, s.Shape)
	}
	for _, x := range []struct {
		verb  string
		nodes map[string]bool
	}{{"killed", s.Down}, {"paused", s.Paused}} {
		if len(x.nodes) > 0 {
			parts = append(parts, x.verb+" "+strings.Join(sortedSet(x.nodes), " "))
		}
	}
	return strings.Join(parts, ", ")
}

func sortedSet(m map[string]bool) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
