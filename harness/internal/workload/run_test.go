package workload

import (
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// fakeDoer completes every op after a short sleep, as :info for writes.
type fakeDoer struct {
	mu    *sync.Mutex
	calls *int
}

func (d fakeDoer) Do(inv Invocation) Completion {
	time.Sleep(time.Millisecond)
	d.mu.Lock()
	*d.calls++
	d.mu.Unlock()
	if inv.F == "write" {
		return Completion{Type: history.Info, Value: inv.Value}
	}
	return Completion{Type: history.OK, Value: inv.Value}
}

func TestRunRespectsRateAndTimeLimit(t *testing.T) {
	clk := clock.NewReal()
	h := history.New(clk)
	var mu sync.Mutex
	calls := 0
	workers := make([]Doer, 4)
	for i := range workers {
		workers[i] = fakeDoer{&mu, &calls}
	}
	Run(RunConfig{Generator: gen(t, 2, 4, 0), Workers: workers, Rate: 200, TimeLimit: 500 * time.Millisecond,
		Clock: clk, Rand: rand.New(rand.NewPCG(5, 6)), History: h})
	ops := h.Ops()
	invokes := 0
	open := map[int]bool{}
	for _, op := range ops {
		if op.Type == history.Invoke {
			invokes++
			assert.False(t, open[op.Process], "one op at a time per process")
			open[op.Process] = true
		} else {
			assert.True(t, open[op.Process])
			delete(open, op.Process)
			if op.Type == history.Info {
				// The thread's next op uses a new process.
				for _, later := range ops[op.Index+1:] {
					assert.NotEqual(t, op.Process, later.Process)
				}
			}
		}
	}
	assert.Empty(t, open, "every op completed")
	assert.Equal(t, calls, invokes)
	assert.LessOrEqual(t, invokes, 150, "at most about rate x time limit")
	assert.GreaterOrEqual(t, invokes, 5)
}
