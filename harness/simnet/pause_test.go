package simnet

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPauseContract: a paused node gets no messages and no ticks; when its pause ends it
// first ticks for every millisecond it missed, then gets what waited for it in arrival order,
// then ticks for the current millisecond, so it has ticked once per millisecond in all.
func TestPauseContract(t *testing.T) {
	rc := newRecorder(t, abc, 1, Faults{Latency: Latency{Dist: Constant, Mean: 1}})
	ticks := map[string]int{}
	rc.net.Tick = func(id string) {
		ticks[id]++
		if id == "b" {
			rc.log = append(rc.log, fmt.Sprintf("%d tick b", rc.net.Now()))
		}
	}
	rc.run(10)
	rc.log = nil
	rc.net.Pause("b", 5) // paused at 10, resumes at 15
	require.True(t, rc.net.Paused("b"))
	rc.net.Pause("b", 100) // already paused: no effect
	rc.net.Send("a", "b", "first")
	rc.run(2)
	rc.net.Send("c", "b", "second")
	rc.net.Send("b", "a", "from-b-before") // sent before the pause took effect, still flows
	rc.run(2)
	require.Equal(t, []string{"13 b->a from-b-before"}, rc.log, "b receives nothing and does not tick")
	require.Equal(t, 2, rc.net.Stats().Fates[Waiting])
	rc.run(1)
	assert.Equal(t, []string{"13 b->a from-b-before",
		"15 tick b", "15 tick b", "15 tick b", "15 tick b", // the missed 11..14
		"15 a->b first", "15 c->b second", // then what waited, in arrival order
		"15 tick b", // then the current millisecond
	}, rc.log)
	assert.False(t, rc.net.Paused("b"))
	assert.Equal(t, ticks["a"], ticks["b"], "a resumed node has ticked for all the time that passed")
	assert.Equal(t, 15, ticks["b"])
}

// TestPausedNodeJudgedOnArrival: the partition is judged when the message
// arrives, not when the paused receiver resumes.
func TestPausedNodeJudgedOnArrival(t *testing.T) {
	rc := newRecorder(t, abc, 1, Faults{Latency: Latency{Dist: Constant, Mean: 1}})
	rc.net.Pause("b", 10)
	rc.net.Send("a", "b", "arrived-then-cut")
	rc.run(2)
	rc.net.Block("a", "b")
	rc.net.Send("c", "b", "never")
	rc.net.Block("c", "b")
	rc.run(10)
	assert.Equal(t, []string{"10 a->b arrived-then-cut"}, rc.log)
}

// TestFilterRewritesDropsHoldsAndReleases: a test's filter sees every message that comes due;
// it can rewrite it, drop it, or hold it until the test releases it, after which the filter
// does not see it again but a partition still applies.
func TestFilterRewritesDropsHoldsAndReleases(t *testing.T) {
	rc := newRecorder(t, abc, 1, Faults{})
	seen := 0
	rc.net.Filter = func(e *Envelope[string]) Verdict {
		seen++
		switch e.Msg {
		case "drop":
			return Drop
		case "hold", "hold-cut":
			return Hold
		case "rewrite":
			e.Msg = "rewritten"
		}
		return Pass
	}
	for _, m := range []string{"drop", "hold", "rewrite", "hold-cut", "plain"} {
		rc.net.Send("a", "b", m)
	}
	require.Equal(t, 2, rc.net.DeliverAll())
	require.Equal(t, []string{"0 a->b rewritten", "0 a->b plain"}, rc.log)
	require.Len(t, rc.net.Held(), 2)
	require.Equal(t, 5, seen)
	rc.log = nil
	rc.run(100)
	require.Empty(t, rc.log, "held messages stay held as time passes")

	rc.net.Block("a", "b")
	require.Equal(t, 1, rc.net.Release(func(e *Envelope[string]) bool { return e.Msg == "hold-cut" }))
	rc.run(1)
	require.Empty(t, rc.log, "a released message still meets the partition")
	rc.net.Heal()
	require.Equal(t, 1, rc.net.Release(nil))
	rc.run(1)
	assert.Equal(t, []string{"102 a->b hold"}, rc.log)
	assert.Equal(t, 5, seen, "the filter judged each message once")
	assert.Empty(t, rc.net.Held())
	st := rc.net.Stats()
	assert.Equal(t, [fates]int{Delivered: 3, Cut: 1, Filtered: 1, Held: 2}, st.Fates)
}

// TestDiscard: a test can lose chosen messages in flight.
func TestDiscard(t *testing.T) {
	rc := newRecorder(t, abc, 1, Faults{})
	for _, to := range []string{"b", "c", "b", "c"} {
		rc.net.Send("a", to, "to-"+to)
	}
	require.Equal(t, 2, rc.net.Discard(func(e *Envelope[string]) bool { return e.To == "c" }))
	rc.net.DeliverAll()
	assert.Equal(t, []string{"0 a->b to-b", "0 a->b to-b"}, rc.log)
	rc.net.Send("a", "b", "x")
	assert.Equal(t, 1, rc.net.Discard(nil))
	assert.Zero(t, rc.net.Len())
}
