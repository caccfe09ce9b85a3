package workload

import (
	"math/rand/v2"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// Doer runs one invocation synchronously; *Client is the real one.
type Doer interface {
	Do(inv Invocation) Completion
}

// RunConfig drives one workload run.
type RunConfig struct {
	// Generator chooses ops; Run owns it while it runs.
	Generator *Generator
	// Workers has one Doer per thread; thread t's is Workers[t].
	Workers []Doer
	// Rate is the total ops/s over all threads; 0 means no client ops.
	Rate float64
	// TimeLimit is how long after the first op new ops may be issued.
	TimeLimit time.Duration
	// Clock times the run; Rand draws the stagger and the thread choice.
	Clock clock.Clock
	Rand  *rand.Rand
	// History records invocations and completions.
	History *history.History
	// Stop, when closed, stops issuing ops early (a node crashed, the
	// harness was interrupted); outstanding ops are still awaited.
	Stop <-chan struct{}
}

type done struct {
	thread int
	typ    history.Type
}

// Run issues ops until the time limit (or Stop), then waits for every
// outstanding op to complete. The schedule is a Dispatcher's; Run only
// waits for it on the clock and hands each op to its thread's worker.
func Run(cfg RunConfig) {
	clk := cfg.Clock
	if cfg.Rate <= 0 {
		select {
		case <-clk.After(cfg.TimeLimit):
		case <-cfg.Stop:
		}
		return
	}
	c := len(cfg.Workers)
	work := make([]chan Invocation, c)
	finished := make(chan done, c)
	for t := range c {
		work[t] = make(chan Invocation, 1)
		go worker(cfg, t, work[t], finished)
	}
	defer func() {
		for _, w := range work {
			close(w)
		}
	}()
	d := NewDispatcher(cfg.Generator, c, cfg.Rate, cfg.Rand, clk.Now(), cfg.TimeLimit)
	collect := func(f done) { d.Complete(f.thread, f.typ) }
loop:
	for {
		for now := clk.Now(); now < d.Next(); now = clk.Now() {
			select {
			case <-clk.After(d.Next() - now):
			case f := <-finished:
				collect(f)
			case <-cfg.Stop:
				break loop
			}
		}
		for d.Free() == 0 {
			select {
			case f := <-finished:
				collect(f)
			case <-cfg.Stop:
				break loop
			}
		}
		now := clk.Now()
		if now >= d.Cutoff() {
			break
		}
		select {
		case <-cfg.Stop:
			break loop
		default:
		}
		inv := d.Issue(now)
		cfg.History.Append(inv.Invoke())
		work[inv.Thread] <- inv
	}
	for d.Busy() > 0 {
		collect(<-finished)
	}
}

func worker(cfg RunConfig, t int, work <-chan Invocation, finished chan<- done) {
	for inv := range work {
		comp := cfg.Workers[t].Do(inv)
		cfg.History.Append(comp.Op(inv))
		finished <- done{thread: t, typ: comp.Type}
	}
}
