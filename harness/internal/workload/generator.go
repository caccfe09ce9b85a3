package workload

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
)

// ProcessLimit is the number of distinct processes a key may serve before it
// is retired (Jepsen's process-limit 20).
const ProcessLimit = 20

// ErrConcurrency is returned when the concurrency is not a positive multiple
// of twice the node count.
var ErrConcurrency = errors.New("workload: concurrency must be a positive multiple of 2 x node count")

// Invocation is one op chosen by the generator.
type Invocation struct {
	// Thread is the worker thread that runs it; Process its current process.
	Thread, Process int
	// F is read, write or cas.
	F string
	// Key is the register's key.
	Key int64
	// Value is null for a read, v for a write and [from, to] for a cas.
	Value json.RawMessage
}

// NodeFor is the node worker thread t is bound to for the whole run:
// nodes[t mod N], so with concurrency 2N node i gets reader thread i and
// writer thread N+i.
func NodeFor(t int, nodes []string) string { return nodes[t%len(nodes)] }

// keyState is what one group knows about the key it is working on.
type keyState struct {
	key   int64
	procs map[int]bool
	ops   int
}

// Generator chooses the next op for a thread. It is not safe for concurrent
// use: the dispatcher owns it.
type Generator struct {
	nodes, concurrency int
	perKeyLimit        int
	rng                *rand.Rand
	nextKey            int64
	groups             []keyState
	process            []int
}

// NewGenerator returns the generator for n nodes and c worker threads.
// perKeyLimit, if positive, also retires a key after that many ops (the
// opt-in --per-key-limit); Maelstrom itself sets no such limit.
func NewGenerator(n, c, perKeyLimit int, rng *rand.Rand) (*Generator, error) {
	if n <= 0 || c <= 0 || c%(2*n) != 0 {
		return nil, fmt.Errorf("%w (nodes %d, concurrency %d)", ErrConcurrency, n, c)
	}
	g := &Generator{nodes: n, concurrency: c, perKeyLimit: perKeyLimit, rng: rng}
	for i := 0; i < c/(2*n); i++ {
		g.groups = append(g.groups, keyState{key: g.nextKey, procs: map[int]bool{}})
		g.nextKey++
	}
	for t := 0; t < c; t++ {
		g.process = append(g.process, t)
	}
	return g, nil
}

// Process is thread t's current process.
func (g *Generator) Process(t int) int { return g.process[t] }

// Crash gives thread t a new process after an :info completion.
func (g *Generator) Crash(t int) { g.process[t] += g.concurrency }

// Key is the key thread t's group currently works on.
func (g *Generator) Key(t int) int64 { return g.groups[t/(2*g.nodes)].key }

// Next chooses thread t's next op: its group's key (retired first if its
// process budget or op budget is spent), read for threads below N, and
// otherwise write or cas in proportion 1:2.
func (g *Generator) Next(t int) Invocation {
	grp := &g.groups[t/(2*g.nodes)]
	p := g.process[t]
	if (!grp.procs[p] && len(grp.procs) >= ProcessLimit) ||
		(g.perKeyLimit > 0 && grp.ops >= g.perKeyLimit) {
		*grp = keyState{key: g.nextKey, procs: map[int]bool{}}
		g.nextKey++
	}
	grp.procs[p] = true
	grp.ops++
	inv := Invocation{Thread: t, Process: p, Key: grp.key}
	switch {
	case t < g.nodes:
		inv.F, inv.Value = "read", json.RawMessage("null")
	case g.rng.IntN(3) == 0:
		inv.F, inv.Value = "write", json.RawMessage(strconv.Itoa(g.rng.IntN(5)))
	default:
		a, b := g.rng.IntN(5), g.rng.IntN(5)
		inv.F, inv.Value = "cas", json.RawMessage("["+strconv.Itoa(a)+","+strconv.Itoa(b)+"]")
	}
	return inv
}
