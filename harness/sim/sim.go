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
	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/wal"
)

// Config describes one simulated run. Zero fields take the defaults in brackets.
type Config struct {
	// Seed fixes the whole run.
	Seed uint64
	// Nodes is the cluster size [3]; NewMachine builds one node's machine.
	Nodes      int
	NewMachine func() nodes.Machine
	// NewDurable, when set, takes the place of NewMachine for nodes that keep their state on
	// disk: each node gets a simulated disk that outlives its crashes (Faults.Crashes), and
	// each process of it is built on that disk. A crash loses what the disk had not synced and
	// may tear its last write; Corrupt is the probability that it also flips a bit of what
	// the disk had synced, once per run at most: a node that finds damage stays out of every
	// quorum until a leader brings it up to date, so damage on a majority at once would stop
	// the cluster for good, which no protocol short of repairing from the others avoids.
	NewDurable func(disk wal.FS) nodes.Machine
	Corrupt    float64
	// Duration is how long clients run with faults [3 s]; Recovery how long they go on after
	// every fault healed [3 s]. Settle is the part of Recovery the cluster may take to recover
	// [1.5 s]: operations invoked after it count in Result.RecoveredOK. All three are whole
	// milliseconds, the network's unit of time.
	Duration, Recovery, Settle time.Duration
	// Concurrency is the number of client threads [2 x Nodes], a multiple of 2 x Nodes: thread
	// t is bound to node t mod Nodes, and the ops are Maelstrom's lin-kv mix (the harness's
	// generator). Rate is the total ops/s the dispatcher aims at [75 per node].
	Concurrency int
	Rate        float64
	// Faults is what the network between the nodes does while the faults last (Duration):
	// latency, holds, asymmetric and flapping links, partitions, pauses, crashes, loss,
	// duplication (see simnet.Faults; its zero value is a perfect network without delay).
	// A crashed node restarts on what its disk kept (NewDurable) or on nothing (NewMachine). Then every
	// partition heals and the network keeps only Faults.Calm(); a pause under way runs out.
	Faults simnet.Faults
	// HoldBias, when set, multiplies the chance Faults.Hold gives a node-to-node line, so that
	// a caller that knows the protocol can hold the messages that matter more often.
	HoldBias func(line []byte) float64
	// Cut, when set, is a fixed partition for the whole of Duration: node to drops every
	// message from node from when Cut(from, to) (indexes into n0, n1, ...).
	Cut func(from, to int) bool
	// ClientTimeout is when a client gives up [1 s]. TickPeriod is how often nodes tick [2 ms],
	// in whole milliseconds.
	ClientTimeout, TickPeriod time.Duration
	// Label describes the node settings the caller chose, for failure reports.
	Label string
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
	// completion, timed in virtual nanoseconds from the start. Every completion that a reply
	// ended carries the reply's quorum-witness verdict.
	History []history.Op
	// OK, Fail and Info count completions by outcome.
	OK, Fail, Info int
	// RecoveredOK counts ok operations invoked after the faults healed and the cluster settled;
	// FaultOK those completed while the faults lasted.
	RecoveredOK, FaultOK int
	// Messages counts node-to-node messages sent, duplicates included.
	Messages int
	// Problems are protocol errors: unparseable output, unknown destinations, replies that
	// break Maelstrom's schemas. A correct node has none.
	Problems []*results.ProtocolError
	// FaultLog lists the faults the network applied (partitions, pauses, resumes), each with
	// its virtual time.
	FaultLog []string
	// Divergence, unless empty, says how the replicas failed to agree once the clients
	// stopped: they did not all reach the same applied index within ConvergeWithin, or two
	// that did hold different states.
	Divergence string

	cfg    Config
	ids    []string
	end    time.Duration
	net    net.Stats
	faults []history.Interval
}

// Check runs the harness's linearizability checker on the history, each key within timeout.
func (r *Result) Check(timeout time.Duration) *check.LinResult {
	return check.Linearizable(r.History, timeout)
}

// Observe runs the harness's observations check on the history, each key within timeout: the
// reads and cas's answered 20 or 22, which the linearizability checker drops as Maelstrom's
// does, checked with each key's operations.
func (r *Result) Observe(timeout time.Duration) *check.ObservationsResult {
	return check.Observations(r.History, timeout)
}

// Checks are the verdicts of the oracle's history checks on a run, computed once and handed on
// to the store.
type Checks struct {
	// Lin is the linearizability check (Maelstrom's); Obs the observations check.
	Lin *check.LinResult
	Obs *check.ObservationsResult
}

// Checks runs both history checks, each key within timeout, with check.Check: porcupine runs
// Maelstrom's check only on the keys whose observations it could not linearize.
func (r *Result) Checks(timeout time.Duration) Checks {
	lin, obs := check.Check(r.History, timeout)
	return Checks{Lin: lin, Obs: obs}
}

// Witness runs the harness's quorum-witness check on the verdicts the history carries.
func (r *Result) Witness() *check.WitnessResult { return check.QuorumWitness(r.History) }

// wire is a node-to-node message in flight: the encoded line, and the vector clock its sender
// had when it sent it (for the quorum-witness check).
type wire struct {
	line  []byte
	cause witness.Stamp
}

// simulation is one run under way: the nodes, the network between them, the clients outside
// it, and the oracle's records.
type simulation struct {
	cfg   Config
	clock *clock.Manual
	now   time.Duration // the clock's time, kept here to read it without a lock
	net   *simnet.Network[wire]
	ids   []string
	index map[string]int
	nodes []node
	// witness follows happens-before over every delivery and reply.
	witness *witness.Tracker
	clients
	problems []*results.ProtocolError
	faults   faultRecord
	// diskRand decides which crash also corrupts a disk; corrupted says one did.
	diskRand  *rand.Rand
	corrupted bool
}

// Run simulates one run.
func Run(cfg Config) *Result {
	cfg.fill()
	s := &simulation{cfg: cfg, clock: clock.NewManual(), index: map[string]int{}}
	for i := range cfg.Nodes {
		s.ids = append(s.ids, "n"+strconv.Itoa(i))
		s.index[s.ids[i]] = i
	}
	s.witness = witness.New(s.ids, nil)
	s.startNetwork()
	s.startNodes()
	if err := s.startClients(); err != nil {
		panic(fmt.Sprintf("sim: %v", err)) // a Config that cannot be run is the caller's bug
	}
	// The run ends when the last op has completed after the clients stopped, or timed out.
	cutoff, end := cfg.Duration+cfg.Recovery, cfg.Duration+cfg.Recovery+cfg.ClientTimeout
	for s.now < end && (s.now < cutoff || s.dispatch.Busy() > 0) {
		if s.now >= cfg.Duration && !s.faults.healed {
			s.heal()
		}
		next := s.now + time.Millisecond
		s.runClients(next)
		s.advance(next)
		s.net.Step()
	}
	s.stopClients()
	res := s.result(s.now)
	res.Divergence = s.converge()
	return res
}

// advance moves virtual time forward to t.
func (s *simulation) advance(t time.Duration) {
	if t > s.now {
		s.clock.Advance(t - s.now)
		s.now = t
	}
}

// startNetwork builds the network between the nodes, with the faults of the fault period and
// the fixed cut.
func (s *simulation) startNetwork() {
	cfg := s.cfg
	s.net = simnet.New[wire](s.ids, rand.New(rand.NewPCG(cfg.Seed, 0x5eed)), cfg.Faults)
	s.net.Deliver = func(e *simnet.Envelope[wire]) { s.deliver(s.index[e.To], e.Msg.cause, e.Msg.line) }
	s.net.Tick = func(id string) { s.tick(s.index[id]) }
	s.net.Leader = s.leader
	s.net.Logf = s.faultChanged
	s.net.Crashed = func(id string) { s.crash(s.index[id]) }
	s.net.Restarted = func(id string) { s.start(s.index[id]) }
	if cfg.HoldBias != nil {
		s.net.HoldBias = func(m wire) float64 { return cfg.HoldBias(m.line) }
	}
	if cfg.Cut != nil {
		for from := range cfg.Nodes {
			for to := range cfg.Nodes {
				if from != to && cfg.Cut(from, to) {
					s.net.Block(s.ids[from], s.ids[to])
				}
			}
		}
		s.faultChanged("cut %s", s.net.Partition())
	}
}

// heal ends the fault period: every partition heals, and only the calm part of the fault
// model stays.
func (s *simulation) heal() {
	s.faults.healed = true
	s.net.Faults = s.net.Faults.Calm()
	s.net.Heal()
	s.faultChanged("faults end")
}

// logger is node id's logger.
func (s *simulation) logger(id string) *slog.Logger {
	if s.cfg.nodeLogs == nil {
		return s.cfg.Logger.With("node", id)
	}
	clk := s.clock
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
	st := s.net.Stats()
	res := &Result{
		Seed: s.cfg.Seed, History: ops, OK: tally.OK, Fail: tally.Fail, Info: tally.Info,
		Messages: st.Sent, Problems: s.problems, FaultLog: s.faults.log,
		cfg: s.cfg, ids: s.ids, end: end, faults: s.faults.intervals,
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
	servers := net.Counts{SendCount: int64(st.Sent), RecvCount: int64(st.Fates[simnet.Delivered])}
	clients.MsgCount, servers.MsgCount = clients.SendCount, servers.SendCount
	res.net = net.Stats{
		All: net.Counts{SendCount: clients.SendCount + servers.SendCount, RecvCount: clients.RecvCount + servers.RecvCount,
			MsgCount: clients.MsgCount + servers.MsgCount},
		Clients: clients, Servers: servers, Dropped: int64(st.Fates[simnet.Cut]),
	}
	return res
}

func (s *simulation) problem(node, line, format string, args ...any) {
	s.problems = append(s.problems, &results.ProtocolError{Node: node, Line: line,
		Error: fmt.Sprintf("at %v: ", s.now) + fmt.Sprintf(format, args...)})
}
