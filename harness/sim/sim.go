package sim

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/harness/internal/report"
	"github.com/quorumkit/quorumkit/harness/internal/runner"
	"github.com/quorumkit/quorumkit/nodes"
)

// Config describes one simulated run. Zero fields take the defaults in brackets.
type Config struct {
	// Seed fixes the whole run.
	Seed uint64
	// Nodes is the cluster size [3]; NewMachine builds one node's machine.
	Nodes      int
	NewMachine func() nodes.Machine
	// Duration is how long clients run with faults [3 s]; Recovery how long they go on after
	// every fault healed [3 s]. Settle is the part of Recovery the cluster may take to recover
	// [1.5 s]: operations invoked after it count in Result.RecoveredOK.
	Duration, Recovery, Settle time.Duration
	// Concurrency is the number of client threads [2 x Nodes], a multiple of 2 x Nodes: thread
	// t is bound to node t mod Nodes, and the ops are Maelstrom's lin-kv mix (the harness's
	// generator). Rate is the total ops/s the dispatcher aims at [75 per node].
	Concurrency int
	Rate        float64
	// MeanLatency of node-to-node messages, drawn uniformly in whole milliseconds from
	// [0, 2 x mean] [5 ms]; one message in 50 gets ten times that (reordering).
	MeanLatency time.Duration
	// Loss and Duplicate are per-message probabilities while faults are on.
	Loss, Duplicate float64
	// Partitions and Pauses turn those faults on.
	Partitions, Pauses bool
	// Cut, when set, is a fixed partition for the whole of Duration: node to drops every
	// message from node from when Cut(from, to) (indexes into n0, n1, ...).
	Cut func(from, to int) bool
	// ClientTimeout is when a client gives up [1 s]. TickPeriod is how often nodes tick [2 ms].
	ClientTimeout, TickPeriod time.Duration
	// Logger receives the nodes' logs [discarded].
	Logger *slog.Logger

	// nodeLogs, when set, takes the place of Logger: node id's logs go to nodeLogs(id) as a
	// node's stderr does, stamped with virtual time.
	nodeLogs func(id string) io.Writer
}

func (c *Config) fill() {
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	if c.Nodes == 0 {
		c.Nodes = 3
	}
	if c.Concurrency == 0 {
		c.Concurrency = 2 * c.Nodes
	}
	if c.Rate == 0 {
		c.Rate = 75 * float64(c.Nodes)
	}
	def(&c.Duration, 3*time.Second)
	def(&c.Recovery, 3*time.Second)
	def(&c.Settle, 1500*time.Millisecond)
	def(&c.MeanLatency, 5*time.Millisecond)
	def(&c.ClientTimeout, time.Second)
	def(&c.TickPeriod, 2*time.Millisecond)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Result is what a run produced.
type Result struct {
	Seed uint64
	// History is the run's history as the harness records it: every client invocation and
	// completion, timed in virtual nanoseconds from the start.
	History []history.Op
	// OK, Fail and Info count completions by outcome.
	OK, Fail, Info int
	// RecoveredOK counts ok operations invoked after the faults healed and the cluster settled;
	// FaultOK those completed while the faults lasted.
	RecoveredOK, FaultOK int
	// Messages counts node-to-node messages sent.
	Messages int
	// Problems are protocol errors: unparseable output, unknown destinations, replies that
	// break Maelstrom's schemas. A correct node has none.
	Problems []*runner.ProtocolError

	cfg    Config
	ids    []string
	end    time.Duration
	net    net.Stats
	faults []report.Interval
}

// Check runs the harness's linearizability checker on the history, each key within timeout.
func (r *Result) Check(timeout time.Duration) *check.LinResult {
	return check.Linearizable(r.History, timeout)
}

type simulation struct {
	cfg      Config
	net      *network
	ids      []string
	index    map[string]int
	machines []nodes.Machine
	idle     []bool
	clients
	problems []*runner.ProtocolError
}

// Run simulates one run.
func Run(cfg Config) *Result {
	cfg.fill()
	clk := clock.NewManual()
	s := &simulation{cfg: cfg, index: map[string]int{}}
	s.net = newNetwork(netConfig{
		nodes: cfg.Nodes, meanLatency: cfg.MeanLatency, loss: cfg.Loss, duplicate: cfg.Duplicate,
		partitions: cfg.Partitions, pauses: cfg.Pauses, cut: cfg.Cut, faultsEnd: cfg.Duration,
	}, rand.New(rand.NewPCG(cfg.Seed, 0x5eed)), clk, s.deliver)
	for i := range cfg.Nodes {
		s.ids = append(s.ids, "n"+strconv.Itoa(i))
		s.index[s.ids[i]] = i
	}
	s.idle = make([]bool, cfg.Nodes)
	tickRand := rand.New(rand.NewPCG(cfg.Seed, 0x71c))
	for i := range cfg.Nodes {
		m := cfg.NewMachine()
		s.machines = append(s.machines, m)
		var out nodes.Outbox
		m.Init(0, nodes.Init{
			NodeID:  s.ids[i],
			NodeIDs: append([]string(nil), s.ids...),
			Rand:    rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1)),
			Logger:  s.logger(clk, s.ids[i]),
		}, &out)
		s.route(i, &out)
		s.net.atNode(time.Duration(tickRand.Int64N(int64(cfg.TickPeriod))), i, func() { s.tick(i) })
	}
	if err := s.startClients(cfg, clk); err != nil {
		panic(fmt.Sprintf("sim: %v", err)) // a Config that cannot be run is the caller's bug
	}
	end := cfg.Duration + cfg.Recovery + cfg.ClientTimeout
	s.net.run(end)
	s.stopClients()
	return s.result(end)
}

// logger is node id's logger.
func (s *simulation) logger(clk *clock.Manual, id string) *slog.Logger {
	if s.cfg.nodeLogs == nil {
		return s.cfg.Logger.With("node", id)
	}
	virtual := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Duration("vt", clk.Now())
		}
		return a
	}
	return slog.New(slog.NewTextHandler(s.cfg.nodeLogs(id), &slog.HandlerOptions{ReplaceAttr: virtual}))
}

// result gathers what the run left.
func (s *simulation) result(end time.Duration) *Result {
	ops := s.history.Ops()
	tally := s.history.Tally()
	res := &Result{
		Seed: s.cfg.Seed, History: ops, OK: tally.OK, Fail: tally.Fail, Info: tally.Info,
		Messages: int(s.net.sent), Problems: s.problems,
		cfg: s.cfg, ids: s.ids, end: end, faults: s.net.faults,
	}
	for _, p := range history.ClientPairs(ops) {
		if !p.Done || p.Complete.Type != history.OK {
			continue
		}
		if p.Invoke.Time >= s.cfg.Duration+s.cfg.Settle {
			res.RecoveredOK++
		}
		if p.Complete.Time < s.cfg.Duration {
			res.FaultOK++
		}
	}
	clients := net.Counts{SendCount: s.requests + s.replies, RecvCount: s.requests + s.replies}
	servers := net.Counts{SendCount: s.net.sent, RecvCount: s.net.received}
	clients.MsgCount, servers.MsgCount = clients.SendCount, servers.SendCount
	res.net = net.Stats{
		All: net.Counts{SendCount: clients.SendCount + servers.SendCount, RecvCount: clients.RecvCount + servers.RecvCount,
			MsgCount: clients.MsgCount + servers.MsgCount},
		Clients: clients, Servers: servers, Dropped: s.net.dropped,
	}
	return res
}

func (s *simulation) problem(node, line, format string, args ...any) {
	s.problems = append(s.problems, &runner.ProtocolError{Node: node, Line: line,
		Error: fmt.Sprintf("at %v: ", s.net.now) + fmt.Sprintf(format, args...)})
}

// tick fires a node's ticker, then comes back a tick period later.
func (s *simulation) tick(node int) {
	var out nodes.Outbox
	s.machines[node].Tick(s.net.now, &out)
	s.machines[node].Idle(s.net.now, &out)
	s.route(node, &out)
	s.net.atNode(s.net.now+s.cfg.TickPeriod, node, func() { s.tick(node) })
}

// deliver hands a line to a node, and lets it go idle once its input has run dry.
func (s *simulation) deliver(node int, line []byte) {
	msg, err := nodes.ParseMessage(line)
	if err != nil {
		s.problem(s.ids[node], string(line), "unparseable line: %v", err)
		return
	}
	var out nodes.Outbox
	if err := s.machines[node].Handle(s.net.now, msg, &out); err != nil {
		if e, ok := err.(*nodes.Error); ok {
			out.ReplyError(msg, e)
		}
	}
	s.route(node, &out)
	if !s.idle[node] {
		s.idle[node] = true
		s.net.atNode(s.net.now, node, func() {
			s.idle[node] = false
			var out nodes.Outbox
			s.machines[node].Idle(s.net.now, &out)
			s.route(node, &out)
		})
	}
}

// route sends what a node queued: to clients at once, to nodes through the network.
func (s *simulation) route(from int, out *nodes.Outbox) {
	for _, o := range out.Take() {
		line, err := nodes.AppendLine(nil, s.ids[from], o)
		if err != nil {
			s.problem(s.ids[from], "", "unencodable body to %s: %v", o.Dest, err)
			continue
		}
		if c, ok := s.clientAt[o.Dest]; ok {
			s.reply(s.ids[from], &s.threads[c], line)
			continue
		}
		to, ok := s.index[o.Dest]
		if !ok || to == from {
			s.problem(s.ids[from], string(line), "sent to unknown id %q", o.Dest)
			continue
		}
		s.net.send(from, to, line)
	}
}
