package kvserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
)

// Relaying around one-way links.
//
// Maelstrom's 3-node :majorities-ring partition leaves every link working in one direction
// only (n0 hears n1, n1 hears n2, n2 hears n0), so no two nodes can exchange a request and its
// answer, and no leader can commit until the heal, although every message still has a path.
// So each server tells its peers which of them have sent it nothing directly for DeafAfter
// since it last sent them something (the "deaf" member of its core messages: they do not seem
// to hear it, or it does not hear them), and a node that learns that a peer cannot hear it
// sends that peer, for RelayFor after the last such notice, a copy of each message by way of
// every other peer as well: {"type":"relay","from":..,"to":..,"deaf":[..],"body":{..}}. The
// middle node passes the wrapper on unchanged, never relaying it again; the addressee handles
// the body as a message from "from". In the ring, a leader's followers learn from its messages
// that it hears neither of them, and route their answers round the ring.
//
// In a healthy cluster nothing is relayed: a leader hears its followers' answers, followers
// hear the leader, and a peer this node sends nothing to (followers to each other, a
// candidate to the followers before its first vote request) is never named. A cut that works
// in neither direction carries no notice. When the round trip exceeds DeafAfter (constant
// latencies of 75 ms and more), a peer is named after each silence until its first answer,
// after an election say, and the answers go round for RelayFor: a cost in messages only.
//
// Relayed copies are duplicates of direct ones, which the cores and the sessions tolerate, but
// each copy handled would be answered, and the answers relayed in turn: so a relayed body
// identical to one handled lately from the same sender is dropped (direct bodies are hashed
// for this only while their sender also relays, so a healthy cluster pays nothing). Delay is no threat to the
// leases, which count from the leader's send times, nor is a longer path to safety: a relay
// is one more way for a message to be late, lost or duplicated.
const (
	relayType = "relay"
	// DefaultDeafAfter is how long a peer may leave what this node sent it unanswered before
	// the node names it: three leader heartbeat intervals.
	DefaultDeafAfter = 150 * time.Millisecond
	// DefaultRelayFor is how long after a peer last said it could not hear this node the
	// node's messages to it also go round.
	DefaultRelayFor = 500 * time.Millisecond
)

// relayBody is the wrapper of a relayed message.
type relayBody struct {
	Type string          `json:"type"`
	From string          `json:"from"`
	To   string          `json:"to"`
	Deaf []string        `json:"deaf,omitempty"`
	Body json.RawMessage `json:"body"`
}

// rawBody is a body sent on verbatim.
type rawBody []byte

func (b rawBody) AppendBody(dst []byte) []byte { return append(dst, b...) }

// recentBodies is how many bodies per peer seen remembers.
const recentBodies = 64

// recent holds the hashes of the last bodies handled from one peer.
type recent struct {
	hashes [recentBodies]uint64
	next   int
}

// heardFrom records a message that arrived directly from a peer: the peer answered. While the
// peer also relays to this node, the body is remembered for seen, so that relayed copies of it
// are dropped; otherwise no copy can come, and the hot path hashes nothing.
func (s *Server[M]) heardFrom(now time.Duration, msg *nodes.Message) {
	if !s.peers[msg.Src] || msg.Src == s.self {
		return
	}
	delete(s.unanswered, msg.Src)
	if at, ok := s.relayedBy[msg.Src]; ok && now-at < s.cfg.RelayFor && msg.Type != relayType {
		s.seen(msg.Src, msg.Body)
	}
}

// seen reports whether body was handled lately from peer, and remembers it.
func (s *Server[M]) seen(peer string, body []byte) bool {
	r := s.recent[peer]
	if r == nil {
		r = &recent{}
		s.recent[peer] = r
	}
	// A fixed hash, not a randomly seeded one: the machine stays a function of its input.
	// A collision only drops a message, which the protocols survive like any loss.
	f := fnv.New64a()
	f.Write(body)
	h := f.Sum64()
	if slices.Contains(r.hashes[:], h) {
		return true
	}
	r.hashes[r.next] = h
	r.next = (r.next + 1) % recentBodies
	return false
}

// deafList names the peers that have left what this node sent them unanswered for DeafAfter.
func (s *Server[M]) deafList(now time.Duration) []string {
	if s.cfg.DeafAfter < 0 {
		return nil
	}
	var deaf []string
	for _, p := range s.others {
		if at, ok := s.unanswered[p]; ok && now-at >= s.cfg.DeafAfter {
			deaf = append(deaf, p)
		}
	}
	return deaf
}

// noteDeaf reads a peer's deaf list (raw JSON): if it names this node, the peer cannot hear it.
func (s *Server[M]) noteDeaf(now time.Duration, peer string, raw json.RawMessage) {
	if raw == nil || s.cfg.DeafAfter < 0 || !bytes.Contains(raw, s.selfJSON) {
		return
	}
	var deaf []string
	if json.Unmarshal(raw, &deaf) == nil && slices.Contains(deaf, s.self) && s.peers[peer] {
		if _, was := s.deafTo[peer]; !was || now-s.deafTo[peer] >= s.cfg.RelayFor {
			s.log.Info("peer cannot hear us; relaying", "peer", peer)
		}
		s.deafTo[peer] = now
	}
}

// sendPeer sends body to peer directly and, if the peer said lately that it cannot hear this
// node, by way of every other peer too.
func (s *Server[M]) sendPeer(now time.Duration, out *nodes.Outbox, peer string, body any) {
	out.Send(peer, body)
	if _, waiting := s.unanswered[peer]; !waiting && s.cfg.DeafAfter >= 0 {
		s.unanswered[peer] = now
	}
	at, ok := s.deafTo[peer]
	if !ok || now-at >= s.cfg.RelayFor {
		return
	}
	raw, err := nodes.AppendBody(nil, body)
	if err != nil {
		s.log.Error("relay: cannot encode a body", "err", err)
		return
	}
	w := relayBody{Type: relayType, From: s.self, To: peer, Deaf: s.deafList(now), Body: raw}
	for _, via := range s.others {
		if via != peer {
			out.Send(via, w)
		}
	}
}

// handleRelay passes a wrapper on to its addressee, or handles its body if that is this node.
func (s *Server[M]) handleRelay(now time.Duration, msg *nodes.Message, out *nodes.Outbox) error {
	from, _ := nodes.String(msg.Fields.Get("from"))
	to, _ := nodes.String(msg.Fields.Get("to"))
	body := msg.Fields.Get("body")
	if !s.peers[from] || !s.peers[to] || from == to || body == nil {
		return fmt.Errorf("kvserver: relay from %s without a valid from, to or body", msg.Src)
	}
	s.noteDeaf(now, from, msg.Fields.Get("deaf"))
	if to != s.self {
		out.Send(to, rawBody(msg.Body)) // once: the addressee does not pass it on
		return nil
	}
	s.relayedBy[from] = now
	if s.seen(from, body) {
		return nil // handled already, directly or by another way
	}
	inner, err := nodes.ParseBody(from, s.self, body)
	if err != nil {
		return fmt.Errorf("kvserver: relayed body from %s: %w", from, err)
	}
	if inner.Type == relayType {
		return fmt.Errorf("kvserver: nested relay from %s", from)
	}
	return s.dispatch(now, inner, out)
}
