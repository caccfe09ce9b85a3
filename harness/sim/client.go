package sim

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
	"github.com/quorumkit/quorumkit/harness/internal/workload"
	"github.com/quorumkit/quorumkit/nodes"
)

// clients are the simulation's Maelstrom clients. Everything they decide is the harness's
// own code: the generator chooses the ops, the dispatcher when and on which thread, Request
// builds the bodies, Match picks the reply, Classify and Timeout turn it into :ok, :fail or
// :info, and the history records it with virtual times. Only the waiting is the simulator's.
// As in Maelstrom, clients are outside the network: a request reaches its node at once (or
// when the node resumes, if it is paused), a reply its client at once.
type clients struct {
	threads  []thread
	clientAt map[string]int // thread by client id
	dispatch *workload.Dispatcher
	history  *history.History
	// requests and replies count client messages.
	requests, replies int64
}

// thread is one synchronous client: bound to one node, one request outstanding at a time.
type thread struct {
	id       string
	node     int
	msgID    int64
	waiting  bool
	deadline time.Duration // when the outstanding request times out
	inv      workload.Invocation
}

// startClients sets up the threads and the dispatcher.
func (s *simulation) startClients() error {
	cfg := s.cfg
	gen, err := workload.NewGenerator(cfg.Nodes, cfg.Concurrency, 0, rand.New(rand.NewPCG(cfg.Seed, 0x9e4)))
	if err != nil {
		return err
	}
	s.history = history.New(s.clock)
	s.clientAt = map[string]int{}
	for t := range cfg.Concurrency {
		id := "c" + strconv.Itoa(t)
		s.threads = append(s.threads, thread{id: id, node: s.index[workload.NodeFor(t, s.ids)]})
		s.clientAt[id] = t
	}
	s.dispatch = workload.NewDispatcher(gen, cfg.Concurrency, cfg.Rate, rand.New(rand.NewPCG(cfg.Seed, 0xd15)),
		0, cfg.Duration+cfg.Recovery)
	return nil
}

// runClients runs, in time order, the clients' events due before limit: timeouts, and
// issues at the dispatcher's times once a thread is free. Time moves to each event's exact
// instant, so the history keeps the dispatcher's timing, finer than the network's.
func (s *simulation) runClients(limit time.Duration) {
	for {
		at, timeout := s.nextClientEvent()
		if at >= limit {
			return
		}
		s.advance(at)
		if timeout >= 0 {
			c := &s.threads[timeout]
			s.complete(c, workload.Timeout(c.inv))
		} else {
			s.issue()
		}
	}
}

// nextClientEvent is the time of the clients' next event, and the thread that times out
// then, or -1 for an issue. A timeout goes first, as it may free the thread an issue waits
// for.
func (s *simulation) nextClientEvent() (at time.Duration, timeout int) {
	at, timeout = math.MaxInt64, -1
	if d := s.dispatch; d.Free() > 0 && max(d.Next(), s.now) < d.Cutoff() {
		at = max(d.Next(), s.now)
	}
	for i := range s.threads {
		if c := &s.threads[i]; c.waiting && c.deadline <= at {
			at, timeout = c.deadline, i
		}
	}
	return at, timeout
}

// issue sends the dispatcher's next op to its thread's node, which handles it at once, or
// when it resumes.
func (s *simulation) issue() {
	inv := s.dispatch.Issue(s.now)
	c := &s.threads[inv.Thread]
	c.msgID++
	c.waiting, c.inv, c.deadline = true, inv, s.now+s.cfg.ClientTimeout
	s.history.Append(inv.Invoke())
	line := []byte(`{"src":`)
	line = nodes.AppendString(line, c.id)
	line = append(line, `,"dest":`...)
	line = nodes.AppendString(line, s.ids[c.node])
	line = append(line, `,"body":`...)
	line = append(append(line, workload.Request(inv, c.msgID)...), '}')
	s.requests++
	if s.net.Down(s.ids[c.node]) {
		return // no process reads it; the client times out
	}
	if s.net.Paused(s.ids[c.node]) {
		nd := &s.nodes[c.node]
		nd.waiting = append(nd.waiting, line)
		return
	}
	s.deliver(c.node, witness.Stamp{}, line)
	s.idle(c.node)
}

// reply handles a line a node sent to a client, holding it to Maelstrom's schemas; cause is
// the node's vector clock when it sent it, for the quorum-witness verdict.
func (s *simulation) reply(node string, c *thread, cause witness.Stamp, line []byte) {
	s.replies++
	m, err := net.ParseLine(line)
	if err != nil {
		s.problem(node, string(line), "unparseable reply: %v", err)
		return
	}
	fields, ok := workload.Match(m.Body, c.msgID)
	switch {
	case fields == nil || fields["in_reply_to"] == nil:
		s.problem(node, string(line), "reply without in_reply_to")
		return
	case !ok || !c.waiting:
		return // late or duplicate: Maelstrom drops it
	}
	comp := workload.Classify(c.inv, fields)
	if comp.Malformed {
		s.problem(node, string(line), "reply to a %s breaks Maelstrom's schema (%s)", c.inv.F, comp.Error)
	}
	v := s.witness.Judge(c.id, c.msgID, node, cause)
	comp.Witness = &v
	s.complete(c, comp)
}

// complete records the end of a thread's op and frees the thread.
func (s *simulation) complete(c *thread, comp workload.Completion) {
	c.waiting = false
	s.history.Append(comp.Op(c.inv))
	s.dispatch.Complete(c.inv.Thread, comp.Type)
}

// stopClients times out whatever is still outstanding when the run ends.
func (s *simulation) stopClients() {
	for i := range s.threads {
		if c := &s.threads[i]; c.waiting {
			s.complete(c, workload.Timeout(c.inv))
		}
	}
}
