package kvserver

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kv"
)

// Defaults of the batching in [Config].
const (
	// DefaultBatchDelay is the longest a request waits for others to leave with it.
	DefaultBatchDelay = 10 * time.Millisecond
	// DefaultBatchRate is the arrival rate, in requests per second at one queue, above which
	// the queue waits for company: 1.5 per DefaultBatchDelay.
	DefaultBatchRate = 150
	// DefaultBatchSize is how many queued requests make a batch leave without waiting more:
	// an append round costs 2 messages per follower, so 8 requests bring it under 1 per
	// request on 3 nodes, and at high rates a batch fills long before BatchDelay.
	DefaultBatchSize = 8
	// rateWindow is the window over which a queue's arrival rate is measured.
	rateWindow = 100 * time.Millisecond
)

// batchQueue holds requests of one kind (a leader's proposals, a follower's forwards) and
// decides when they leave. Within one burst of input everything queued leaves together anyway,
// at Idle. Under load the queue lingers as well, so that it leaves at most once per delay (or
// as soon as it holds size requests) and no request waits longer than delay:
//
//   - a leader's proposals go Nagle-style: at once if the last batch left at least delay ago,
//     else when it has. Each batch costs an append (an Accept) and its answer per follower.
//   - a follower's forwards are patient: they leave when the oldest has waited delay. Meanwhile
//     they ride along on whatever the core sends the leader (see Server.process), and under
//     load a follower answers the leader's appends about once per delay, so most forwards
//     cost no message at all.
//
// A queue lingers only while requests arrive faster than the configured rate (measured over
// the current and the previous rateWindow), so that a lightly loaded node, whose requests
// would wait for company that does not come, adds no latency.
type batchQueue struct {
	reqs      []queuedRequest
	delay     time.Duration
	threshold int           // arrivals per window at which lingering starts; 0: never linger
	size      int           // a queue this long leaves at once
	patient   bool          // wait from the oldest arrival, not from the last batch
	last      time.Duration // when the last batch left
	oldest    time.Duration // when the oldest request queued now arrived
	winStart  time.Duration
	cur, prev int // arrivals in the current and the previous window
}

func newBatchQueue(delay time.Duration, rate float64, size int, patient bool) batchQueue {
	if delay <= 0 || rate <= 0 {
		return batchQueue{}
	}
	return batchQueue{delay: delay, threshold: max(1, int(rate*rateWindow.Seconds()+0.5)), size: size, patient: patient}
}

func (q *batchQueue) roll(now time.Duration) {
	switch {
	case now-q.winStart >= 2*rateWindow:
		q.winStart, q.cur, q.prev = now, 0, 0
	case now-q.winStart >= rateWindow:
		q.winStart += rateWindow
		q.prev, q.cur = q.cur, 0
	}
}

// push queues r, arrived at now.
func (q *batchQueue) push(now time.Duration, r queuedRequest) {
	q.roll(now)
	q.cur++
	if len(q.reqs) == 0 {
		q.oldest = now
	}
	q.reqs = append(q.reqs, r)
}

// lingering reports whether the queue is under enough load to wait for company.
func (q *batchQueue) lingering(now time.Duration) bool {
	if q.threshold == 0 {
		return false
	}
	q.roll(now)
	return q.cur >= q.threshold || q.prev >= q.threshold
}

func (q *batchQueue) due(now time.Duration) bool {
	switch {
	case len(q.reqs) == 0:
		return false
	case q.size > 0 && len(q.reqs) >= q.size, !q.lingering(now):
		return true
	case q.patient:
		return now-q.oldest >= q.delay
	}
	return now-q.last >= q.delay
}

// take empties the queue and returns what it held if it is due to leave now, else nil.
func (q *batchQueue) take(now time.Duration) []queuedRequest {
	if !q.due(now) {
		return nil
	}
	q.last = now
	return q.takeAll()
}

// takeAll empties the queue, due or not, and returns what it held.
func (q *batchQueue) takeAll() []queuedRequest {
	reqs := q.reqs
	q.reqs = nil
	return reqs
}

// queuedRequest is a client request waiting in a batch: a write or cas to propose (data set),
// or a request of any kind to forward.
type queuedRequest struct {
	msg  *nodes.Message
	hops int
	op   kv.Op
	data []byte
	at   time.Duration // when this node took it (from its client or a forward)
	// retry: this node handed the request on before (see retry.go), so a copy may be in a
	// log and no error for it may be definite.
	retry bool
}

// forwardBatch carries client requests to the node believed to lead, verbatim with their
// clients' ids; the receiver answers each client directly.
type forwardBatch struct {
	reqs []queuedRequest
}

const forwardType = "forward"

// forwardItem is one request of a forward batch on the wire.
type forwardItem struct {
	Client string          `json:"client"`
	Hops   int             `json:"hops"`
	Req    json.RawMessage `json:"req"`
}

// AppendBody encodes {"type":"forward","reqs":[...]}.
func (f forwardBatch) AppendBody(dst []byte) []byte {
	dst = append(dst, `{"type":"forward","reqs":`...)
	dst = appendRequests(dst, f.reqs)
	return append(dst, '}')
}

// appendRequests encodes reqs as [{"client":...,"hops":...,"req":{...}},...]; hops counts the
// hop being taken. The requests' bodies are valid JSON objects: they were parsed on arrival.
func appendRequests(dst []byte, reqs []queuedRequest) []byte {
	dst = append(dst, '[')
	for i, r := range reqs {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"client":`...)
		dst = nodes.AppendString(dst, r.msg.Src)
		dst = append(dst, `,"hops":`...)
		dst = strconv.AppendInt(dst, int64(r.hops+1), 10)
		dst = append(dst, `,"req":`...)
		dst = append(dst, r.msg.Body...)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// handleForward serves a forward batch.
func (s *Server[M]) handleForward(now time.Duration, msg *nodes.Message, out *nodes.Outbox) error {
	raw := msg.Fields.Get("reqs")
	if raw == nil {
		return fmt.Errorf("kvserver: forward from %s has no reqs", msg.Src)
	}
	return s.handleForwarded(now, msg.Src, raw, out)
}

// handleForwarded serves every forwarded request in raw (a forward batch's, or riding on a
// core message) as if its client had sent it here. An error answers that request's client,
// not the node that forwarded it; a malformed item is logged and skipped (it has no client to
// answer).
func (s *Server[M]) handleForwarded(now time.Duration, from string, raw json.RawMessage, out *nodes.Outbox) error {
	var items []forwardItem
	if err := json.Unmarshal(raw, &items); err != nil {
		return fmt.Errorf("kvserver: bad forwarded requests from %s: %w", from, err)
	}
	for i, it := range items {
		if it.Client == "" || it.Hops < 1 {
			s.log.Warn("forwarded request without its client or hops; skipped", "from", from, "item", i)
			continue
		}
		req, err := nodes.ParseBody(it.Client, s.self, it.Req)
		if err != nil {
			s.log.Warn("undecodable forwarded request; skipped", "from", from, "item", i, "err", err)
			continue
		}
		s.serve(now, queuedRequest{msg: req, hops: it.Hops, at: now}, out)
	}
	return nil
}

// flush sends whatever the queues say is due: proposals first (a refused one joins the
// forwards), then forwards (one that finds this node leading joins the proposals, which then
// go at once if they are due).
func (s *Server[M]) flush(now time.Duration, out *nodes.Outbox) {
	s.flushProposals(now, out)
	s.flushForwards(now, out)
	s.flushProposals(now, out)
}

// flushProposals hands the proposals to the core if they are due. A refused one (the core no
// longer leads, or is full) was handed to no log yet, and takes a follower's path.
func (s *Server[M]) flushProposals(now time.Duration, out *nodes.Outbox) {
	for _, r := range s.proposals.take(now) {
		if s.core.Propose(r.data) {
			s.writes[requestKey{r.msg.Src, r.msg.MsgID}] = pendingWrite{op: r.op, at: now}
			r.data = nil // a retry encodes it again
			s.handOff(r)
		} else if e := s.forward(now, r); e != nil {
			out.ReplyError(r.msg, e)
		}
	}
}

// flushForwards sends the forwards to the leader if they are due.
func (s *Server[M]) flushForwards(now time.Duration, out *nodes.Outbox) {
	q := s.forwards.take(now)
	if q == nil {
		return
	}
	leader := s.core.Leader()
	if leader != "" && leader != s.self && s.peers[leader] {
		s.sendPeer(now, out, leader, forwardBatch{reqs: q})
		s.handOff(q...)
		return
	}
	// The leader this node knew of is gone while the requests waited: each takes the whole
	// path again (and parks, or is proposed here).
	for _, r := range q {
		s.serve(now, r, out)
	}
}
