package sim

import (
	"math/rand/v2"
	"strconv"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/harness/internal/workload"
	"github.com/quorumkit/quorumkit/nodes"
)

// clients are the simulation's Maelstrom clients. Everything they decide is the harness's
// own code: the generator chooses the ops, the dispatcher when and on which thread, Request
// builds the bodies, Match picks the reply, Classify and Timeout turn it into :ok, :fail or
// :info, and the history records it with virtual times. Only the waiting is the simulator's.
type clients struct {
	threads     []thread
	clientAt    map[string]int // thread by client id
	dispatch    *workload.Dispatcher
	history     *history.History
	dispatching bool // an issue event is scheduled
	// requests and replies count client messages.
	requests, replies int64
}

// thread is one synchronous client: bound to one node, one request outstanding at a time.
type thread struct {
	id      string
	node    int
	msgID   int64
	waiting bool
	inv     workload.Invocation
}

// startClients sets up the threads and schedules the first op.
func (s *simulation) startClients(cfg Config, clk *clock.Manual) error {
	gen, err := workload.NewGenerator(cfg.Nodes, cfg.Concurrency, 0, rand.New(rand.NewPCG(cfg.Seed, 0x9e4)))
	if err != nil {
		return err
	}
	s.history = history.New(clk)
	s.clientAt = map[string]int{}
	for t := range cfg.Concurrency {
		id := "c" + strconv.Itoa(t)
		s.threads = append(s.threads, thread{id: id, node: s.index[workload.NodeFor(t, s.ids)]})
		s.clientAt[id] = t
	}
	s.dispatch = workload.NewDispatcher(gen, cfg.Concurrency, cfg.Rate, rand.New(rand.NewPCG(cfg.Seed, 0xd15)),
		0, cfg.Duration+cfg.Recovery)
	s.schedule()
	return nil
}

// schedule arranges the next issue: at the dispatcher's next time, once a thread is free.
// A completion calls it again, as a free thread is what the dispatcher may be waiting for.
func (s *simulation) schedule() {
	d := s.dispatch
	at := max(s.net.now, d.Next())
	if s.dispatching || d.Free() == 0 || at >= d.Cutoff() {
		return
	}
	s.dispatching = true
	s.net.at(at, s.issue)
}

// issue sends the dispatcher's next op to its thread's node, which gets it at once.
func (s *simulation) issue() {
	s.dispatching = false
	inv := s.dispatch.Issue(s.net.now)
	c := &s.threads[inv.Thread]
	c.msgID++
	c.waiting, c.inv = true, inv
	s.history.Append(inv.Invoke())
	line := []byte(`{"src":`)
	line = nodes.AppendString(line, c.id)
	line = append(line, `,"dest":`...)
	line = nodes.AppendString(line, s.ids[c.node])
	line = append(line, `,"body":`...)
	line = append(append(line, workload.Request(inv, c.msgID)...), '}')
	s.requests++
	node, msgID := c.node, c.msgID
	s.net.atNode(s.net.now, node, func() { s.deliver(node, line) })
	s.net.at(s.net.now+s.cfg.ClientTimeout, func() {
		if c.waiting && c.msgID == msgID {
			s.complete(c, workload.Timeout(c.inv))
		}
	})
	s.schedule()
}

// reply handles a line a node sent to a client, holding it to Maelstrom's schemas.
func (s *simulation) reply(node string, c *thread, line []byte) {
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
	s.complete(c, comp)
}

// complete records the end of a thread's op and frees the thread.
func (s *simulation) complete(c *thread, comp workload.Completion) {
	c.waiting = false
	s.history.Append(comp.Op(c.inv))
	s.dispatch.Complete(c.inv.Thread, comp.Type)
	s.schedule()
}

// stopClients times out whatever is still outstanding when the run ends.
func (s *simulation) stopClients() {
	for i := range s.threads {
		if c := &s.threads[i]; c.waiting {
			s.complete(c, workload.Timeout(c.inv))
		}
	}
}
