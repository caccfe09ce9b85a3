package sim

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/report"
)

// This file is the simulated world: virtual time, the network between the nodes and the
// faults. The rest of the package sees it only through the network type's methods (at, atNode,
// send, run, and the counters), so that it can be replaced by another virtual-time network
// without touching the nodes, the clients or the oracle.

// netConfig is what the network needs of a Config.
type netConfig struct {
	nodes int
	// meanLatency of node-to-node messages, drawn uniformly in whole milliseconds from
	// [0, 2 x mean]; one message in 50 gets ten times that (reordering).
	meanLatency time.Duration
	// loss and duplicate are per-message probabilities while faults are on.
	loss, duplicate float64
	// partitions and pauses turn those faults on; cut is a fixed partition (to drops from's
	// messages when cut(from, to)) while faults are on.
	partitions, pauses bool
	cut                func(from, to int) bool
	// faultsEnd is when every fault heals for good.
	faultsEnd time.Duration
}

// event is something due at a virtual instant: a line reaching a node (line set), or a
// callback. An event with a node waits while that node is paused.
type event struct {
	at   time.Duration
	seq  uint64
	node int // -1: not at a node
	from int // the sending node of a line
	line []byte
	fn   func()
}

type eventQueue []*event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(*event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// network is the virtual-time scheduler and the simulated network between the nodes. A
// partition drops a message when it would be delivered, as Maelstrom does; a paused node
// handles nothing, and on resume sees the time that passed before anything else, like a
// process after SIGCONT.
type network struct {
	cfg     netConfig
	rng     *rand.Rand
	clock   *clock.Manual
	deliver func(to int, line []byte)
	now     time.Duration
	seq     uint64
	queue   eventQueue
	paused  []time.Duration // paused until
	grudge  [][]bool        // grudge[to][from]: drop from -> to
	faulty  bool

	// sent, received and dropped count node-to-node messages: sends, deliveries (a
	// duplicate is delivered twice) and drops by a partition; loss is neither.
	sent, received, dropped int64
	// faults are the partitions and pauses, for the plots.
	faults []report.Interval
}

// newNetwork returns the network of cfg.nodes nodes at time 0. It keeps clk at its own
// virtual time, and hands every line that arrives at a node to deliver.
func newNetwork(cfg netConfig, rng *rand.Rand, clk *clock.Manual, deliver func(to int, line []byte)) *network {
	n := &network{cfg: cfg, rng: rng, clock: clk, deliver: deliver, faulty: true,
		paused: make([]time.Duration, cfg.nodes), grudge: make([][]bool, cfg.nodes)}
	for to := range n.grudge {
		n.grudge[to] = make([]bool, cfg.nodes)
		for from := range cfg.nodes {
			n.grudge[to][from] = cfg.cut != nil && from != to && cfg.cut(from, to)
		}
	}
	if cfg.cut != nil {
		n.faults = append(n.faults, report.Interval{Start: 0, End: -1, Label: "cut"})
	}
	if cfg.partitions || cfg.pauses {
		n.at(0, n.nemesis)
	}
	return n
}

// at schedules fn at virtual time t.
func (n *network) at(t time.Duration, fn func()) { n.push(&event{at: t, node: -1, fn: fn}) }

// atNode schedules fn at node at virtual time t, or when the node resumes if it is paused.
func (n *network) atNode(t time.Duration, node int, fn func()) {
	n.push(&event{at: t, node: node, fn: fn})
}

// send carries a line from node from to node to: lost, duplicated, delayed.
func (n *network) send(from, to int, line []byte) {
	n.sent++
	copies := 1
	if n.faulty && n.rng.Float64() < n.cfg.loss {
		copies = 0
	} else if n.faulty && n.rng.Float64() < n.cfg.duplicate {
		copies = 2
	}
	for range copies {
		n.push(&event{at: n.now + n.latency(), node: to, from: from, line: line})
	}
}

// run handles events in time order until none is left or the next is after end.
func (n *network) run(end time.Duration) {
	for n.queue.Len() > 0 {
		e := heap.Pop(&n.queue).(*event)
		if e.at > end {
			return
		}
		if e.at > n.now {
			n.clock.Advance(e.at - n.now)
			n.now = e.at
		}
		if n.faulty && n.now >= n.cfg.faultsEnd {
			n.heal()
		}
		n.step(e)
	}
}

func (n *network) step(e *event) {
	if e.node >= 0 {
		if until := n.paused[e.node]; n.now < until {
			e.at = until
			n.push(e)
			return
		}
	}
	if e.line == nil {
		e.fn()
		return
	}
	if n.grudge[e.node][e.from] {
		n.dropped++
		return
	}
	n.received++
	n.deliver(e.node, e.line)
}

func (n *network) push(e *event) {
	n.seq++
	e.seq = n.seq
	heap.Push(&n.queue, e)
}

func (n *network) latency() time.Duration {
	ms := n.rng.Int64N(2*int64(n.cfg.meanLatency/time.Millisecond) + 1)
	if n.rng.IntN(50) == 0 {
		ms *= 10
	}
	return time.Duration(ms) * time.Millisecond
}

// nemesis changes the faults (heal, partition, or pause a node), then comes back.
func (n *network) nemesis() {
	if !n.faulty {
		return
	}
	nodes := n.cfg.nodes
	switch r := n.rng.IntN(6); {
	case r == 0 || (!n.cfg.partitions && !n.cfg.pauses):
		n.partition("")
	case n.cfg.pauses && (r == 1 || !n.cfg.partitions):
		node := n.rng.IntN(nodes)
		n.paused[node] = n.now + time.Duration(10+n.rng.IntN(800))*time.Millisecond
		n.faults = append(n.faults, report.Interval{Start: n.now, End: n.paused[node], Label: fmt.Sprintf("pause n%d", node)})
	case r == 2: // isolate one node
		x := n.rng.IntN(nodes)
		n.partition(fmt.Sprintf("isolate n%d", x))
		for y := range nodes {
			if y != x {
				n.grudge[x][y], n.grudge[y][x] = true, true
			}
		}
	case r == 3: // a random majority/minority split
		n.partition("majority")
		perm := n.rng.Perm(nodes)
		for _, a := range perm[:nodes/2] {
			for _, b := range perm[nodes/2:] {
				n.grudge[a][b], n.grudge[b][a] = true, true
			}
		}
	default: // random one-directional links
		n.partition("one-way links")
		for a := range nodes {
			for b := range nodes {
				if a != b && n.rng.IntN(3) == 0 {
					n.grudge[a][b] = true
				}
			}
		}
	}
	n.at(n.now+time.Duration(50+n.rng.IntN(350))*time.Millisecond, n.nemesis)
}

// partition heals every link and, unless label is empty, opens the interval of a new
// partition that the caller then sets up.
func (n *network) partition(label string) {
	for _, row := range n.grudge {
		clear(row)
	}
	for i := range n.faults {
		if n.faults[i].End < 0 {
			n.faults[i].End = n.now
		}
	}
	if label != "" {
		n.faults = append(n.faults, report.Interval{Start: n.now, End: -1, Label: label})
	}
}

// heal ends every fault for good: no more partitions, pauses, loss or duplication.
func (n *network) heal() {
	n.faulty = false
	n.partition("")
}
