package kvserver

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// Defaults of [Config].
const (
	// DefaultCompactEvery is how many applied entries pass between snapshots.
	DefaultCompactEvery = 4096
	// DefaultMaxHops bounds how often a client request is forwarded before a node gives up.
	DefaultMaxHops = 3
	// DefaultParkFor is how long a request waits for a leader to be elected.
	DefaultParkFor = 400 * time.Millisecond
	// DefaultMaxParked bounds the requests waiting for a leader.
	DefaultMaxParked = 4096
	// DefaultRetryFor is how long a request handed to a leader stays eligible to be handed to
	// the next one: Maelstrom's client timeout at its default latencies (max(10 x latency, 1 s)).
	DefaultRetryFor = clientPatience
	// tick is the core's unit of time.
	tick = time.Millisecond
	// maxCatchUp bounds the ticks replayed at once after a pause; every timer of either core
	// is far shorter, so the core is in the same state as if it got them all.
	maxCatchUp = time.Minute
	// pendingTTL is how long an unanswered request is remembered. Maelstrom's clients give
	// up long before (after max(10 x latency, 1 s)).
	pendingTTL = 60 * time.Second
)

// Config builds a [Server]. Every number follows one rule: zero means the default named on
// the field, and a negative value turns the mechanism off (a limit: no limit), or, where off
// means nothing, is refused.
type Config[M consensus.Message] struct {
	// Kind is the body type of peer messages ("raft", "paxos").
	Kind string
	// NewCore builds the core once init names the node and its peers. rec is what the node's
	// storage held at init, nil for a node without storage or with none saved yet.
	NewCore func(init nodes.Init, rec *consensus.Recovered) consensus.Core[M]
	// Storage, when set, opens the node's stable storage at init and reads back what it
	// holds; nil runs the node memory-only. See [Storage].
	Storage OpenStorage
	// CompactEvery is how many applied entries pass between snapshots (DefaultCompactEvery;
	// negative: no snapshots).
	CompactEvery int
	// MaxHops bounds forwarding chains (DefaultMaxHops; negative is refused, since without a
	// bound stale beliefs about the leader could pass a request round forever).
	MaxHops int
	// ParkFor is how long a request waits for a leader to be known before it fails
	// (DefaultParkFor: well inside Maelstrom's 1 s client timeout, and longer than a typical
	// election; negative: it fails at the end of the loop turn that parked it). MaxParked bounds the waiting requests
	// (DefaultMaxParked; negative: no limit).
	ParkFor   time.Duration
	MaxParked int
	// RetryFor is how long this node remembers the requests it handed to a leader (forwarded
	// or proposed) to hand them again to the next leader it learns of, unless it has applied
	// them by then (DefaultRetryFor; negative: never).
	RetryFor time.Duration
	// DeafAfter and RelayFor shape relaying around one-way links (relay.go): a node names the
	// peers that have left what it sent them unanswered for DeafAfter, and a peer so told
	// sends it copies of its messages by way of the others for RelayFor after the last notice
	// (DefaultDeafAfter and DefaultRelayFor; a negative value of either turns relaying off
	// at this node, both ways).
	DeafAfter, RelayFor time.Duration
	// BatchDelay and BatchRate shape batching under load (see batchQueue): while more than
	// BatchRate requests per second arrive at this node's proposals (or its forwards), they
	// leave at most once per BatchDelay, so many requests share one append and one forward
	// (DefaultBatchDelay, DefaultBatchRate; a negative value of either turns the lingering
	// off, leaving only what one burst of input batches).
	BatchDelay time.Duration
	BatchRate  float64
	// BatchSize is how many waiting requests make a batch leave at once (DefaultBatchSize;
	// negative: no limit).
	BatchSize int
}

// withDefaults returns c with every zero number replaced by its default, or an error for a
// value that means nothing.
func (c Config[M]) withDefaults() (Config[M], error) {
	if c.MaxHops < 0 {
		return c, errors.New("kvserver: MaxHops must not be negative: forwarding needs a bound")
	}
	orDefault(&c.CompactEvery, DefaultCompactEvery)
	orDefault(&c.MaxHops, DefaultMaxHops)
	orDefault(&c.ParkFor, DefaultParkFor)
	orDefault(&c.MaxParked, DefaultMaxParked)
	orDefault(&c.RetryFor, DefaultRetryFor)
	orDefault(&c.DeafAfter, DefaultDeafAfter)
	orDefault(&c.RelayFor, DefaultRelayFor)
	orDefault(&c.BatchDelay, DefaultBatchDelay)
	orDefault(&c.BatchRate, DefaultBatchRate)
	orDefault(&c.BatchSize, DefaultBatchSize)
	return c, nil
}

func orDefault[T int | float64 | time.Duration](v *T, def T) {
	if *v == 0 {
		*v = def
	}
}

// Server is the lin-kv server every binary shares: it implements [nodes.Machine] on top of a
// consensus core. Each mechanism is its own type: the replicated state (replica), the answers
// this node owes its clients (answers), parking and retries (handoffs), batching (batchQueue)
// and relaying round one-way links (overlay). The server holds them together along the request
// path (request.go) and the Ready path (ready.go).
type Server[M consensus.Message] struct {
	cfg    Config[M]
	self   string
	core   consensus.Core[M]
	disk   disk
	log    *slog.Logger
	ticked time.Duration // monotonic time already ticked into the core
	swept  time.Duration // when sweep last ran
	leader string        // leader seen in the last Ready

	state   *replica
	answers *answers
	waiting *handoffs
	links   *overlay
	// proposals wait to be handed to the core, forwards to be sent to the leader, each as one
	// batch when its queue says so.
	proposals, forwards batchQueue
}

// New returns a server that builds its core at init. It panics on a configuration that
// [Main] would refuse: that is a bug of the caller.
func New[M consensus.Message](cfg Config[M]) *Server[M] {
	cfg, err := cfg.withDefaults()
	if err != nil {
		panic(err)
	}
	return &Server[M]{
		cfg:       cfg,
		state:     newReplica(),
		answers:   newAnswers(),
		waiting:   &handoffs{parkFor: cfg.ParkFor, maxParked: cfg.MaxParked, retryFor: cfg.RetryFor},
		proposals: newBatchQueue(cfg.BatchDelay, cfg.BatchRate, cfg.BatchSize, false),
		forwards:  newBatchQueue(cfg.BatchDelay, cfg.BatchRate, cfg.BatchSize, true),
	}
}

// Init implements [nodes.Machine].
func (s *Server[M]) Init(now time.Duration, init nodes.Init, out *nodes.Outbox) {
	s.self = init.NodeID
	s.log = init.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.links = newOverlay(s.self, init.NodeIDs, s.cfg.DeafAfter, s.cfg.RelayFor, s.log)
	s.core = s.cfg.NewCore(init, s.openStorage(init))
	s.ticked = now
}

// Tick implements [nodes.Machine].
func (s *Server[M]) Tick(now time.Duration, out *nodes.Outbox) {
	s.advance(now)
	s.waiting.forget(now)
	if now-s.swept >= time.Second {
		s.swept = now
		s.disk.logStats(now, s.log)
		s.answers.forget(func(at time.Duration) bool { return now-at > pendingTTL })
	}
}

// Leader is the node this server last learned leads ("" while it knows none), as its core's
// last Ready said: a simulator aims faults at the leader through it.
func (s *Server[M]) Leader() string { return s.leader }

// State is the index of the last command this replica applied and the replicated state after
// it (the store and the sessions, encoded as a snapshot encodes them): replicas that applied
// the same index must hold the same bytes, which a simulator checks.
func (s *Server[M]) State() (applied uint64, state []byte) {
	return s.state.applied, s.state.snapshot()
}

// advance ticks the core for the time elapsed since the last call.
func (s *Server[M]) advance(now time.Duration) {
	if now-s.ticked > pauseGap {
		s.forgetStale(now)
	}
	if now-s.ticked > maxCatchUp {
		s.ticked = now - maxCatchUp
	}
	for now-s.ticked >= tick {
		s.core.Tick()
		s.ticked += tick
	}
}

// fatal stops the node on a broken contract (the core's, or the storage's).
func (s *Server[M]) fatal(err error) {
	panic(fmt.Sprintf("kvserver: %s: %v", s.self, err))
}
