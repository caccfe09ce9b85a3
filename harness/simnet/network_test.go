package simnet

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a tiny cluster of string messages: it logs every delivery and tick with the
// time it happened.
type recorder struct {
	net *Network[string]
	log []string
	at  map[string]int64 // message -> time delivered
}

func newRecorder(t *testing.T, ids []string, seed uint64, f Faults) *recorder {
	t.Helper()
	rc := &recorder{at: map[string]int64{}}
	rc.net = New[string](ids, seeded(seed), f)
	rc.net.Deliver = func(e *Envelope[string]) {
		rc.log = append(rc.log, fmt.Sprintf("%d %s->%s %s", rc.net.Now(), e.From, e.To, e.Msg))
		rc.at[e.Msg] = rc.net.Now()
	}
	return rc
}

func (rc *recorder) run(ms int) {
	for range ms {
		rc.net.Step()
	}
}

var abc = []string{"a", "b", "c"}

// directed lists every directed link between the ids, as {from, to}.
func directed(ids []string) [][2]string {
	var out [][2]string
	for _, a := range ids {
		for _, b := range ids {
			if a != b {
				out = append(out, [2]string{a, b})
			}
		}
	}
	return out
}

// TestDueOrder: each message arrives at the instant it is due; messages due together arrive
// in send order, and DeliverAll settles everything, due or not, in due order.
func TestDueOrder(t *testing.T) {
	rc := newRecorder(t, abc, 1, Faults{Latency: Latency{Dist: Constant, Mean: 3}})
	for i := range 5 {
		rc.net.Send("a", "b", fmt.Sprint("m", i))
	}
	rc.net.Enqueue("c", "b", "early", 1)
	rc.run(2)
	require.Equal(t, []string{"1 c->b early"}, rc.log)
	rc.run(1)
	require.Equal(t, []string{"1 c->b early", "3 a->b m0", "3 a->b m1", "3 a->b m2", "3 a->b m3", "3 a->b m4"}, rc.log)

	rc.log = nil
	rc.net.Enqueue("a", "c", "later", 50)
	rc.net.Enqueue("b", "c", "sooner", 0)
	require.Equal(t, 2, rc.net.DeliverAll())
	require.Equal(t, []string{"3 b->c sooner", "3 a->c later"}, rc.log, "no time passes")
	require.Equal(t, 0, rc.net.Len())
}

// TestShuffleReordersTies: with Shuffle, messages due at one instant arrive in a random order
// (every one of them, and the same order for the same seed).
func TestShuffleReordersTies(t *testing.T) {
	order := func(seed uint64) []string {
		rc := newRecorder(t, abc, seed, Faults{Shuffle: true})
		for i := range 8 {
			rc.net.Send("a", "b", fmt.Sprint(i))
		}
		rc.run(1)
		return rc.log
	}
	first := order(1)
	require.Len(t, first, 8)
	require.Equal(t, first, order(1), "one seed, one order")
	sorted := slices.Clone(first)
	slices.Sort(sorted)
	assert.NotEqual(t, sorted, first, "send order is shuffled")
}

// TestPartitionAtDequeue: as in Maelstrom, the grudge is checked when a message comes due: one
// sent before a cut and due during it is lost, one sent during a cut and due after the heal
// arrives. Blocking is per directed link.
func TestPartitionAtDequeue(t *testing.T) {
	rc := newRecorder(t, abc, 1, Faults{Latency: Latency{Dist: Constant, Mean: 10}})
	rc.net.Send("a", "b", "before-cut") // due at 10
	rc.net.Block("a", "b")
	rc.net.Send("b", "a", "other-way")
	rc.net.Send("c", "b", "other-link")
	rc.run(5)
	rc.net.Send("a", "b", "during-cut") // due at 15
	rc.run(7)
	rc.net.Heal()
	rc.run(10)
	assert.Equal(t, []string{"10 b->a other-way", "10 c->b other-link", "15 a->b during-cut"}, rc.log)
	assert.Equal(t, 1, rc.net.Stats().Fates[Cut])

	assert.False(t, rc.net.Partitioned())
	rc.net.Isolate("b")
	assert.True(t, rc.net.Partitioned())
	assert.Equal(t, "a->b b->a b->c c->b", rc.net.Partition())
	assert.True(t, rc.net.Blocked("c", "b"))
	rc.net.Unblock("c", "b")
	assert.False(t, rc.net.Blocked("c", "b"))
	rc.net.Heal()
	assert.False(t, rc.net.Partitioned())
	assert.Equal(t, "none", rc.net.Partition())
}

// TestLossAndDuplication: each message is lost with probability Loss when it comes due and
// duplicated with probability Dup when sent, the copy with a delay of its own.
func TestLossAndDuplication(t *testing.T) {
	rc := newRecorder(t, abc, 2, Faults{Latency: Latency{Dist: Uniform, Min: 1, Max: 50}, Loss: 0.2, Dup: 0.1})
	copies := map[string][]int64{}
	rc.net.Deliver = func(e *Envelope[string]) { copies[e.Msg] = append(copies[e.Msg], e.At-e.Sent) }
	const k = 10000
	for i := range k {
		rc.net.Send("a", "b", fmt.Sprint(i))
	}
	rc.run(60)
	st := rc.net.Stats()
	assert.InDelta(t, 0.1*k, st.Duplicated, 150)
	assert.Equal(t, k+st.Duplicated, st.Sent)
	assert.InDelta(t, 0.2*float64(st.Sent), st.Fates[Lost], 250)
	assert.Equal(t, st.Sent, st.Fates[Lost]+st.Fates[Delivered])
	differ := 0
	for _, c := range copies {
		if len(c) == 2 && c[0] != c[1] {
			differ++
		}
	}
	assert.Greater(t, differ, 500, "duplicates draw their own delay")
}

// TestHoldsDelayAFewFarPastTheRest: a held message arrives seconds after the ones sent with
// it, which keep flowing.
func TestHoldsDelayAFewFarPastTheRest(t *testing.T) {
	f := Faults{Latency: Latency{Dist: Constant, Mean: 5}, Hold: Spike{P: 0.05, Min: 1000, Max: 3000}}
	rc := newRecorder(t, abc, 3, f)
	for i := range 2000 {
		rc.net.Send("a", "b", fmt.Sprint(i))
	}
	rc.run(3100)
	require.Len(t, rc.at, 2000)
	assert.InDelta(t, 100, countSlow(t, slices.Collect(maps.Values(rc.at)), 5, 1005, 3005), 30)
}

// TestHoldBiasAimsHoldsAtSomeMessages: the bias multiplies the hold chance per message, so
// the messages an adversary cares about are held far more often than the rest.
func TestHoldBiasAimsHoldsAtSomeMessages(t *testing.T) {
	f := Faults{Latency: Latency{Dist: Constant, Mean: 5}, Hold: Spike{P: 0.01, Min: 1000, Max: 1000}}
	rc := newRecorder(t, abc, 4, f)
	rc.net.HoldBias = func(m string) float64 {
		if m[0] == 'v' {
			return 50 // half the votes
		}
		return 1
	}
	for i := range 1000 {
		rc.net.Send("a", "b", fmt.Sprint("v", i))
		rc.net.Send("a", "b", fmt.Sprint("x", i))
	}
	rc.run(1100)
	held := map[byte]int{}
	for m, at := range rc.at {
		if at > 5 {
			held[m[0]]++
		}
	}
	assert.InDelta(t, 500, held['v'], 60)
	assert.InDelta(t, 10, held['x'], 10)
}

// TestAsymmetricLinks: each directed link scales its delays by its own factor in
// [1, Asymmetry], so the two directions of a link differ.
func TestAsymmetricLinks(t *testing.T) {
	rc := newRecorder(t, abc, 4, Faults{Latency: Latency{Dist: Constant, Mean: 100}, Asymmetry: 5})
	factors := map[float64]bool{}
	for _, l := range directed(abc) {
		f := rc.net.LinkFactor(l[0], l[1])
		require.True(t, f >= 1 && f <= 5, "factor %v", f)
		factors[f] = true
		rc.net.Send(l[0], l[1], l[0]+l[1])
	}
	require.Len(t, factors, 6, "every directed link has its own factor")
	rc.run(600)
	for _, l := range directed(abc) {
		assert.Equal(t, int64(100*rc.net.LinkFactor(l[0], l[1])), rc.at[l[0]+l[1]], "%s->%s", l[0], l[1])
	}
}

// TestFlappingLinks: a flapping link drops exactly what comes due while it is down, for the
// fraction Down of its period; links that do not flap lose nothing.
func TestFlappingLinks(t *testing.T) {
	f := Faults{Flap: Flap{Links: 0.5, MinPeriod: 50, MaxPeriod: 200, Down: 0.3}}
	ids := []string{"a", "b", "c", "d"}
	rc := newRecorder(t, ids, 5, f)
	lost := map[string]int{}
	rc.net.Observe = func(e *Envelope[string], fate Fate) {
		if fate == Cut {
			lost[e.From+e.To]++
		}
	}
	const ms = 4000
	for range ms {
		for _, l := range directed(ids) {
			rc.net.Send(l[0], l[1], "x")
		}
		rc.net.Step()
	}
	flapping := 0
	for _, l := range directed(ids) {
		a, b := l[0], l[1]
		fl := rc.net.links.flaps[int(rc.net.idx(a))*4+int(rc.net.idx(b))]
		if fl.period == 0 {
			assert.Zero(t, lost[a+b], "%s->%s does not flap", a, b)
			continue
		}
		flapping++
		require.True(t, fl.period >= 50 && fl.period <= 200)
		assert.InDelta(t, 0.3, float64(lost[a+b])/ms, 0.03, "%s->%s down a third of the time", a, b)
	}
	assert.True(t, flapping > 0 && flapping < 12, "some links flap, some do not: %d", flapping)
}
