package nemesis

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/net"
)

// The faults --nemesis accepts, in any comma-separated combination.
const (
	Partition = "partition"
	Kill      = "kill"
	Pause     = "pause"
)

// Faults lists every fault, in the order the help text names them.
var Faults = []string{Partition, Kill, Pause}

// The fs of the nemesis's ops, as they appear in the history. Each fault is
// a flip-flop of two of them.
const (
	StartPartition = "start-partition"
	StopPartition  = "stop-partition"
	FKill          = "kill"
	FStart         = "start"
	FPause         = "pause"
	FResume        = "resume"
)

// Target specs: Jepsen's db-nodes specs, which a kill or a pause picks from
// uniformly. Random is Jepsen's nil (a JSON null in the history).
const (
	Random        = ""
	One           = "one"
	MinorityThird = "minority-third"
	Minority      = "minority"
	Majority      = "majority"
	All           = "all"
)

// Targets are the specs a kill or a pause picks from: Jepsen's node-specs for
// a database without primaries, as Maelstrom's is.
var Targets = []string{Random, One, MinorityThird, Minority, Majority, All}

// Select returns the nodes spec names, in the cluster's order: a random
// non-empty subset (Random), one random node, ⌊(N-1)/3⌋ random nodes (none
// for N <= 3), a minority of majority-1 = ⌊N/2⌋, a majority of ⌊N/2⌋+1, or
// all of them.
func Select(spec string, nodes []string, rng *rand.Rand) []string {
	majority := len(nodes)/2 + 1
	var k int
	switch spec {
	case Random:
		k = 1 + rng.IntN(len(nodes))
	case One:
		k = 1
	case MinorityThird:
		k = (len(nodes) - 1) / 3
	case Minority:
		k = majority - 1
	case Majority:
		k = majority
	case All:
		return append([]string(nil), nodes...)
	default:
		panic("nemesis: unknown target spec " + spec)
	}
	chosen := map[string]bool{}
	for _, n := range shuffled(nodes, rng)[:k] {
		chosen[n] = true
	}
	var out []string
	for _, n := range nodes {
		if chosen[n] {
			out = append(out, n)
		}
	}
	return out
}

// Op is one act of the nemesis as its schedule draws it.
type Op struct {
	// At is when the op is due, from the start of the schedule.
	At time.Duration
	// F is the op's f: StartPartition, StopPartition, FKill, FStart,
	// FPause or FResume.
	F string
	// Spec is what the invocation names: the shape of a start-partition,
	// the target spec of a kill or a pause, All for a start or a resume,
	// and nothing for a stop-partition.
	Spec string
	// Nodes are the nodes a kill, pause, start or resume acts on.
	Nodes []string
	// Grudge is a start-partition's grudge.
	Grudge net.Grudge
}

// flipFlop is one fault's alternation: Jepsen's gen/flip-flop of the op that
// starts the fault and the op that ends it.
type flipFlop struct {
	fault string
	// on is true when the next op ends the fault.
	on bool
}

// stream is one staggered generator of Jepsen's combined nemesis: the
// partition package or the db package. Each has its own random source, so
// that its sequence does not depend on how the other's ops interleave with
// it in real time.
type stream struct {
	rng  *rand.Rand
	next time.Duration
	// modes are the flip-flops the stream mixes (gen/mix: each op picks
	// one uniformly, and each keeps its own alternation).
	modes []*flipFlop
}

// Schedule is the nemesis's plan, as Maelstrom's composes Jepsen's packages:
// the partition package (a start-partition/stop-partition flip-flop) and
// the db package (a mix of the kill/start and pause/resume flip-flops), each
// staggered on its own, merged by due time (gen/any). Schedule is pure:
// given the seed and the instants at which the nemesis asks for its next op,
// it draws the same ops.
type Schedule struct {
	nodes    []string
	interval time.Duration
	faults   map[string]bool
	streams  []*stream
}

// NewSchedule plans the faults (Partition, Kill, Pause; unknown names panic)
// over nodes, staggered by interval: each stream's first op is due at 0 and
// each later one U[0, 2 x interval) after the previous. It draws two seeds
// from rng whatever the faults, so that a partition stream is the same with
// or without kills beside it.
func NewSchedule(faults []string, nodes []string, interval time.Duration, rng *rand.Rand) *Schedule {
	s := &Schedule{nodes: nodes, interval: interval, faults: map[string]bool{}}
	for _, f := range faults {
		if f != Partition && f != Kill && f != Pause {
			panic("nemesis: unknown fault " + f)
		}
		s.faults[f] = true
	}
	partition := &stream{rng: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))}
	db := &stream{rng: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))}
	if s.faults[Partition] {
		partition.modes = []*flipFlop{{fault: Partition}}
		s.streams = append(s.streams, partition)
	}
	// Jepsen's db-generators list the pause mode before the kill mode.
	for _, f := range []string{Pause, Kill} {
		if s.faults[f] {
			db.modes = append(db.modes, &flipFlop{fault: f})
		}
	}
	if len(db.modes) > 0 {
		s.streams = append(s.streams, db)
	}
	return s
}

// Next returns the next op, given that the nemesis is free at now: the op of
// the stream due first (the partition stream on a tie), due at its
// staggered time or now, whichever is later, as Jepsen's gen/stagger emits
// a late op at once. ok is false when no fault is scheduled.
func (s *Schedule) Next(now time.Duration) (op Op, ok bool) {
	var best *stream
	for _, st := range s.streams {
		if best == nil || max(st.next, now) < max(best.next, now) {
			best = st
		}
	}
	if best == nil {
		return Op{}, false
	}
	at := max(best.next, now)
	mode := best.modes[0]
	if len(best.modes) > 1 {
		mode = best.modes[best.rng.IntN(len(best.modes))]
	}
	op = s.draw(mode, best.rng)
	op.At = at
	mode.on = !mode.on
	best.next = at + time.Duration(best.rng.Float64()*2*float64(s.interval))
	return op, true
}

// draw makes mode's next op, drawing its shape or targets from rng.
func (s *Schedule) draw(mode *flipFlop, rng *rand.Rand) Op {
	switch {
	case mode.fault == Partition && !mode.on:
		shape := Shapes[rng.IntN(len(Shapes))]
		return Op{F: StartPartition, Spec: shape, Grudge: Shape(shape, s.nodes, rng)}
	case mode.fault == Partition:
		return Op{F: StopPartition}
	case !mode.on:
		spec := Targets[rng.IntN(len(Targets))]
		f := FKill
		if mode.fault == Pause {
			f = FPause
		}
		return Op{F: f, Spec: spec, Nodes: Select(spec, s.nodes, rng)}
	case mode.fault == Kill:
		return Op{F: FStart, Spec: All, Nodes: append([]string(nil), s.nodes...)}
	case mode.fault == Pause:
		return Op{F: FResume, Spec: All, Nodes: append([]string(nil), s.nodes...)}
	}
	panic(fmt.Sprintf("nemesis: no op for %+v", *mode))
}

// Final returns the ops that end the run in a clean state, in Jepsen's
// order (the db package's final generator): resume every node if pauses
// were scheduled, then start every node if kills were. The heal of a
// partition is not among them: Maelstrom's lin-kv records none, and Run
// heals silently.
func (s *Schedule) Final() []Op {
	var ops []Op
	if s.faults[Pause] {
		ops = append(ops, Op{F: FResume, Spec: All, Nodes: append([]string(nil), s.nodes...)})
	}
	if s.faults[Kill] {
		ops = append(ops, Op{F: FStart, Spec: All, Nodes: append([]string(nil), s.nodes...)})
	}
	return ops
}
