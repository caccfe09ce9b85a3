package simnet

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Faults is a fault model: what the network does to messages and nodes. Every feature is off
// in the zero value, so a caller turns on exactly what it wants, or lets Swarm draw a mix from
// a seed.
type Faults struct {
	// Latency is every message's base delay.
	Latency Latency
	// Hold delays a few messages far past the others on their link (seconds, several election
	// timeouts), while the rest flow: the schedule behind most stale-leader bugs, which a
	// latency distribution alone practically never produces.
	Hold Spike
	// Shuffle delivers messages that come due at the same instant in random order rather than
	// in send order. Holds and varying latencies reorder messages across instants.
	Shuffle bool
	// Asymmetry, above 1, gives each directed link a latency factor drawn once from
	// [1, Asymmetry], so a link can be slow one way and fast the other.
	Asymmetry float64
	// Flap makes some directed links go down and up, each with its own period.
	Flap Flap
	// Loss is the probability that a message is lost when it comes due; Dup the probability
	// that a sent message is duplicated (the copy has its own delay).
	Loss, Dup float64
	// Partitions changes the partition at random times.
	Partitions Partitions
	// Pauses pauses random nodes at random times.
	Pauses Pauses
	// Crashes kills and restarts nodes at random times (see Network.Crash).
	Crashes Crashes
}

// Crashes is a random crash schedule: at random times (Every milliseconds apart on average)
// the nemesis kills some nodes, any number from one to all of them, and each restarts after a
// time drawn from [1, Max]. All is the probability that a crash takes every node at once,
// the case that loses whatever a node kept only in memory.
type Crashes struct {
	Every, Max int64
	All        float64
}

// Flap describes flapping links.
type Flap struct {
	// Links is the fraction of directed links that flap.
	Links float64
	// MinPeriod and MaxPeriod bound each flapping link's period (milliseconds, drawn once).
	MinPeriod, MaxPeriod int64
	// Down is the fraction of each period the link is down.
	Down float64
}

// Shape is a set of partition shapes, one bit each.
type Shape uint16

// The partition shapes: Maelstrom's, plus one-way ones. Each is drawn over a fresh random
// order of the nodes.
const (
	// ShapeIsolate cuts one node off from the rest.
	ShapeIsolate Shape = 1 << iota
	// ShapeSplit cuts a minority from the majority.
	ShapeSplit
	// ShapeRing: every node hears only a majority window of its neighbours on a ring, so
	// majorities overlap and no two nodes hear the same set.
	ShapeRing
	// ShapeDeaf: one node hears nobody but is heard by all.
	ShapeDeaf
	// ShapeMute: one node is heard by nobody but hears all.
	ShapeMute
	// ShapeOneWay blocks each directed link with probability one third.
	ShapeOneWay
	// ShapeLeaderMute blocks the leader's messages to a random non-empty set of the others
	// (the node Network.Leader names; a random node when there is none): its followers stop
	// hearing it while it still hears them, the start of most stale-leader schedules.
	ShapeLeaderMute
	// ShapeLeaderDeaf blocks the messages of a random non-empty set of the others to the
	// leader: it stops hearing some followers that still hear it.
	ShapeLeaderDeaf
	// AllShapes is every shape.
	AllShapes = ShapeIsolate | ShapeSplit | ShapeRing | ShapeDeaf | ShapeMute | ShapeOneWay |
		ShapeLeaderMute | ShapeLeaderDeaf
)

var shapeNames = []string{"isolate", "split", "ring", "deaf", "mute", "one-way", "leader-mute", "leader-deaf"}

// String lists the shapes, for example "isolate+ring".
func (s Shape) String() string {
	var names []string
	for i, name := range shapeNames {
		if s&(1<<i) != 0 {
			names = append(names, name)
		}
	}
	return strings.Join(names, "+")
}

// Partitions is a random partition schedule: at random times (Every milliseconds apart on
// average) the nemesis heals the network, or heals it and applies one of Shapes.
type Partitions struct {
	// Every is the mean time between changes; zero turns the schedule off.
	Every int64
	// Shapes are the shapes to choose from; zero means all of them.
	Shapes Shape
}

// Pauses is a random pause schedule: at random times (Every milliseconds apart on average)
// the nemesis pauses a node for a time drawn from [1, Max].
type Pauses struct {
	// Every is the mean time between pauses; zero turns the schedule off.
	Every int64
	// Max bounds a pause's length.
	Max int64
	// Leader is the probability that the pause strikes the node Network.Leader names
	// (a leader that holds a lease), rather than a random node.
	Leader float64
}

// Calm returns the model with every fault off but the latency's base distribution and the
// links' asymmetry: the network a cluster must recover on once the faults stop.
func (f Faults) Calm() Faults {
	return Faults{Latency: Latency{Dist: f.Latency.Dist, Mean: f.Latency.Mean, Min: f.Latency.Min,
		Max: f.Latency.Max, Shape: f.Latency.Shape, Cap: f.Latency.Cap}, Asymmetry: f.Asymmetry}
}

// String lists the model's parameters, the ones that are on, for failure messages: for
// example "latency=exponential mean=10ms loss=2% partitions=every 900ms (isolate+split)".
func (f Faults) String() string {
	parts := []string{"latency=" + f.Latency.String()}
	if f.Hold.On() {
		parts = append(parts, "hold="+f.Hold.String())
	}
	if f.Shuffle {
		parts = append(parts, "shuffle")
	}
	if f.Asymmetry > 1 {
		parts = append(parts, fmt.Sprintf("asymmetry=x%.2g", f.Asymmetry))
	}
	if f.Flap.Links > 0 {
		parts = append(parts, fmt.Sprintf("flap=%.2g of links, period %d..%dms, down %.0f%%",
			f.Flap.Links, f.Flap.MinPeriod, f.Flap.MaxPeriod, 100*f.Flap.Down))
	}
	if f.Loss > 0 {
		parts = append(parts, fmt.Sprintf("loss=%.3g%%", 100*f.Loss))
	}
	if f.Dup > 0 {
		parts = append(parts, fmt.Sprintf("dup=%.3g%%", 100*f.Dup))
	}
	if p := f.Partitions; p.Every > 0 {
		shapes := p.Shapes
		if shapes == 0 {
			shapes = AllShapes
		}
		parts = append(parts, fmt.Sprintf("partitions=every %dms (%s)", p.Every, shapes))
	}
	if p := f.Pauses; p.Every > 0 {
		parts = append(parts, fmt.Sprintf("pauses=every %dms up to %dms, %.0f%% of the leader", p.Every, p.Max, 100*p.Leader))
	}
	if c := f.Crashes; c.Every > 0 {
		parts = append(parts, fmt.Sprintf("crashes=every %dms, down up to %dms, %.0f%% of all nodes", c.Every, c.Max, 100*c.All))
	}
	return strings.Join(parts, " ")
}

// Swarm draws a fault model from r, in the manner of swarm testing: rather than every fault
// at once at a fixed intensity, each seed switches each fault on or off by a coin toss and
// draws its own intensities, so that some seeds stress one fault hard and others combine
// them, and one seed in eight has no fault at all (only latency). timeout is the cluster's
// election timeout in milliseconds; holds, pauses, partitions and flaps are scaled to it
// (a hold lasts one to five timeouts, for example).
func Swarm(r *rand.Rand, timeout int64) Faults {
	timeout = max(timeout, 10)
	coin := func() bool { return r.IntN(2) == 0 }
	f := Faults{Latency: swarmLatency(r, timeout)}
	if r.IntN(8) == 0 {
		return f
	}
	if coin() {
		f.Latency.Slow = Spike{P: 0.01 + 0.2*r.Float64(), Min: timeout / 10, Max: timeout/10 + r.Int64N(timeout)}
	}
	if coin() {
		f.Hold = Spike{P: 0.001 + 0.02*r.Float64(), Min: timeout, Max: timeout + r.Int64N(4*timeout+1)}
	}
	f.Shuffle = coin()
	if coin() {
		f.Asymmetry = 1.5 + 8.5*r.Float64()
	}
	if coin() {
		minP := timeout/2 + r.Int64N(timeout)
		f.Flap = Flap{Links: 0.1 + 0.4*r.Float64(), MinPeriod: minP, MaxPeriod: minP + r.Int64N(4*timeout), Down: 0.1 + 0.6*r.Float64()}
	}
	if coin() {
		f.Loss = 0.2 * r.Float64() * r.Float64() // mostly light, sometimes heavy
	}
	if coin() {
		f.Dup = 0.1 * r.Float64()
	}
	if coin() {
		f.Partitions = Partitions{Every: timeout/2 + r.Int64N(10*timeout), Shapes: Shape(1 + r.IntN(int(AllShapes)))}
	}
	if coin() {
		f.Pauses = Pauses{Every: timeout + r.Int64N(20*timeout), Max: 1 + r.Int64N(3*timeout), Leader: []float64{0, 0.5, 1}[r.IntN(3)]}
	}
	return f
}

// SwarmCrashes draws a crash schedule from r for nodes that keep their state on disk, scaled
// to the election timeout: a crash every 2 to 22 timeouts on average, each down for up to
// 1 to 4 timeouts, and, in one draw of two, a third of the crashes taking every node at
// once. Swarm does not draw it, as a caller must handle crashes (Network.Crash).
func SwarmCrashes(r *rand.Rand, timeout int64) Crashes {
	timeout = max(timeout, 10)
	return Crashes{Every: 2*timeout + r.Int64N(20*timeout), Max: timeout + r.Int64N(3*timeout),
		All: []float64{0, 1.0 / 3}[r.IntN(2)]}
}

// swarmLatency draws the base latency: one of Maelstrom's distributions or a heavy tail, with
// a mean from zero to a tenth of the timeout.
func swarmLatency(r *rand.Rand, timeout int64) Latency {
	mean := float64(r.Int64N(timeout/10 + 1))
	switch r.IntN(4) {
	case 0:
		return Latency{Dist: Constant, Mean: mean}
	case 1:
		return Latency{Dist: Uniform, Max: max(int64(2*mean)-1, 0)}
	case 2:
		return Latency{Dist: Exponential, Mean: mean}
	default:
		return Latency{Dist: Pareto, Mean: mean, Shape: 1.1 + r.Float64(), Cap: 20 * timeout}
	}
}
