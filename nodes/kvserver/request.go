package kvserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kv"
)

// The request path, in the order a client write takes it: Handle, handleClient, propose (at
// the leader) or forward (elsewhere), flushProposals into the core or flushForwards to the
// leader. The write comes back when its entry is committed (ready.go).

// peerBody is the body of a core message on the wire. Reqs, when present, are forwarded
// client requests riding along to the leader (see batch.go); Deaf names the peers that have
// left what the sender sent them unanswered lately (see relay.go).
type peerBody[M any] struct {
	Type string          `json:"type"`
	M    M               `json:"m"`
	Reqs json.RawMessage `json:"reqs,omitempty"`
	Deaf []string        `json:"deaf,omitempty"`
}

// Handle implements [nodes.Machine].
func (s *Server[M]) Handle(now time.Duration, msg *nodes.Message, out *nodes.Outbox) error {
	s.advance(now)
	msg, err := s.links.receive(now, msg, out)
	if msg == nil {
		return err
	}
	switch msg.Type {
	case "read", "write", "cas":
		return s.handleClient(now, queuedRequest{msg: msg, at: now}, out)
	case s.cfg.Kind:
		return s.step(now, msg, out)
	case forwardType:
		return s.handleForwarded(now, msg.Src, msg.Fields.Get("reqs"), out)
	}
	if msg.HasInReplyTo {
		return nil // a reply nobody waits for: duplicates and late answers are normal
	}
	return nodes.Errorf(nodes.NotSupported, "unsupported message type %q", msg.Type)
}

// step hands a peer's core message to the core, and serves the requests riding on it.
func (s *Server[M]) step(now time.Duration, msg *nodes.Message, out *nodes.Outbox) error {
	// Only the core's part is decoded: the runtime has scanned the body already.
	var m M
	raw := msg.Fields.Get("m")
	if raw == nil {
		return fmt.Errorf("kvserver: %s message from %s has no m", s.cfg.Kind, msg.Src)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("kvserver: bad %s message from %s: %w", s.cfg.Kind, msg.Src, err)
	}
	s.core.Step(m)
	if reqs := msg.Fields.Get("reqs"); reqs != nil {
		return s.handleForwarded(now, msg.Src, reqs, out)
	}
	return nil
}

// handleClient serves a client request that arrived directly (hops 0) or forwarded, or one
// taken again from the parked or handed-off requests. r's msg, hops, at and retry are set.
// A read asks the core for a read point; a write or cas is proposed at the leader and
// forwarded elsewhere.
func (s *Server[M]) handleClient(now time.Duration, r queuedRequest, out *nodes.Outbox) error {
	msg := r.msg
	if !msg.HasMsgID {
		return nodes.Errorf(nodes.MalformedRequest, "%s needs a msg_id", msg.Type)
	}
	f := msg.Fields
	cmd := kv.Command{Op: kv.Op(msg.Type), Key: f.Get("key"), Value: f.Get("value"), From: f.Get("from"), To: f.Get("to")}
	if err := cmd.Validate(); err != nil {
		return nodes.Errorf(nodes.MalformedRequest, "%v", err)
	}
	r.op = cmd.Op
	switch {
	case cmd.Op == kv.OpRead:
		id := s.answers.readID()
		if s.core.ReadIndex(id) {
			s.answers.awaitRead(id, pendingRead{client: msg.Src, msgID: msg.MsgID, key: cmd.Key, at: now})
			return nil
		}
	case s.core.Leader() == s.self:
		r.data = logCommand{Client: msg.Src, MsgID: msg.MsgID, Command: cmd}.encode()
		s.propose(now, r, out)
		return nil
	}
	if e := s.forward(now, r); e != nil {
		return e // not a nil *nodes.Error in a non-nil error
	}
	return nil
}

// serve is handleClient for a request that came another way than from its client: an error
// is the client's answer.
func (s *Server[M]) serve(now time.Duration, r queuedRequest, out *nodes.Outbox) {
	var e *nodes.Error
	if err := s.handleClient(now, r, out); errors.As(err, &e) {
		out.ReplyError(r.msg, e)
	} else if err != nil {
		s.log.Warn("request dropped", "client", r.msg.Src, "err", err)
	}
}

// propose queues an encoded command for the core. It is handed over now, or when the batch
// leaves if the leader lingers (at the latest BatchDelay from now). The core sends nothing
// before the next Ready, so everything proposed in this burst of input leaves together either
// way.
func (s *Server[M]) propose(now time.Duration, r queuedRequest, out *nodes.Outbox) {
	s.proposals.push(now, r)
	s.flushProposals(now, out)
}

// flushProposals hands the proposals to the core if they are due. A refused one (the core no
// longer leads, or is full) was handed to no log yet, and takes a follower's path.
func (s *Server[M]) flushProposals(now time.Duration, out *nodes.Outbox) {
	for _, r := range s.proposals.take(now) {
		if s.core.Propose(r.data) {
			s.answers.awaitWrite(requestKey{r.msg.Src, r.msg.MsgID}, now)
			r.data = nil // a retry encodes it again
			s.waiting.handOff(r)
		} else if e := s.forward(now, r); e != nil {
			out.ReplyError(r.msg, e)
		}
	}
}

// forward queues a request this node cannot serve for the leader it knows of. With no leader
// known (an election is under way), the request is parked until one is, for at most ParkFor.
func (s *Server[M]) forward(now time.Duration, r queuedRequest) *nodes.Error {
	if r.hops >= s.cfg.MaxHops {
		return unavailable(s.self, r)
	}
	if s.links.isPeer(s.core.Leader()) {
		s.forwards.push(now, r)
		return nil
	}
	if s.waiting.park(now, r) {
		return nil
	}
	return unavailable(s.self, r)
}

// flushForwards sends the forwards to the leader if they are due.
func (s *Server[M]) flushForwards(now time.Duration, out *nodes.Outbox) {
	q := s.forwards.take(now)
	if q == nil {
		return
	}
	if leader := s.core.Leader(); s.links.isPeer(leader) {
		s.links.send(now, out, leader, forwardBatch{reqs: q})
		s.waiting.handOff(q...)
		return
	}
	// The leader this node knew of is gone while the requests waited: each takes the whole
	// path again (and parks, or is proposed here).
	for _, r := range q {
		s.serve(now, r, out)
	}
}

// retryParked fails the requests parked for ParkFor, and takes the others through the request
// path again once a leader is known.
func (s *Server[M]) retryParked(now time.Duration, out *nodes.Outbox) {
	for _, p := range s.waiting.takeExpired(now) {
		out.ReplyError(p.msg, unavailable(s.self, p.queuedRequest))
	}
	if s.core.Leader() == "" {
		return
	}
	// A request parks anew if the core refuses it although it believes it leads (a full
	// uncommitted tail, say), and then keeps its first parking time.
	s.waiting.unpark(func(r queuedRequest) { s.serve(now, r, out) })
}

// retryHandedOff takes the requests handed on within RetryFor, and not applied here since,
// through the request path again, to the leader just learned of.
func (s *Server[M]) retryHandedOff(now time.Duration, out *nodes.Outbox) {
	retries := s.waiting.takeRetries(now, func(r queuedRequest) bool {
		return r.op != kv.OpRead && s.state.appliedHere(r.msg.Src, r.msg.MsgID)
	})
	for _, r := range retries {
		s.serve(now, r, out)
	}
	if len(retries) > 0 {
		s.log.Info("handed requests to the new leader again", "leader", s.leader, "requests", len(retries))
	}
}
