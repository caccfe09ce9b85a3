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
	info   bool
}

// Run issues ops until the time limit (or Stop), then waits for every
// outstanding op to complete.
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
	free := make([]bool, c)
	for t := range free {
		free[t] = true
	}
	nfree := c
	collect := func(d done) {
		free[d.thread] = true
		nfree++
		if d.info {
			cfg.Generator.Crash(d.thread)
		}
	}
	cutoff := clk.Now() + cfg.TimeLimit
	next := clk.Now()
	meanGap := float64(time.Second) / cfg.Rate
loop:
	for {
		for now := clk.Now(); now < next; now = clk.Now() {
			select {
			case <-clk.After(next - now):
			case d := <-finished:
				collect(d)
			case <-cfg.Stop:
				break loop
			}
		}
		for nfree == 0 {
			select {
			case d := <-finished:
				collect(d)
			case <-cfg.Stop:
				break loop
			}
		}
		if clk.Now() >= cutoff {
			break
		}
		select {
		case <-cfg.Stop:
			break loop
		default:
		}
		k := cfg.Rand.IntN(nfree)
		t := 0
		for ; ; t++ {
			if free[t] {
				if k == 0 {
					break
				}
				k--
			}
		}
		inv := cfg.Generator.Next(t)
		free[t] = false
		nfree--
		cfg.History.Append(history.Op{Type: history.Invoke, F: inv.F, Process: inv.Process, Key: inv.Key, Value: readInvokeValue(inv)})
		work[t] <- inv
		next = clk.Now() + time.Duration(cfg.Rand.Float64()*2*meanGap)
	}
	for nfree < c {
		collect(<-finished)
	}
}

func readInvokeValue(inv Invocation) []byte {
	if inv.F == "read" {
		return []byte("null")
	}
	return inv.Value
}

func worker(cfg RunConfig, t int, work <-chan Invocation, finished chan<- done) {
	for inv := range work {
		comp := cfg.Workers[t].Do(inv)
		value := comp.Value
		if inv.F == "read" && comp.Type != history.OK {
			value = []byte("null")
		}
		cfg.History.Append(history.Op{
			Type: comp.Type, F: inv.F, Process: inv.Process, Key: inv.Key,
			Value: value, Error: comp.Error, Exception: comp.Exception, Witness: comp.Witness,
		})
		finished <- done{thread: t, info: comp.Type == history.Info}
	}
}
