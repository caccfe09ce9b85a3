package kvserver

import (
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/nodelog"
)

// The Ready path: what the core hands back after a burst of input, handled in the order its
// fields require (consensus.Ready): save, apply and answer, then send.

// Idle implements [nodes.Machine]. It takes one Ready after another until the core has
// nothing ready; the first time it has nothing, the turn's own work is done (parked requests
// go to a leader, due batches leave), and what that gave the core is taken in the same loop.
// So everything the burst of events produced leaves as one batch.
func (s *Server[M]) Idle(now time.Duration, out *nodes.Outbox) {
	s.advance(now)
	flushed := false
	for {
		if s.core.HasReady() {
			rd := s.core.Ready()
			s.applyReady(rd, out)
			// A new leader gets the requests handed on before; they go now, so that forwards
			// among them ride on this Ready's messages to it.
			if s.learnLeader(rd.Leader) {
				s.retryHandedOff(now, out)
			}
			s.sendReady(now, rd, out)
			continue
		}
		if flushed {
			return
		}
		flushed = true
		s.retryParked(now, out)
		s.flushProposals(now, out)
		s.flushForwards(now, out)
	}
}

// applyReady saves what the Ready asks to keep, then applies its snapshot and its committed
// entries, and answers the reads whose point it confirms once they are applied.
func (s *Server[M]) applyReady(rd consensus.Ready[M], out *nodes.Outbox) {
	if err := s.disk.save(rd.Stable); err != nil {
		// After a failed sync nothing says what reached the disk, so neither retrying nor
		// going on is safe: the node stops, and a restart recovers from what is there.
		s.fatal(err)
	}
	if rd.Snapshot != nil && rd.Snapshot.Index > s.state.applied {
		s.restore(rd.Snapshot)
	}
	for _, e := range rd.Committed {
		s.apply(e, out)
	}
	for _, rs := range rd.ReadStates {
		s.answers.confirm(rs.ID, rs.Index)
	}
	for _, r := range s.answers.takeReadable(s.state.applied) {
		out.Send(r.client, s.state.read(r.msgID, r.key))
	}
}

// apply runs one committed entry on the state machine, answers the client if this node
// proposed it, and hands the core a snapshot every CompactEvery entries.
func (s *Server[M]) apply(e consensus.Entry, out *nodes.Outbox) {
	before := s.state.applied
	req, due, err := s.state.apply(e)
	if err != nil {
		s.fatal(err)
	}
	if due && s.answers.takeWrite(req.key) {
		out.Send(req.key.client, req.answer())
	}
	// Only now: the snapshot at e.Index must hold e's effect, since whoever restores it
	// (a lagging follower, this node after a restart) goes on from e.Index+1.
	if s.state.applied > before && s.state.snapshotDue(s.cfg.CompactEvery) {
		s.core.Compact(s.state.applied, s.state.snapshot())
	}
}

// restore replaces the replicated state by a snapshot.
func (s *Server[M]) restore(snap *consensus.Snapshot) {
	if err := s.state.restore(snap); err != nil {
		s.fatal(err)
	}
	s.log.Info("restored snapshot", "index", snap.Index, "keys", s.state.store.Len())
}

// learnLeader records the leader a Ready names, and reports whether it is a new one.
func (s *Server[M]) learnLeader(leader string) bool {
	if leader == s.leader {
		return false
	}
	s.log.Info(nodelog.LeaderChanged, nodelog.From, s.leader, nodelog.To, leader)
	s.leader = leader
	return leader != ""
}

// sendReady fails the reads a lost leadership left unconfirmed and sends the Ready's messages,
// each with the forwards that wait for the leader if it goes to the leader.
func (s *Server[M]) sendReady(now time.Duration, rd consensus.Ready[M], out *nodes.Outbox) {
	if s.leader != s.self {
		// The core dropped every read it had not confirmed. Failing a read is always safe.
		for _, r := range s.answers.takeUnconfirmed() {
			out.Send(r.client, nodes.NewErrorBody(r.msgID, nodes.Errorf(nodes.TemporarilyUnavailable, "%s lost leadership", s.self)))
		}
	}
	var deaf []string // the same for every message of the Ready: sending changes no one's
	if len(rd.Messages) > 0 {
		deaf = s.links.deafList(now)
	}
	for _, m := range rd.Messages {
		to := m.Dest()
		if !s.links.isPeer(to) {
			s.log.Error("core addressed an unknown peer; dropped", "to", to)
			continue
		}
		body := peerBody[M]{Type: s.cfg.Kind, M: m, Deaf: deaf}
		if s.forwards.len() > 0 && to == s.core.Leader() {
			// The queued forwards ride along: under load, followers answer the leader's
			// appends all the time, so most forwards cost no message of their own.
			reqs := s.forwards.takeAll()
			body.Reqs = appendRequests(nil, reqs)
			s.waiting.handOff(reqs...)
		}
		s.links.send(now, out, to, body)
	}
}
