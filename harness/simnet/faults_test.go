package simnet

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var five = []string{"n0", "n1", "n2", "n3", "n4"}

// hears returns, for each node, the sorted set of nodes it hears (itself included).
func hears(n *Network[string]) map[string]string {
	out := map[string]string{}
	for _, to := range n.ids {
		var from []string
		for _, f := range n.ids {
			if f == to || !n.Blocked(f, to) {
				from = append(from, f)
			}
		}
		out[to] = strings.Join(from, ",")
	}
	return out
}

// TestShapes: each partition shape blocks what its name says, for 3 and 5 nodes.
func TestShapes(t *testing.T) {
	for _, ids := range [][]string{abc, five} {
		k := len(ids)
		for seed := range uint64(20) {
			n := New[string](ids, seeded(seed), Faults{})
			count := func() (blocked int) {
				for _, a := range ids {
					for _, b := range ids {
						if n.Blocked(a, b) {
							blocked++
						}
					}
				}
				return blocked
			}
			n.ApplyShape(ShapeIsolate)
			require.Equal(t, 2*(k-1), count())
			n.Heal()
			n.ApplyShape(ShapeSplit)
			require.Equal(t, 2*(k/2)*(k-k/2), count())
			n.Heal()
			n.ApplyShape(ShapeRing)
			sets := map[string]bool{}
			for id, h := range hears(n) {
				require.Len(t, strings.Split(h, ","), k/2+1, "%s hears a majority exactly: %s", id, h)
				require.Contains(t, h, id)
				sets[h] = true
			}
			require.Len(t, sets, k, "no two nodes hear the same majority")
			n.Heal()
			n.ApplyShape(ShapeDeaf)
			deaf := 0
			for _, h := range hears(n) {
				if !strings.Contains(h, ",") {
					deaf++
				}
			}
			require.Equal(t, 1, deaf)
			require.Equal(t, k-1, count())
			n.Heal()
			n.ApplyShape(ShapeMute)
			require.Equal(t, k-1, count())
			for _, h := range hears(n) {
				require.NotEqual(t, 1, len(strings.Split(h, ",")), "a mute node still hears")
			}
		}
	}
}

// TestNemesisPartitions: the schedule changes the partition about every Every milliseconds,
// using only the shapes it is given.
func TestNemesisPartitions(t *testing.T) {
	n := New[string](five, seeded(3), Faults{Partitions: Partitions{Every: 100, Shapes: ShapeIsolate}})
	var changes []string
	n.Logf = func(format string, args ...any) { changes = append(changes, fmt.Sprintf(format, args...)) }
	n.Deliver = func(*Envelope[string]) {}
	healed, isolated := 0, 0
	for range 20000 {
		n.Step()
		if blocked := strings.Count(n.Partition(), "->"); blocked == 0 {
			healed++
		} else {
			require.Equal(t, 8, blocked, "only isolation: %s", n.Partition())
			isolated++
		}
	}
	assert.InDelta(t, 200, len(changes), 40, "a change every 100 ms on average")
	assert.InDelta(t, 2.0, float64(isolated)/float64(healed), 0.6, "two changes in three partition")
}

// TestNemesisPausesTheLeader: with Pauses.Leader 1 every pause strikes the node that leads.
func TestNemesisPausesTheLeader(t *testing.T) {
	n := New[string](abc, seeded(4), Faults{Pauses: Pauses{Every: 50, Max: 30, Leader: 1}})
	n.Deliver = func(*Envelope[string]) {}
	n.Leader = func() string { return "c" }
	ticks := map[string]int{}
	n.Tick = func(id string) { ticks[id]++ }
	pausedC := 0
	for range 5000 {
		n.Step()
		require.False(t, n.Paused("a") || n.Paused("b"))
		if n.Paused("c") {
			pausedC++
		}
	}
	assert.Greater(t, pausedC, 500)
	assert.LessOrEqual(t, ticks["c"], ticks["a"])
	assert.Less(t, ticks["a"]-ticks["c"], 31, "once resumed, c has ticked for all it missed")
}

// TestSwarmDrawsVariedMixes: each seed draws its own mix; every fault is on in some seeds and
// off in others, about one seed in eight has none, and the same seed draws the same model.
func TestSwarmDrawsVariedMixes(t *testing.T) {
	const seeds = 800
	on := map[string]int{}
	none := 0
	distinct := map[string]bool{}
	for seed := range uint64(seeds) {
		f := Swarm(seeded(seed), 300)
		require.Equal(t, f, Swarm(seeded(seed), 300), "seed %d", seed)
		s := f.String()
		distinct[s] = true
		require.True(t, strings.HasPrefix(s, "latency="), s)
		if f == (Faults{Latency: f.Latency}) {
			none++
		}
		for _, name := range []string{"slow=", "hold=", "shuffle", "asymmetry=", "flap=", "loss=", "dup=", "partitions=", "pauses=", "pareto", "exponential", "uniform", "constant"} {
			if strings.Contains(s, name) {
				on[name]++
			}
		}
		if f.Hold.On() {
			require.GreaterOrEqual(t, f.Hold.Min, int64(300), "a hold lasts at least an election timeout")
		}
	}
	assert.InDelta(t, seeds/8+seeds*7/8/512, none, 35, "seeds with no fault")
	for name, k := range on {
		assert.True(t, k > seeds/8 && k < seeds*7/8, "%s on in %d of %d seeds", name, k, seeds)
	}
	assert.Len(t, on, 13)
	assert.Greater(t, len(distinct), seeds*3/4)
}

// TestSameSeedSameRun: a network driven by a swarm model replays exactly from its seed.
func TestSameSeedSameRun(t *testing.T) {
	run := func(seed uint64) []string {
		f := Swarm(seeded(seed), 100)
		rc := newRecorder(t, five, seed, f)
		rc.net.Tick = func(id string) {
			if rc.net.Now()%7 == 0 {
				rc.net.Send(id, five[(rc.net.Now()/7)%5], fmt.Sprint(id, rc.net.Now()))
			}
		}
		rc.run(3000)
		return rc.log
	}
	differ := 0
	for seed := range uint64(10) {
		a := run(seed)
		require.Equal(t, a, run(seed), "seed %d", seed)
		if !slices.Equal(a, run(seed+100)) {
			differ++
		}
	}
	assert.Equal(t, 10, differ)
}

// TestCalmStopsTheFaults keeps the base latency and the asymmetry, nothing else.
func TestCalmStopsTheFaults(t *testing.T) {
	for seed := range uint64(50) {
		f := Swarm(seeded(seed), 300)
		c := f.Calm()
		assert.Equal(t, Faults{Latency: Latency{Dist: f.Latency.Dist, Mean: f.Latency.Mean, Min: f.Latency.Min,
			Max: f.Latency.Max, Shape: f.Latency.Shape, Cap: f.Latency.Cap}, Asymmetry: f.Asymmetry}, c)
	}
}

// TestFaultsMayChangeMidRun: per-link faults switched on after New take effect, and Calm
// stops the flapping but keeps each link's asymmetry factor.
func TestFaultsMayChangeMidRun(t *testing.T) {
	rc := newRecorder(t, abc, 6, Faults{Latency: Latency{Dist: Constant, Mean: 10}})
	require.Equal(t, 1.0, rc.net.LinkFactor("a", "b"))
	rc.net.Faults.Asymmetry = 4
	rc.net.Faults.Flap = Flap{Links: 1, MinPeriod: 20, MaxPeriod: 40, Down: 0.5}
	rc.net.Send("a", "b", "scaled")
	factor := rc.net.LinkFactor("a", "b")
	require.Greater(t, factor, 1.0)
	cutWhileFlapping := func() int {
		before := rc.net.Stats().Fates[Cut]
		for range 200 {
			for _, l := range directed(abc) {
				rc.net.Send(l[0], l[1], "x")
			}
			rc.net.Step()
		}
		return rc.net.Stats().Fates[Cut] - before
	}
	assert.Greater(t, cutWhileFlapping(), 300, "every link flaps, down half the time")
	rc.net.Faults = rc.net.Faults.Calm()
	rc.run(200)
	assert.Zero(t, cutWhileFlapping(), "calm: no link flaps")
	assert.Equal(t, factor, rc.net.LinkFactor("a", "b"), "the asymmetry factors stay")
}

// TestACrashedNodeHearsNothingAndRestarts: a down node gets no ticks and no messages (they are
// Dead, and so are those that waited for it while it was paused), and Restarted comes once its
// time is up, after which it hears again.
func TestACrashedNodeHearsNothingAndRestarts(t *testing.T) {
	n := New[string](abc, seeded(5), Faults{})
	var got []string
	n.Deliver = func(e *Envelope[string]) { got = append(got, e.To+":"+e.Msg) }
	ticks := map[string]int{}
	n.Tick = func(id string) { ticks[id]++ }
	var events []string
	n.Crashed = func(id string) { events = append(events, "crashed "+id) }
	n.Restarted = func(id string) { events = append(events, "restarted "+id) }

	n.Pause("c", 100)
	n.Send("a", "c", "waited")
	n.Step()
	n.Crash("c", 10)
	require.True(t, n.Down("c"))
	require.False(t, n.Paused("c"), "a killed process is no longer stopped")
	n.Send("a", "c", "dead")
	n.Send("a", "b", "alive")
	for range 9 {
		n.Step()
	}
	require.Equal(t, []string{"b:alive"}, got)
	require.Equal(t, 0, ticks["c"], "no tick while paused, none while down")
	require.Equal(t, 10, ticks["a"])
	require.Equal(t, []string{"crashed c"}, events)
	n.Step()
	require.Equal(t, []string{"crashed c", "restarted c"}, events)
	require.False(t, n.Down("c"))
	require.Equal(t, 1, ticks["c"], "a restarted node ticks from its restart on, for no time it missed")
	n.Send("a", "c", "after")
	n.Step()
	require.Equal(t, []string{"b:alive", "c:after"}, got)
	require.Equal(t, 2, n.Stats().Fates[Dead], "the waiting message and the one sent while down")
}

// TestNemesisCrashesUpToAll: crashes strike from one node to all of them, and with All 1
// every crash takes them all at once.
func TestNemesisCrashesUpToAll(t *testing.T) {
	for _, all := range []float64{0, 1} {
		n := New[string](abc, seeded(6), Faults{Crashes: Crashes{Every: 40, Max: 1, All: all}})
		n.Deliver = func(*Envelope[string]) {}
		sizes := map[int]int{}
		down := 0
		n.Crashed = func(string) { down++ }
		n.Restarted = func(string) {}
		for range 20000 {
			down = 0
			n.Step()
			if down > 0 {
				sizes[down]++
			}
		}
		if all == 1 {
			// A crash that comes while some node is still down cannot take it again.
			require.Greater(t, sizes[3], 20*(sizes[1]+sizes[2]), "every crash takes all three (%v)", sizes)
		} else {
			require.Len(t, sizes, 3, "crashes of one, two and three nodes (%v)", sizes)
			require.Greater(t, sizes[1], sizes[3], "one node at a time more often than all (%v)", sizes)
		}
	}
}
