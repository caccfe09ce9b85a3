package simnet

import (
	"fmt"
	"math/rand/v2"
)

// Envelope is one message in the network.
type Envelope[M any] struct {
	// From and To are the sender's and the receiver's ids.
	From, To string
	// Msg is the message itself; a Filter may rewrite it.
	Msg M
	// Sent is when the message was sent and At when it is due, in virtual milliseconds.
	Sent, At int64

	seq, tie uint64
	from, to int32
	// judged is set on a message the Filter held and a test released: it has had its loss
	// draw and its verdict, and only the partition is checked again when it arrives.
	judged bool
}

// Verdict is what a Filter decides for a message that arrives.
type Verdict uint8

// The verdicts.
const (
	// Pass delivers the message (as the filter may have rewritten it).
	Pass Verdict = iota
	// Drop loses it.
	Drop
	// Hold keeps it aside until Release hands it back to the network.
	Hold
)

// Fate is what became of a message that came due, as Observe and Stats report it.
type Fate uint8

// The fates.
const (
	// Delivered: handed to the receiver.
	Delivered Fate = iota
	// Cut: dropped by a partition or a link that was down when it came due.
	Cut
	// Lost: dropped at random (Faults.Loss).
	Lost
	// Filtered: dropped by the Filter.
	Filtered
	// Held: kept aside by the Filter.
	Held
	// Waiting: its receiver is paused; it is delivered when the receiver resumes.
	Waiting
	// Dead: its receiver was down (crashed, not yet restarted), or crashed while it waited.
	Dead
	fates
)

var fateNames = [...]string{"delivered", "cut", "lost", "filtered", "held", "waiting", "dead"}

// String names the fate.
func (f Fate) String() string { return name(fateNames[:], int(f), "fate") }

// Stats counts what the network did.
type Stats struct {
	// Sent counts queued messages, duplicates included; Duplicated counts the duplicates.
	Sent, Duplicated int
	// Fates counts messages by what became of them when they came due.
	Fates [fates]int
}

// node is the network's view of one node: whether it is paused, and what waits for it.
type node[M any] struct {
	paused      bool
	pausedUntil int64
	missed      int64
	backlog     []Envelope[M]
	down        bool
	downUntil   int64
}

// Network is a virtual-time network of named nodes that carries messages of type M.
//
// Time advances only through Step, one millisecond at a time. Every message gets a due time
// when it is sent (the latency model, holds, the link's asymmetry factor); when it comes due,
// a partition or a down link drops it, then random loss, then the Filter; a message for a
// paused node waits for it to resume. The zero Faults is a perfect network with no delay.
//
// A Network is not safe for concurrent use, and it draws randomness only from the *rand.Rand
// it was given, so a seed fixes everything it does.
type Network[M any] struct {
	// Faults is the fault model. It may be changed between steps, for example to stop the
	// faults and let a cluster recover. The per-link draws (asymmetry factors, flapping
	// schedules) are made when those fields first take their values and kept while they
	// keep them.
	Faults Faults
	// Deliver hands a message to its receiver. It must be set before anything is delivered.
	Deliver func(e *Envelope[M])
	// Tick, if set, is how Step gives a node one millisecond of its time. A paused node gets
	// none until it resumes; then it gets every millisecond it missed before anything else,
	// as a process resumed after SIGSTOP must measure the time it lost before acting on it.
	Tick func(id string)
	// Filter, if set, judges every message that comes due and is not cut or lost: tests
	// rewrite messages through it, drop them, or hold them to release later by hand.
	Filter func(e *Envelope[M]) Verdict
	// Observe, if set, sees the fate of every message that comes due.
	Observe func(e *Envelope[M], f Fate)
	// HoldBias, if set, multiplies the chance Faults.Hold gives one message (the product is
	// capped at 1): an adversary that knows the protocol holds the messages that matter,
	// say vote requests and their answers, far more often than the rest.
	HoldBias func(m M) float64
	// Leader, if set, names the node the cluster believes leads ("" when none), so that
	// faults can aim at it (Pauses.Leader).
	Leader func() string
	// Crashed and Restarted, which crashes need, tell the caller that a node's process died
	// (it loses what it had in memory and what its disk had not synced) and that a new one
	// starts in its place. While a node is down it receives nothing and gets no ticks.
	Crashed, Restarted func(id string)
	// Logf, if set, receives one line per fault the network applies (partitions, pauses,
	// resumes), for failure reports.
	Logf func(format string, args ...any)

	rnd   *rand.Rand
	ids   []string
	index map[string]int32
	now   int64
	seq   uint64
	queue queue[M]
	held  []Envelope[M]
	nodes []node[M]
	links links
	stats Stats
	// nextPartition, nextPause and nextCrash are when the nemesis acts next
	// (Faults.Partitions, Faults.Pauses and Faults.Crashes); zero before it has scheduled
	// anything.
	nextPartition, nextPause, nextCrash int64
}

// New returns a network between the given node ids at time 0. Every random draw it ever
// makes comes from rnd.
func New[M any](ids []string, rnd *rand.Rand, f Faults) *Network[M] {
	n := &Network[M]{Faults: f, rnd: rnd, ids: append([]string(nil), ids...),
		index: make(map[string]int32, len(ids)), nodes: make([]node[M], len(ids))}
	for i, id := range ids {
		if _, dup := n.index[id]; dup {
			panic("simnet: node id given twice: " + id)
		}
		n.index[id] = int32(i)
	}
	n.links = links{n: len(ids), blocked: make([]bool, len(ids)*len(ids))}
	n.links.sync(f, rnd)
	return n
}

// Now is the current virtual time in milliseconds.
func (n *Network[M]) Now() int64 { return n.now }

// IDs returns the node ids, in the order New got them.
func (n *Network[M]) IDs() []string { return n.ids }

// Len is the number of messages in flight, due or not (held and waiting ones excluded).
func (n *Network[M]) Len() int { return n.queue.len() }

// Stats returns the counters.
func (n *Network[M]) Stats() Stats { return n.stats }

func (n *Network[M]) idx(id string) int32 {
	i, ok := n.index[id]
	if !ok {
		panic(fmt.Sprintf("simnet: unknown node %q", id))
	}
	return i
}

func (n *Network[M]) logf(format string, args ...any) {
	if n.Logf != nil {
		n.Logf(format, args...)
	}
}

// Send queues m from one node to another with a delay drawn from the fault model: the
// latency, a possible hold, the link's asymmetry factor; with probability Faults.Dup a second
// copy follows with a delay of its own.
func (n *Network[M]) Send(from, to string, m M) {
	f, t := n.idx(from), n.idx(to)
	n.links.sync(n.Faults, n.rnd)
	n.push(f, t, m, n.delay(f, t, m))
	if n.Faults.Dup > 0 && n.rnd.Float64() < n.Faults.Dup {
		n.stats.Duplicated++
		n.push(f, t, m, n.delay(f, t, m))
	}
}

// Enqueue queues one copy of m due after exactly delay milliseconds, bypassing the latency
// model: tests use it to settle a cluster without time passing, or to put back messages they
// took by hand. Partitions, loss and the Filter still apply when it comes due.
func (n *Network[M]) Enqueue(from, to string, m M, delay int64) {
	n.push(n.idx(from), n.idx(to), m, max(delay, 0))
}

func (n *Network[M]) delay(from, to int32, m M) int64 {
	hold := n.Faults.Hold
	if hold.On() && n.HoldBias != nil {
		hold.P = min(1, hold.P*n.HoldBias(m))
	}
	d := n.Faults.Latency.Draw(n.rnd) + hold.draw(n.rnd)
	return n.links.scale(from, to, d)
}

func (n *Network[M]) push(from, to int32, m M, delay int64) {
	n.seq++
	n.stats.Sent++
	e := Envelope[M]{From: n.ids[from], To: n.ids[to], Msg: m, Sent: n.now, At: n.now + delay,
		seq: n.seq, from: from, to: to}
	if n.Faults.Shuffle {
		e.tie = n.rnd.Uint64()
	}
	n.queue.push(&e)
}

// Step advances time by one millisecond: the nemesis applies the partitions and pauses the
// fault model schedules, every message now due arrives, and every node that is not paused
// ticks (a node whose pause ends first ticks for the time it missed, then receives what
// waited for it, then ticks).
func (n *Network[M]) Step() {
	n.now++
	n.links.sync(n.Faults, n.rnd)
	n.nemesis()
	for n.queue.len() > 0 && n.queue.next() <= n.now {
		n.arriveNext()
	}
	for i := range n.nodes {
		nd := &n.nodes[i]
		if nd.down {
			if n.now < nd.downUntil {
				continue
			}
			n.restart(i)
		}
		if nd.paused {
			if n.now < nd.pausedUntil {
				nd.missed++
				continue
			}
			n.resume(i)
		}
		if n.Tick != nil {
			n.Tick(n.ids[i])
		}
	}
}

// DeliverAll delivers every message in flight in due order, without time passing, until
// none is left (messages sent meanwhile included); it returns how many reached their
// receivers. Scenario tests use it to settle a cluster at one instant.
func (n *Network[M]) DeliverAll() int {
	delivered := n.stats.Fates[Delivered]
	n.links.sync(n.Faults, n.rnd)
	for n.queue.len() > 0 {
		n.arriveNext()
	}
	return n.stats.Fates[Delivered] - delivered
}

// arriveNext takes the earliest message out of flight and decides its fate. The envelope
// stays in its slot until then, so no copy of the message is made.
func (n *Network[M]) arriveNext() {
	slot := n.queue.pop()
	n.arrive(n.queue.at(slot))
	n.queue.free(slot)
}

// arrive decides the fate of a message that came due: the partition is checked now, when it
// is dequeued, as Maelstrom does (a message sent before a cut and due during it is lost; one
// sent during a cut and due after the heal arrives).
func (n *Network[M]) arrive(e *Envelope[M]) {
	switch {
	case n.links.down(e.from, e.to, n.now):
		n.fate(e, Cut)
		return
	case !e.judged && n.Faults.Loss > 0 && n.rnd.Float64() < n.Faults.Loss:
		n.fate(e, Lost)
		return
	case !e.judged && n.Filter != nil:
		switch n.Filter(e) {
		case Drop:
			n.fate(e, Filtered)
			return
		case Hold:
			n.fate(e, Held)
			e.judged = true
			n.held = append(n.held, *e)
			return
		}
	}
	if nd := &n.nodes[e.to]; nd.down {
		n.fate(e, Dead)
		return
	} else if nd.paused {
		n.fate(e, Waiting)
		nd.backlog = append(nd.backlog, *e)
		return
	}
	n.fate(e, Delivered)
	n.Deliver(e)
}

func (n *Network[M]) fate(e *Envelope[M], f Fate) {
	n.stats.Fates[f]++
	if n.Observe != nil {
		n.Observe(e, f)
	}
}

// Held returns the messages the Filter holds, oldest first. The slice is the network's.
func (n *Network[M]) Held() []Envelope[M] { return n.held }

// Release puts the held messages that match (all when match is nil) back in flight, due at
// once, in the order they were held; it returns how many. A released message is not judged
// again by the loss draw or the Filter, but a partition still drops it when it comes due.
func (n *Network[M]) Release(match func(e *Envelope[M]) bool) int {
	kept := n.held[:0]
	released := 0
	for i := range n.held {
		e := n.held[i]
		if match != nil && !match(&e) {
			kept = append(kept, e)
			continue
		}
		n.seq++
		e.At, e.seq = n.now, n.seq
		n.queue.push(&e)
		released++
	}
	clear(n.held[len(kept):])
	n.held = kept
	return released
}

// Discard removes the in-flight messages that match (all when match is nil), as if the
// network had lost them; it returns how many.
func (n *Network[M]) Discard(match func(e *Envelope[M]) bool) int {
	if match == nil {
		match = func(*Envelope[M]) bool { return true }
	}
	return n.queue.filter(func(e *Envelope[M]) bool { return !match(e) })
}

// InFlight calls f on every message in flight, in no particular order; f may rewrite the
// message but not its endpoints or due time.
func (n *Network[M]) InFlight(f func(e *Envelope[M])) { n.queue.each(f) }

// Pause stops a node for d milliseconds, as SIGSTOP or a long garbage-collection pause would:
// it receives nothing (its messages wait) and Step gives it no ticks until it resumes.
// Pausing a paused or down node does nothing.
func (n *Network[M]) Pause(id string, d int64) {
	nd := &n.nodes[n.idx(id)]
	if nd.paused || nd.down {
		return
	}
	nd.paused, nd.pausedUntil, nd.missed = true, n.now+d, 0
	n.logf("%s paused for %dms", id, d)
}

// Crash kills a node for d milliseconds, as SIGKILL and a restart would: the Crashed callback
// tells the caller, the messages that waited for it (if it was paused) are lost, and until it
// restarts it receives nothing (its messages are Dead) and gets no ticks. Then the Restarted
// callback starts it again. Crashing a node that is down does nothing.
func (n *Network[M]) Crash(id string, d int64) {
	i := n.idx(id)
	nd := &n.nodes[i]
	if nd.down {
		return
	}
	if n.Crashed == nil || n.Restarted == nil {
		panic("simnet: a crash needs the Crashed and Restarted callbacks")
	}
	for j := range nd.backlog {
		n.fate(&nd.backlog[j], Dead)
	}
	nd.paused, nd.missed, nd.backlog = false, 0, nil
	nd.down, nd.downUntil = true, n.now+d
	n.logf("%s crashed for %dms", id, d)
	n.Crashed(id)
}

// Down reports whether a node is down (crashed and not yet restarted).
func (n *Network[M]) Down(id string) bool { return n.nodes[n.idx(id)].down }

// restart starts node i again after a crash.
func (n *Network[M]) restart(i int) {
	n.nodes[i].down = false
	n.logf("%s restarted", n.ids[i])
	n.Restarted(n.ids[i])
}

// Paused reports whether a node is paused.
func (n *Network[M]) Paused(id string) bool { return n.nodes[n.idx(id)].paused }

// resume ends node i's pause: it ticks for every millisecond it missed, then receives the
// messages that waited for it, in the order they arrived.
func (n *Network[M]) resume(i int) {
	nd := &n.nodes[i]
	if n.Tick != nil {
		for range nd.missed {
			n.Tick(n.ids[i])
		}
	}
	backlog := nd.backlog
	nd.paused, nd.missed, nd.backlog = false, 0, nil
	n.logf("%s resumed", n.ids[i])
	for j := range backlog {
		n.fate(&backlog[j], Delivered)
		n.Deliver(&backlog[j])
	}
}
