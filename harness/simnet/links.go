package simnet

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// links is the state of every directed link: whether a partition blocks it, its latency
// factor (asymmetry), and its flapping schedule. Index [from*n+to].
type links struct {
	n       int
	blocked []bool
	factor  []float64 // nil when no link is scaled
	flaps   []flap    // nil when no link flaps
	// asymmetry and flap are the fault parameters factor and flaps were drawn for.
	asymmetry float64
	flap      Flap
}

// flap is one link's up-and-down schedule: down for the first down milliseconds of every
// period, shifted by phase. A zero period never goes down.
type flap struct {
	period, down, phase int64
}

// sync draws the per-link asymmetry factors and flapping schedules f asks for, when they
// differ from what was drawn before: a feature switched on gets fresh draws, one switched
// off stops. It draws nothing for a feature that is off or unchanged.
func (l *links) sync(f Faults, r *rand.Rand) {
	if f.Asymmetry != l.asymmetry {
		l.asymmetry, l.factor = f.Asymmetry, nil
		if f.Asymmetry > 1 {
			l.factor = make([]float64, l.n*l.n)
			for i := range l.factor {
				l.factor[i] = 1 + r.Float64()*(f.Asymmetry-1)
			}
		}
	}
	if f.Flap != l.flap {
		l.flap, l.flaps = f.Flap, nil
		if fl := f.Flap; fl.Links > 0 && fl.MaxPeriod > 0 {
			l.flaps = make([]flap, l.n*l.n)
			for from := range l.n {
				for to := range l.n {
					if from == to || r.Float64() >= fl.Links {
						continue
					}
					p := between(r, max(fl.MinPeriod, 2), max(fl.MaxPeriod, 2))
					l.flaps[from*l.n+to] = flap{period: p, down: max(1, int64(fl.Down*float64(p))), phase: r.Int64N(p)}
				}
			}
		}
	}
}

// scale applies the link's asymmetry factor to a delay.
func (l *links) scale(from, to int32, d int64) int64 {
	if l.factor == nil || d == 0 {
		return d
	}
	return int64(float64(d) * l.factor[int(from)*l.n+int(to)])
}

// down reports whether the link drops what comes due on it at time now.
func (l *links) down(from, to int32, now int64) bool {
	i := int(from)*l.n + int(to)
	if l.blocked[i] {
		return true
	}
	if l.flaps == nil {
		return false
	}
	fl := l.flaps[i]
	return fl.period > 0 && (now+fl.phase)%fl.period < fl.down
}

// Block drops every message from one node to another when it comes due, until Unblock or
// Heal: a one-way cut, as Maelstrom's grudges are.
func (n *Network[M]) Block(from, to string) {
	n.links.blocked[int(n.idx(from))*n.links.n+int(n.idx(to))] = true
}

// Unblock lets messages from one node to another through again.
func (n *Network[M]) Unblock(from, to string) {
	n.links.blocked[int(n.idx(from))*n.links.n+int(n.idx(to))] = false
}

// Blocked reports whether a partition blocks the link from one node to another (a flapping
// link that happens to be down is not blocked).
func (n *Network[M]) Blocked(from, to string) bool {
	return n.links.blocked[int(n.idx(from))*n.links.n+int(n.idx(to))]
}

// Cut blocks both directions between a and b.
func (n *Network[M]) Cut(a, b string) { n.Block(a, b); n.Block(b, a) }

// Isolate cuts a node off from every other.
func (n *Network[M]) Isolate(id string) {
	for _, o := range n.ids {
		if o != id {
			n.Cut(id, o)
		}
	}
}

// Heal removes every partition. Flapping links keep flapping.
func (n *Network[M]) Heal() { clear(n.links.blocked) }

// Partitioned reports whether a partition blocks any link.
func (n *Network[M]) Partitioned() bool { return slices.Contains(n.links.blocked, true) }

// Partition describes the blocked links, for example "n0->n1 n1->n0", or "none".
func (n *Network[M]) Partition() string {
	var b strings.Builder
	for i, blocked := range n.links.blocked {
		if blocked {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%s->%s", n.ids[i/n.links.n], n.ids[i%n.links.n])
		}
	}
	if b.Len() == 0 {
		return "none"
	}
	return b.String()
}

// LinkFactor is the asymmetry factor of the link from one node to another (1 when the
// fault model has no asymmetry).
func (n *Network[M]) LinkFactor(from, to string) float64 {
	if n.links.factor == nil {
		return 1
	}
	return n.links.factor[int(n.idx(from))*n.links.n+int(n.idx(to))]
}
