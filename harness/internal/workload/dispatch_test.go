package workload

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// TestDispatcherSchedule drives the dispatcher as the simulator does, in virtual time: every
// op is issued at Next with a thread free, gaps are Jepsen's stagger, and an :info moves the
// thread to a new process.
func TestDispatcherSchedule(t *testing.T) {
	const rate = 100.0 // a mean gap of 10 ms, so gaps lie in [0, 20 ms)
	d := NewDispatcher(gen(t, 2, 4, 0), 4, rate, rand.New(rand.NewPCG(7, 8)), time.Second, 2*time.Second)
	require.Equal(t, time.Second, d.Next())
	require.Equal(t, 3*time.Second, d.Cutoff())
	var gaps []time.Duration
	var busy []Invocation                          // in issue order
	process := map[int]int{0: 0, 1: 1, 2: 2, 3: 3} // each thread's expected process
	for now := d.Next(); now < d.Cutoff(); now = d.Next() {
		if d.Free() == 0 {
			// The oldest op completes: writes end :info, the rest :ok.
			inv := busy[0]
			busy = busy[1:]
			typ := history.OK
			if inv.F == "write" {
				typ = history.Info
				process[inv.Thread] += 4
			}
			d.Complete(inv.Thread, typ)
		}
		inv := d.Issue(now)
		for _, b := range busy {
			require.NotEqual(t, b.Thread, inv.Thread, "a thread got a second op")
		}
		require.Equal(t, process[inv.Thread], inv.Process, "after an :info a thread is a new process")
		busy = append(busy, inv)
		gaps = append(gaps, d.Next()-now)
	}
	require.Equal(t, len(busy), d.Busy())
	mean := time.Duration(0)
	for _, g := range gaps {
		require.GreaterOrEqual(t, g, time.Duration(0))
		require.Less(t, g, 20*time.Millisecond)
		mean += g
	}
	mean /= time.Duration(len(gaps))
	assert.InDelta(t, float64(10*time.Millisecond), float64(mean), float64(2*time.Millisecond), "mean gap 1/rate")
	assert.InDelta(t, 200, len(gaps), 40, "about rate x time limit ops")
	assert.Greater(t, process[1]+process[2]+process[3], 6, "some :info crashed a thread")
}

// TestDispatcherReplays: one seed, one schedule (ops and times).
func TestDispatcherReplays(t *testing.T) {
	type issued struct {
		at  time.Duration
		inv Invocation
	}
	schedule := func(seed uint64) []issued {
		d := NewDispatcher(gen(t, 1, 4, 0), 4, 50, rand.New(rand.NewPCG(seed, 1)), 0, time.Second)
		var out []issued
		for now := d.Next(); now < d.Cutoff(); now = d.Next() {
			if d.Free() == 0 {
				d.Complete(out[len(out)-4].inv.Thread, history.Info)
			}
			out = append(out, issued{now, d.Issue(now)})
		}
		return out
	}
	require.Equal(t, schedule(1), schedule(1))
	require.NotEqual(t, schedule(1), schedule(2))
}

func TestDispatcherRefusesMisuse(t *testing.T) {
	d := NewDispatcher(gen(t, 1, 2, 0), 2, 10, rand.New(rand.NewPCG(1, 1)), time.Second, time.Second)
	assert.Panics(t, func() { d.Issue(0) }, "before Next")
	assert.Panics(t, func() { d.Issue(2 * time.Second) }, "at the cutoff")
	assert.Panics(t, func() { d.Complete(0, history.OK) }, "nothing outstanding")
	d.Issue(time.Second)
	d.Issue(d.Next())
	assert.Panics(t, func() { d.Issue(d.Next()) }, "no thread free")
}
