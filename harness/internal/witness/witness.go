package witness

import (
	"math"
	"slices"
	"strconv"

	"github.com/quorumkit/quorumkit/nodes"
)

// Stamp is the vector clock a message carries from its sender: the sender's
// clock when it sent the message. The zero Stamp, which messages from clients
// carry, knows nothing. A Stamp is immutable, so a message queued for a long
// time still carries exactly what its sender knew.
type Stamp struct {
	// clock[k] is the number of events of participant k the sender knows of;
	// it is shared with the sender's clock until the sender's next delivery,
	// which copies before it writes.
	clock []uint32
}

// Verdict says whether the reply a client matched was witnessed by a quorum.
type Verdict struct {
	// Node is the node (or service) that sent the reply.
	Node string
	// Arrival is the node the request arrived at, or "" when the Tracker saw
	// no arrival of this request from this client: the reply answers a
	// request it never delivered, which nothing can have witnessed.
	Arrival string
	// Witnesses are the nodes, in the order they were given to New, that
	// have an event causally after the request's arrival and causally before
	// the reply.
	Witnesses []string
	// Service is the first service with such an event, or "".
	Service string
	// Quorum is the number of witnesses needed: a majority of the nodes.
	Quorum int
	// Witnessed is true when Witnesses reach Quorum or Service is set.
	Witnessed bool
}

// participant is one node or service.
type participant struct {
	// clock is the participant's vector clock; clock[self] counts its
	// deliveries. It must not be written while shared is set: a Stamp
	// handed out by Sent points at it.
	clock  []uint32
	shared bool
}

// request is one client request that has arrived and not yet been judged.
type request struct {
	client string
	msgID  int64
	// at is the participant the request arrived at, seq the counter of its
	// arrival event there.
	at  int
	seq uint32
	// first[k] is the counter of participant k's first event whose clock
	// knows the arrival, or 0 while there is none. first[at] is seq.
	first []uint32
}

// Tracker follows happens-before over the messages of one cluster and judges
// replies. It is not safe for concurrent use.
type Tracker struct {
	// names holds the nodes, then the services; index maps a name to its
	// position, which is also its component in every clock.
	names []string
	index map[string]int
	nodes int
	parts []participant
	// pending holds each client's request that is waiting for a verdict;
	// arrivals holds the same requests by the participant they arrived at,
	// in arrival order, so a delivery only looks at the requests whose
	// component of the clock it raised.
	pending  map[string]*request
	arrivals [][]*request
}

// New returns a Tracker over the server nodes and the services (ids that
// are neither nodes nor clients, linearizable by construction). Every other
// id is a client. Names must be distinct.
func New(nodeIDs, services []string) *Tracker {
	names := append(slices.Clone(nodeIDs), services...)
	t := &Tracker{
		names: names, index: make(map[string]int, len(names)), nodes: len(nodeIDs),
		parts: make([]participant, len(names)), pending: map[string]*request{},
		arrivals: make([][]*request, len(names)),
	}
	for i, n := range names {
		if _, dup := t.index[n]; dup {
			panic("witness: participant named twice: " + n)
		}
		t.index[n] = i
		t.parts[i].clock = make([]uint32, len(names))
	}
	return t
}

// Quorum is the number of witnesses a reply needs: a majority of the nodes.
func (t *Tracker) Quorum() int { return t.nodes/2 + 1 }

// Sent records that src emitted a message and returns the Stamp the message
// carries. For an id that is not a participant it returns the zero Stamp.
func (t *Tracker) Sent(src string) Stamp {
	j, ok := t.index[src]
	if !ok {
		return Stamp{}
	}
	p := &t.parts[j]
	p.shared = true
	return Stamp{clock: p.clock}
}

// Delivered records that a message from src carrying cause is about to be
// handed to dest. Call it before the message's bytes reach dest, so that no
// output of dest that depends on the message can be read first. A message
// from a client is a request when its body has an integer msg_id; a message
// to a client changes nothing.
func (t *Tracker) Delivered(dest, src string, cause Stamp, body []byte) {
	j, ok := t.index[dest]
	if !ok {
		return
	}
	p := &t.parts[j]
	if p.shared {
		p.clock = slices.Clone(p.clock)
		p.shared = false
	}
	c := p.clock
	if c[j] == math.MaxUint32 {
		panic("witness: event counter overflow at " + dest)
	}
	c[j]++
	for k, v := range cause.clock {
		if v > c[k] {
			c[k] = v
			t.learn(j, k)
		}
	}
	// Participants always send a non-nil Stamp, so only a message without
	// one can come from a client.
	if cause.clock == nil {
		if _, participant := t.index[src]; !participant {
			t.arrive(j, src, body)
		}
	}
}

// learn notes, for every pending request that arrived at participant k, that
// participant j's latest event knows the arrival if its clock now covers it.
func (t *Tracker) learn(j, k int) {
	c := t.parts[j].clock
	for _, r := range t.arrivals[k] {
		if r.first[j] == 0 && r.seq <= c[k] {
			r.first[j] = c[j]
		}
	}
}

// arrive records a client's request delivered to participant j, whose
// latest event is the arrival. A redelivery of the client's pending request
// keeps the first arrival; a new request replaces the pending one.
func (t *Tracker) arrive(j int, client string, body []byte) {
	fields, err := nodes.ParseObject(body)
	if err != nil {
		return
	}
	id, err := strconv.ParseInt(string(fields.Get("msg_id")), 10, 64)
	if err != nil {
		return
	}
	if old := t.pending[client]; old != nil {
		if old.msgID == id {
			return
		}
		t.forget(old)
	}
	seq := t.parts[j].clock[j]
	r := &request{client: client, msgID: id, at: j, seq: seq, first: make([]uint32, len(t.names))}
	r.first[j] = seq
	t.pending[client] = r
	t.arrivals[j] = append(t.arrivals[j], r)
}

// forget drops a request from pending and from its arrival list.
func (t *Tracker) forget(r *request) {
	delete(t.pending, r.client)
	list := t.arrivals[r.at]
	if i := slices.Index(list, r); i >= 0 {
		list = slices.Delete(list, i, i+1)
		t.arrivals[r.at] = list
	}
}

// Judge gives the verdict on a reply that client matched to its request
// msgID: the reply came from node from and carried reply. The request is
// then forgotten; judging it again finds no arrival.
func (t *Tracker) Judge(client string, msgID int64, from string, reply Stamp) Verdict {
	v := Verdict{Node: from, Quorum: t.Quorum()}
	r := t.pending[client]
	if r == nil || r.msgID != msgID {
		return v
	}
	t.forget(r)
	v.Arrival = t.names[r.at]
	for k, first := range r.first {
		if first == 0 || k >= len(reply.clock) || reply.clock[k] < first {
			continue
		}
		if k < t.nodes {
			v.Witnesses = append(v.Witnesses, t.names[k])
		} else if v.Service == "" {
			v.Service = t.names[k]
		}
	}
	v.Witnessed = len(v.Witnesses) >= v.Quorum || v.Service != ""
	return v
}

// Pending is the number of requests waiting for a verdict, at most one per
// client: the figure that bounds the Tracker's memory.
func (t *Tracker) Pending() int { return len(t.pending) }
