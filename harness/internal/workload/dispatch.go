package workload

import (
	"math/rand/v2"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// Dispatcher is the schedule of a workload run without the waiting: when the next op may be
// issued (the rate, with Jepsen's stagger), to which free thread, and what a completion does
// to the thread (an :info gives it a new process). It holds no clock and starts no goroutine,
// so the real-time Run and the virtual-time simulator (harness/sim) drive the same schedule:
// each asks Next and Free, waits in its own time until both allow an op, and calls Issue.
// It is not safe for concurrent use.
type Dispatcher struct {
	gen     *Generator
	rng     *rand.Rand
	free    []bool
	nfree   int
	meanGap float64
	next    time.Duration
	cutoff  time.Duration
}

// NewDispatcher returns the dispatcher of threads worker threads issuing rate ops/s in total
// (rate > 0), from start until start + timeLimit. gen chooses the ops; rng draws the stagger
// and the thread, in the order Run always drew them.
func NewDispatcher(gen *Generator, threads int, rate float64, rng *rand.Rand, start, timeLimit time.Duration) *Dispatcher {
	d := &Dispatcher{gen: gen, rng: rng, free: make([]bool, threads), nfree: threads,
		meanGap: float64(time.Second) / rate, next: start, cutoff: start + timeLimit}
	for t := range d.free {
		d.free[t] = true
	}
	return d
}

// Next is the earliest time the next op may be issued.
func (d *Dispatcher) Next() time.Duration { return d.next }

// Cutoff is the time from which no op is issued any more.
func (d *Dispatcher) Cutoff() time.Duration { return d.cutoff }

// Free is the number of threads with no op outstanding.
func (d *Dispatcher) Free() int { return d.nfree }

// Busy is the number of threads with an op outstanding.
func (d *Dispatcher) Busy() int { return len(d.free) - d.nfree }

// Issue chooses a free thread uniformly, takes its next op from the generator and marks it
// busy; the next op may then go after Jepsen's stagger, a gap drawn uniformly from
// [0, 2/rate). The caller must have waited until Next, with a thread free, before Cutoff.
func (d *Dispatcher) Issue(now time.Duration) Invocation {
	if d.nfree == 0 || now < d.next || now >= d.cutoff {
		panic("workload: Issue with no thread free, before Next or after Cutoff")
	}
	k := d.rng.IntN(d.nfree)
	t := 0
	for ; ; t++ {
		if d.free[t] {
			if k == 0 {
				break
			}
			k--
		}
	}
	inv := d.gen.Next(t)
	d.free[t] = false
	d.nfree--
	d.next = now + time.Duration(d.rng.Float64()*2*d.meanGap)
	return inv
}

// Complete frees thread t after its op ended with typ; after an :info the thread's next op
// belongs to a new process, as a crashed Jepsen worker's would.
func (d *Dispatcher) Complete(t int, typ history.Type) {
	if d.free[t] {
		panic("workload: Complete of a thread with no op outstanding")
	}
	d.free[t] = true
	d.nfree++
	if typ == history.Info {
		d.gen.Crash(t)
	}
}
