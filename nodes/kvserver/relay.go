package kvserver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"log/slog"
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
// for this only while their sender also relays, so a healthy cluster pays nothing). Delay is
// no threat to the leases, which count from the leader's send times, nor is a longer path to
// safety: a relay is one more way for a message to be late, lost or duplicated.
//
// All of it is the overlay's: the server passes every message it receives through
// overlay.receive and sends every message to a peer with overlay.send.
const (
	relayType = "relay"
	// DefaultDeafAfter is how long a peer may leave what this node sent it unanswered before
	// the node names it: three leader heartbeat intervals.
	DefaultDeafAfter = 150 * time.Millisecond
	// DefaultRelayFor is how long after a peer last said it could not hear this node the
	// node's messages to it also go round.
	DefaultRelayFor = 500 * time.Millisecond
)

// overlay relays round one-way links. Its zero value is not usable: see newOverlay.
type overlay struct {
	self     string
	selfJSON []byte          // self as JSON, to spot it in a deaf list cheaply
	peers    map[string]bool // every node of the cluster, this one included
	others   []string        // the peers but this node, sorted
	// deafAfter and relayFor are Config's DeafAfter and RelayFor; off turns relaying off at
	// this node, both ways.
	deafAfter, relayFor time.Duration
	off                 bool
	// unanswered is, per peer, when this node first sent it something since the last direct
	// message from it; deafTo when each peer last said it could not hear this node.
	unanswered, deafTo map[string]time.Duration
	// recent are the hashes of the bodies lately handled from each peer, to drop relayed
	// copies of them; relayedBy is when each peer's last relayed message arrived.
	recent    map[string]*recent
	relayedBy map[string]time.Duration
	log       *slog.Logger
}

func newOverlay(self string, ids []string, deafAfter, relayFor time.Duration, log *slog.Logger) *overlay {
	o := &overlay{
		self: self, selfJSON: nodes.AppendString(nil, self), peers: make(map[string]bool, len(ids)),
		deafAfter: deafAfter, relayFor: relayFor, off: deafAfter < 0 || relayFor < 0,
		unanswered: make(map[string]time.Duration), deafTo: make(map[string]time.Duration),
		recent: make(map[string]*recent), relayedBy: make(map[string]time.Duration), log: log,
	}
	for _, id := range ids {
		o.peers[id] = true
		if id != self {
			o.others = append(o.others, id)
		}
	}
	slices.Sort(o.others)
	return o
}

// isPeer reports whether id is another node of the cluster.
func (o *overlay) isPeer(id string) bool { return id != o.self && o.peers[id] }

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

// receive takes every message that arrives. It returns the message to handle: msg itself, or
// the body of a relay addressed to this node as a message from its sender; nil when there is
// nothing to handle (a relay passed on, or a copy handled already).
func (o *overlay) receive(now time.Duration, msg *nodes.Message, out *nodes.Outbox) (*nodes.Message, error) {
	o.heardFrom(now, msg)
	if msg.Type != relayType {
		o.noteDeaf(now, msg.Src, msg.Fields.Get("deaf"))
		return msg, nil
	}
	from, _ := nodes.String(msg.Fields.Get("from"))
	to, _ := nodes.String(msg.Fields.Get("to"))
	body := msg.Fields.Get("body")
	if !o.peers[from] || !o.peers[to] || from == to || body == nil {
		return nil, fmt.Errorf("kvserver: relay from %s without a valid from, to or body", msg.Src)
	}
	o.noteDeaf(now, from, msg.Fields.Get("deaf"))
	if to != o.self {
		out.Send(to, rawBody(msg.Body)) // once: the addressee does not pass it on
		return nil, nil
	}
	o.relayedBy[from] = now
	if o.seen(from, body) {
		return nil, nil // handled already, directly or by another way
	}
	inner, err := nodes.ParseBody(from, o.self, body)
	if err != nil {
		return nil, fmt.Errorf("kvserver: relayed body from %s: %w", from, err)
	}
	if inner.Type == relayType {
		return nil, fmt.Errorf("kvserver: nested relay from %s", from)
	}
	o.noteDeaf(now, from, inner.Fields.Get("deaf"))
	return inner, nil
}

// send sends body to peer directly and, if the peer said lately that it cannot hear this
// node, by way of every other peer too. (A core message carries this node's deaf list, which
// the Ready path takes once per Ready from deafList.)
func (o *overlay) send(now time.Duration, out *nodes.Outbox, peer string, body any) {
	out.Send(peer, body)
	if _, waiting := o.unanswered[peer]; !waiting && !o.off {
		o.unanswered[peer] = now
	}
	at, ok := o.deafTo[peer]
	if !ok || now-at >= o.relayFor {
		return
	}
	raw, err := nodes.AppendBody(nil, body)
	if err != nil {
		o.log.Error("relay: cannot encode a body", "err", err)
		return
	}
	w := relayBody{Type: relayType, From: o.self, To: peer, Deaf: o.deafList(now), Body: raw}
	for _, via := range o.others {
		if via != peer {
			out.Send(via, w)
		}
	}
}

// heardFrom records a message that arrived directly from a peer: the peer answered. While the
// peer also relays to this node, the body is remembered for seen, so that relayed copies of it
// are dropped; otherwise no copy can come, and the hot path hashes nothing.
func (o *overlay) heardFrom(now time.Duration, msg *nodes.Message) {
	if !o.isPeer(msg.Src) {
		return
	}
	delete(o.unanswered, msg.Src)
	if at, ok := o.relayedBy[msg.Src]; ok && now-at < o.relayFor && msg.Type != relayType {
		o.seen(msg.Src, msg.Body)
	}
}

// seen reports whether body was handled lately from peer, and remembers it.
func (o *overlay) seen(peer string, body []byte) bool {
	r := o.recent[peer]
	if r == nil {
		r = &recent{}
		o.recent[peer] = r
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

// deafList names the peers that have left what this node sent them unanswered for deafAfter.
func (o *overlay) deafList(now time.Duration) []string {
	if o.off {
		return nil
	}
	var deaf []string
	for _, p := range o.others {
		if at, ok := o.unanswered[p]; ok && now-at >= o.deafAfter {
			deaf = append(deaf, p)
		}
	}
	return deaf
}

// noteDeaf reads a peer's deaf list (raw JSON): if it names this node, the peer cannot hear it.
func (o *overlay) noteDeaf(now time.Duration, peer string, raw json.RawMessage) {
	if raw == nil || o.off || !bytes.Contains(raw, o.selfJSON) {
		return
	}
	var deaf []string
	if json.Unmarshal(raw, &deaf) == nil && slices.Contains(deaf, o.self) && o.peers[peer] {
		if _, was := o.deafTo[peer]; !was || now-o.deafTo[peer] >= o.relayFor {
			o.log.Info("peer cannot hear us; relaying", "peer", peer)
		}
		o.deafTo[peer] = now
	}
}
