package nemesis

import (
	"encoding/json"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/net"
)

type recorder struct {
	mu     sync.Mutex
	events []string
}

func (r *recorder) Partition(g net.Grudge) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "partition")
}

func (r *recorder) Heal() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, "heal")
}

// A fake node's states: up, down or paused.
const (
	up     = "up"
	down   = "down"
	paused = "paused"
)

// transitions is what each action does to a fake node in each state: its outcome and the
// state it leaves the node in.
var transitions = map[string]map[string]struct{ outcome, next string }{
	FKill:   {up: {Killed, down}, paused: {Killed, down}, down: {NotRunning, down}},
	FStart:  {up: {AlreadyRunning, up}, paused: {AlreadyRunning, paused}, down: {Started, up}},
	FPause:  {up: {Paused, paused}, paused: {AlreadyPaused, paused}, down: {NotRunning, down}},
	FResume: {up: {NotPaused, up}, paused: {Resumed, up}, down: {NotPaused, down}},
}

// cluster is a fake Processes: nodes that are up, down or paused, as transitions says. It
// fails the test if one node is acted on twice at once.
type cluster struct {
	t     *testing.T
	mu    sync.Mutex
	state map[string]string // a node's state; up when absent
	busy  map[string]bool
}

func newCluster(t *testing.T) *cluster {
	return &cluster{t: t, state: map[string]string{}, busy: map[string]bool{}}
}

// act applies action to node, after a pause in which another action on it would be caught.
func (c *cluster) act(node, action string) string {
	c.mu.Lock()
	if c.busy[node] {
		c.t.Errorf("%s acted on twice at once", node)
	}
	c.busy[node] = true
	c.mu.Unlock()
	time.Sleep(time.Millisecond)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.busy[node] = false
	from := c.state[node]
	if from == "" {
		from = up
	}
	step := transitions[action][from]
	c.state[node] = step.next
	return step.outcome
}

func (c *cluster) Kill(n string) string   { return c.act(n, FKill) }
func (c *cluster) Start(n string) string  { return c.act(n, FStart) }
func (c *cluster) Pause(n string) string  { return c.act(n, FPause) }
func (c *cluster) Resume(n string) string { return c.act(n, FResume) }

// runFor runs the nemesis for d on a real clock and returns its history.
func runFor(t *testing.T, faults []string, d time.Duration, procs Processes, net Partitioner, onChange func(string)) []history.Op {
	t.Helper()
	clk := clock.NewReal()
	h := history.New(clk)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		Run(Config{Faults: faults, Nodes: nodes(3), Interval: 5 * time.Millisecond, Clock: clk,
			Rand: rand.New(rand.NewPCG(1, 2)), Net: net, Processes: procs, History: h, Stop: stop, OnChange: onChange})
		close(done)
	}()
	time.Sleep(d)
	close(stop)
	<-done
	return h.Ops()
}

func TestRunAlternatesPartitionsAndHealsAtTheEnd(t *testing.T) {
	rec := &recorder{}
	ops := runFor(t, []string{Partition}, 150*time.Millisecond, nil, rec, nil)
	require.GreaterOrEqual(t, len(ops), 8)
	require.Zero(t, len(ops)%2)
	for i := 0; i+1 < len(ops); i += 2 {
		f := StartPartition
		if i/2%2 == 1 {
			f = StopPartition
		}
		assert.Equal(t, f, ops[i].F)
		assert.Equal(t, f, ops[i+1].F)
		assert.Equal(t, history.Info, ops[i].Type)
		assert.Equal(t, history.NemesisProcess, ops[i].Process)
		if f == StartPartition {
			var shape string
			require.NoError(t, json.Unmarshal(ops[i].Value, &shape))
			assert.Contains(t, Shapes, shape)
			assert.Contains(t, string(ops[i+1].Value), `"isolated"`)
		} else {
			assert.Equal(t, "null", string(ops[i].Value))
			assert.Equal(t, `"network-healed"`, string(ops[i+1].Value))
		}
	}
	assert.Less(t, ops[0].Time, 5*time.Millisecond, "first op at t=0")
	assert.Equal(t, "heal", rec.events[len(rec.events)-1])
}

// TestRunKillsPausesAndEndsWithEveryNodeUp runs kills and pauses against
// the fake cluster: every op is an :info pair whose completion maps each
// targeted node to its outcome, and the run ends with a resume and a start
// of every node, which leave none down or paused.
func TestRunKillsPausesAndEndsWithEveryNodeUp(t *testing.T) {
	c := newCluster(t)
	var changes []string
	ops := runFor(t, []string{Kill, Pause}, 300*time.Millisecond, c, &recorder{}, func(s string) { changes = append(changes, s) })
	require.Zero(t, len(ops)%2)
	require.GreaterOrEqual(t, len(ops), 12)
	seen := map[string]int{}
	for i := 0; i+1 < len(ops); i += 2 {
		inv, done := ops[i], ops[i+1]
		require.Equal(t, inv.F, done.F)
		assert.Equal(t, history.Info, inv.Type)
		assert.Equal(t, history.Info, done.Type)
		seen[inv.F]++
		var spec *string
		require.NoError(t, json.Unmarshal(inv.Value, &spec))
		var outcomes map[string]string
		require.NoError(t, json.Unmarshal(done.Value, &outcomes), "%s completion %s", done.F, done.Value)
		switch inv.F {
		case FKill, FPause:
			if spec != nil {
				assert.Contains(t, Targets[1:], *spec)
			}
			for _, o := range outcomes {
				assert.Contains(t, []string{Killed, NotRunning, Paused, AlreadyPaused}, o)
			}
		case FStart, FResume:
			require.NotNil(t, spec)
			assert.Equal(t, All, *spec)
			assert.Len(t, outcomes, 3, "start and resume act on every node")
		default:
			t.Fatalf("unexpected f %s", inv.F)
		}
	}
	assert.Positive(t, seen[FKill])
	assert.Positive(t, seen[FPause])
	n := len(ops)
	assert.Equal(t, []string{FResume, FStart}, []string{ops[n-4].F, ops[n-2].F}, "the final ops")
	for _, n := range nodes(3) {
		assert.NotEqual(t, down, c.state[n], "%s started at the end", n)
		assert.NotEqual(t, paused, c.state[n], "%s resumed at the end", n)
	}
	assert.Equal(t, "", changes[len(changes)-1], "no fault in effect at the end")
}

func TestRunWithoutProcessesRefusesKills(t *testing.T) {
	assert.Panics(t, func() {
		Run(Config{Faults: []string{Kill}, Nodes: nodes(3), Interval: time.Millisecond, Clock: clock.NewReal(),
			Rand: rand.New(rand.NewPCG(1, 2)), Net: &recorder{}, History: history.New(clock.NewReal())})
	})
}
