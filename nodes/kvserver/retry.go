package kvserver

import (
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kv"
)

// Handing requests to a new leader.
//
// A request forwarded to a leader that is then cut off, or proposed by a leader that is then
// deposed, is lost with it, and its client learns nothing until its own timeout (1 s): under
// Maelstrom's partitions every client on the majority side waited out that second, although
// the new leader was elected after about 0.4 s. So a node remembers, for RetryFor, the
// requests it handed on, and whenever its core reports a leader other than the one of its
// last Ready (a new one, or any after a spell with none known) it hands every one it has not
// seen applied to that leader again. (A leader re-elected without a spell between, as a Raft
// follower may see it, triggers nothing: the requests wait for their clients' timeouts.)
//
// This is safe because the replicated sessions apply a request once: a copy whose msg_id is
// not above its client's last applied one changes nothing, and the copy of the last one is
// answered with the outcome the first copy had (sessions keep it), so the client may hear the
// answer twice but never two different ones, and a retried cas does not fail on its own
// write. A retried request that then finds no leader fails with 13, never 11, since a copy may
// be in a log. Writes already applied here are not retried; reads leave no trace in the log
// and are retried all the same: a read changes nothing, and a second answer is discarded by
// the client.

// handOff remembers requests just forwarded to a leader or proposed to this node's core.
func (s *Server[M]) handOff(reqs ...queuedRequest) {
	if s.cfg.RetryFor > 0 {
		s.handedOff = append(s.handedOff, reqs...)
	}
}

// forgetHandedOff drops the requests taken more than RetryFor ago from the front (a retried
// request keeps its arrival time, so a few old ones may sit further back; retryHandedOff
// skips them).
func (s *Server[M]) forgetHandedOff(now time.Duration) {
	n := 0
	for n < len(s.handedOff) && now-s.handedOff[n].at >= s.cfg.RetryFor {
		n++
	}
	if n > 0 {
		clear(s.handedOff[:n])
		s.handedOff = s.handedOff[n:]
	}
}

// retryHandedOff hands the requests handed on within RetryFor, and not applied here since, to
// the leader just learned of.
func (s *Server[M]) retryHandedOff(now time.Duration, out *nodes.Outbox) {
	reqs := s.handedOff
	s.handedOff = nil
	n := 0
	for _, r := range reqs {
		if now-r.at >= s.cfg.RetryFor || s.appliedHere(r) {
			continue
		}
		r.retry = true
		s.serve(now, r, out)
		n++
	}
	if n > 0 {
		s.log.Info("handed requests to the new leader again", "leader", s.leader, "requests", n)
	}
}

// appliedHere reports whether r is a write or cas this node's state machine has applied (or
// skipped because its client moved on).
func (s *Server[M]) appliedHere(r queuedRequest) bool {
	if r.op == kv.OpRead {
		return false
	}
	last, ok := s.sessions[r.msg.Src]
	return ok && r.msg.MsgID <= last.MsgID
}
