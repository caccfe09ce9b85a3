package sim

import (
	"container/heap"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/anishathalye/porcupine"

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
	// Clients [2 x Nodes], each bound to node i mod Nodes; Keys is how many keys they use [2].
	Clients, Keys int
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
	if c.Clients == 0 {
		c.Clients = 2 * c.Nodes
	}
	if c.Keys == 0 {
		c.Keys = 2
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
	// History is every client operation that did not definitely fail, for porcupine.
	History []porcupine.Operation
	// OK, Fail and Info count completions by outcome.
	OK, Fail, Info int
	// RecoveredOK counts ok operations invoked after the faults healed and the cluster settled;
	// FaultOK those completed while the faults lasted.
	RecoveredOK, FaultOK int
	// Messages counts node-to-node messages sent.
	Messages int
	// Problems are protocol errors: unparseable output, unknown destinations, replies that
	// break Maelstrom's schemas. A correct node has none.
	Problems []string
}

// Check runs porcupine on the history.
func (r *Result) Check(timeout time.Duration) (porcupine.CheckResult, porcupine.LinearizationInfo) {
	return porcupine.CheckOperationsVerbose(Model, r.History, timeout)
}

// infoReturn is the return time of indefinite operations: after everything.
const infoReturn = math.MaxInt64 / 2

type eventKind int

const (
	evDeliver       eventKind = iota // a line reaches a node
	evIdle                           // a node's input queue ran dry
	evTick                           // a node's ticker fired
	evClientNext                     // a client issues its next operation
	evClientTimeout                  // a client gives up on msgID
	evFault                          // the nemesis changes the faults
)

type event struct {
	at    time.Duration
	seq   uint64
	kind  eventKind
	node  int
	cl    int
	msgID uint64
	line  []byte
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

// client is one synchronous Maelstrom client.
type client struct {
	id      string
	node    int
	msgID   uint64
	waiting bool
	input   Input
	call    time.Duration
}

type simulation struct {
	cfg      Config
	rng      *rand.Rand
	now      time.Duration
	seq      uint64
	queue    eventQueue
	ids      []string
	index    map[string]int
	machines []nodes.Machine
	idle     []bool
	paused   []time.Duration // paused until
	grudge   [][]bool        // grudge[to][from]: drop from -> to
	faulty   bool
	clients  []*client
	clientAt map[string]int
	res      *Result
}

// Run simulates one run.
func Run(cfg Config) *Result {
	cfg.fill()
	s := &simulation{
		cfg:      cfg,
		rng:      rand.New(rand.NewPCG(cfg.Seed, 0x5eed)),
		index:    map[string]int{},
		clientAt: map[string]int{},
		res:      &Result{Seed: cfg.Seed},
		faulty:   true,
	}
	for i := range cfg.Nodes {
		s.ids = append(s.ids, "n"+strconv.Itoa(i))
		s.index[s.ids[i]] = i
	}
	s.idle = make([]bool, cfg.Nodes)
	s.paused = make([]time.Duration, cfg.Nodes)
	s.grudge = make([][]bool, cfg.Nodes)
	for i := range cfg.Nodes {
		s.grudge[i] = make([]bool, cfg.Nodes)
		m := cfg.NewMachine()
		s.machines = append(s.machines, m)
		var out nodes.Outbox
		m.Init(0, nodes.Init{
			NodeID:  s.ids[i],
			NodeIDs: append([]string(nil), s.ids...),
			Rand:    rand.New(rand.NewPCG(cfg.Seed, uint64(i)+1)),
			Logger:  cfg.Logger.With("node", s.ids[i]),
		}, &out)
		s.route(i, &out)
		s.push(&event{at: time.Duration(s.rng.Int64N(int64(cfg.TickPeriod))), kind: evTick, node: i})
	}
	for c := range cfg.Clients {
		id := "c" + strconv.Itoa(c)
		s.clients = append(s.clients, &client{id: id, node: c % cfg.Nodes})
		s.clientAt[id] = c
		s.push(&event{at: s.jitter(), kind: evClientNext, cl: c})
	}
	if cfg.Partitions || cfg.Pauses {
		s.push(&event{at: 0, kind: evFault})
	}
	if cfg.Cut != nil {
		for to := range cfg.Nodes {
			for from := range cfg.Nodes {
				s.grudge[to][from] = from != to && cfg.Cut(from, to)
			}
		}
	}
	end := cfg.Duration + cfg.Recovery + cfg.ClientTimeout
	for s.queue.Len() > 0 {
		e := heap.Pop(&s.queue).(*event)
		if e.at > end {
			break
		}
		s.now = e.at
		if s.faulty && s.now >= cfg.Duration {
			s.healAll()
		}
		s.step(e)
	}
	for _, c := range s.clients {
		if c.waiting {
			s.complete(c, outcomeTimeout, "")
		}
	}
	return s.res
}

func (s *simulation) push(e *event) {
	s.seq++
	e.seq = s.seq
	heap.Push(&s.queue, e)
}

func (s *simulation) problem(format string, args ...any) {
	s.res.Problems = append(s.res.Problems, fmt.Sprintf("at %v: ", s.now)+fmt.Sprintf(format, args...))
}

// jitter is a client's think time between operations.
func (s *simulation) jitter() time.Duration {
	return time.Duration(s.rng.Int64N(int64(10 * time.Millisecond)))
}

func (s *simulation) step(e *event) {
	if e.kind == evDeliver || e.kind == evIdle || e.kind == evTick {
		// A paused node does nothing; on resume it sees its queued input, and the time that
		// passed, like a process after SIGCONT.
		if until := s.paused[e.node]; s.now < until {
			e.at = until
			s.push(e)
			return
		}
	}
	switch e.kind {
	case evDeliver:
		s.deliver(e.node, e.line)
	case evIdle:
		s.idle[e.node] = false
		var out nodes.Outbox
		s.machines[e.node].Idle(s.now, &out)
		s.route(e.node, &out)
	case evTick:
		var out nodes.Outbox
		s.machines[e.node].Tick(s.now, &out)
		s.machines[e.node].Idle(s.now, &out)
		s.route(e.node, &out)
		e.at = s.now + s.cfg.TickPeriod
		s.push(e)
	case evClientNext:
		if s.now < s.cfg.Duration+s.cfg.Recovery {
			s.issue(s.clients[e.cl])
		}
	case evClientTimeout:
		if c := s.clients[e.cl]; c.waiting && c.msgID == e.msgID {
			s.complete(c, outcomeTimeout, "")
		}
	case evFault:
		if s.faulty {
			s.nemesis()
			s.push(&event{at: s.now + time.Duration(50+s.rng.IntN(350))*time.Millisecond, kind: evFault})
		}
	}
}

// deliver hands a line to a node, unless a partition drops it now.
func (s *simulation) deliver(node int, line []byte) {
	msg, err := nodes.ParseMessage(line)
	if err != nil {
		s.problem("unparseable line %q: %v", line, err)
		return
	}
	if from, ok := s.index[msg.Src]; ok && s.grudge[node][from] {
		return
	}
	var out nodes.Outbox
	if err := s.machines[node].Handle(s.now, msg, &out); err != nil {
		if e, ok := err.(*nodes.Error); ok {
			out.ReplyError(msg, e)
		}
	}
	s.route(node, &out)
	if !s.idle[node] {
		s.idle[node] = true
		s.push(&event{at: s.now, kind: evIdle, node: node})
	}
}

// route sends what a node queued: to clients at once, to nodes through the network.
func (s *simulation) route(from int, out *nodes.Outbox) {
	for _, o := range out.Take() {
		line, err := nodes.AppendLine(nil, s.ids[from], o)
		if err != nil {
			s.problem("%s sent an unencodable body: %v", s.ids[from], err)
			continue
		}
		if c, ok := s.clientAt[o.Dest]; ok {
			s.reply(s.clients[c], line)
			continue
		}
		to, ok := s.index[o.Dest]
		if !ok || to == from {
			s.problem("%s sent to unknown id %q: %s", s.ids[from], o.Dest, line)
			continue
		}
		s.res.Messages++
		copies := 1
		if s.faulty && s.rng.Float64() < s.cfg.Loss {
			copies = 0
		} else if s.faulty && s.rng.Float64() < s.cfg.Duplicate {
			copies = 2
		}
		for range copies {
			s.push(&event{at: s.now + s.latency(), kind: evDeliver, node: to, line: line})
		}
	}
}

func (s *simulation) latency() time.Duration {
	ms := s.rng.Int64N(2*int64(s.cfg.MeanLatency/time.Millisecond) + 1)
	if s.rng.IntN(50) == 0 {
		ms *= 10
	}
	return time.Duration(ms) * time.Millisecond
}

// nemesis changes the faults: heal, partition, or pause a node.
func (s *simulation) nemesis() {
	n := s.cfg.Nodes
	switch r := s.rng.IntN(6); {
	case r == 0 || (!s.cfg.Partitions && !s.cfg.Pauses):
		s.clearGrudges()
	case s.cfg.Pauses && (r == 1 || !s.cfg.Partitions):
		node := s.rng.IntN(n)
		s.paused[node] = s.now + time.Duration(10+s.rng.IntN(800))*time.Millisecond
	case r == 2: // isolate one node
		s.clearGrudges()
		x := s.rng.IntN(n)
		for y := range n {
			if y != x {
				s.grudge[x][y], s.grudge[y][x] = true, true
			}
		}
	case r == 3: // a random majority/minority split
		s.clearGrudges()
		perm := s.rng.Perm(n)
		minority := perm[:n/2]
		for _, a := range minority {
			for _, b := range perm[n/2:] {
				s.grudge[a][b], s.grudge[b][a] = true, true
			}
		}
	default: // random one-directional links
		s.clearGrudges()
		for a := range n {
			for b := range n {
				if a != b && s.rng.IntN(3) == 0 {
					s.grudge[a][b] = true
				}
			}
		}
	}
}

func (s *simulation) clearGrudges() {
	for _, row := range s.grudge {
		clear(row)
	}
}

func (s *simulation) healAll() {
	s.faulty = false
	s.clearGrudges()
}

// issue sends a client's next operation.
func (s *simulation) issue(c *client) {
	c.msgID++
	c.waiting = true
	c.call = s.now
	key := s.rng.IntN(s.cfg.Keys)
	v := func() string { return strconv.Itoa(s.rng.IntN(5)) }
	var body string
	switch r := s.rng.IntN(4); {
	case r < 2:
		c.input = Input{Key: key, Op: "read"}
		body = fmt.Sprintf(`"type":"read","key":%d`, key)
	case r == 2:
		c.input = Input{Key: key, Op: "write", Value: v()}
		body = fmt.Sprintf(`"type":"write","key":%d,"value":%s`, key, c.input.Value)
	default:
		c.input = Input{Key: key, Op: "cas", From: v(), To: v()}
		body = fmt.Sprintf(`"type":"cas","key":%d,"from":%s,"to":%s`, key, c.input.From, c.input.To)
	}
	line := fmt.Sprintf(`{"src":%q,"dest":%q,"body":{%s,"msg_id":%d}}`, c.id, s.ids[c.node], body, c.msgID)
	s.push(&event{at: s.now, kind: evDeliver, node: c.node, line: []byte(line)})
	s.push(&event{at: s.now + s.cfg.ClientTimeout, kind: evClientTimeout, cl: s.clientAt[c.id], msgID: c.msgID})
}

type outcome int

const (
	outcomeOK outcome = iota
	outcomeFail
	outcomeInfo
	outcomeTimeout
)

// reply handles a line addressed to a client, checking it against Maelstrom's closed schemas.
func (s *simulation) reply(c *client, line []byte) {
	msg, err := nodes.ParseMessage(line)
	if err != nil {
		s.problem("unparseable reply %q: %v", line, err)
		return
	}
	if !msg.HasInReplyTo {
		s.problem("reply without in_reply_to: %s", line)
		return
	}
	if !c.waiting || msg.InReplyTo != c.msgID {
		return // late or duplicate: Maelstrom drops it
	}
	allowed := map[string]bool{"type": true, "in_reply_to": true, "msg_id": true}
	switch msg.Type {
	case "error":
		code, err := strconv.Atoi(string(msg.Fields.Get("code")))
		if err != nil {
			s.problem("error reply without an integer code: %s", line)
			return
		}
		if nodes.Code(code).Definite() {
			s.complete(c, outcomeFail, "")
		} else {
			s.complete(c, outcomeInfo, "")
		}
		return
	case c.input.Op + "_ok":
		if c.input.Op == "read" {
			allowed["value"] = true
			if msg.Fields.Get("value") == nil {
				s.problem("read_ok without value: %s", line)
			}
		}
	default:
		s.problem("reply of type %q to a %s: %s", msg.Type, c.input.Op, line)
		s.complete(c, outcomeInfo, "")
		return
	}
	for _, f := range msg.Fields {
		if !allowed[f.Name] {
			s.problem("reply has key %q, which Maelstrom's schema rejects: %s", f.Name, line)
		}
	}
	s.complete(c, outcomeOK, string(msg.Fields.Get("value")))
}

// complete records an operation's end with Maelstrom's outcome mapping: a read that did not
// succeed failed; a write or cas with an indefinite error or a timeout is info.
func (s *simulation) complete(c *client, o outcome, value string) {
	c.waiting = false
	if s.now < s.cfg.Duration+s.cfg.Recovery {
		s.push(&event{at: s.now + s.jitter(), kind: evClientNext, cl: s.clientAt[c.id]})
	}
	if c.input.Op == "read" && o != outcomeOK {
		o = outcomeFail
	}
	op := porcupine.Operation{ClientId: s.clientAt[c.id], Input: c.input, Call: int64(c.call), Return: int64(s.now)}
	switch o {
	case outcomeOK:
		s.res.OK++
		if c.call >= s.cfg.Duration+s.cfg.Settle {
			s.res.RecoveredOK++
		}
		if s.now < s.cfg.Duration {
			s.res.FaultOK++
		}
		op.Output = Output{Value: value}
	case outcomeFail:
		s.res.Fail++
		return
	default:
		s.res.Info++
		op.Output = Output{Unknown: true}
		op.Return = infoReturn
	}
	s.res.History = append(s.res.History, op)
}
