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

// batcher decides when a queue of requests (a leader's proposals, a follower's forwards)
// leaves. Within one burst of input everything queued leaves together anyway, at Idle. Under
// load the queue lingers as well, so that it leaves at most once per delay (or as soon as it
// holds size requests) and no request waits longer than delay:
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
type batcher struct {
	delay     time.Duration
	threshold int           // arrivals per window at which lingering starts; 0: never linger
	size      int           // a queue this long leaves at once
	patient   bool          // wait from the oldest arrival, not from the last batch
	last      time.Duration // when the last batch left
	oldest    time.Duration // when the oldest request queued now arrived
	winStart  time.Duration
	cur, prev int // arrivals in the current and the previous window
}

func newBatcher(delay time.Duration, rate float64, size int, patient bool) batcher {
	if delay <= 0 || rate <= 0 {
		return batcher{}
	}
	return batcher{delay: delay, threshold: max(1, int(rate*rateWindow.Seconds()+0.5)), size: size, patient: patient}
}

func (b *batcher) roll(now time.Duration) {
	switch {
	case now-b.winStart >= 2*rateWindow:
		b.winStart, b.cur, b.prev = now, 0, 0
	case now-b.winStart >= rateWindow:
		b.winStart += rateWindow
		b.prev, b.cur = b.cur, 0
	}
}

// arrive counts one request queued at now behind queued others.
func (b *batcher) arrive(now time.Duration, queued int) {
	b.roll(now)
	b.cur++
	if queued == 0 {
		b.oldest = now
	}
}

// lingering reports whether the queue is under enough load to wait for company.
func (b *batcher) lingering(now time.Duration) bool {
	if b.threshold == 0 {
		return false
	}
	b.roll(now)
	return b.cur >= b.threshold || b.prev >= b.threshold
}

// due reports whether a queue of queued requests should leave now; if it does, the caller
// sends it and calls sent.
func (b *batcher) due(now time.Duration, queued int) bool {
	if queued == 0 {
		return false
	}
	if b.size > 0 && queued >= b.size {
		return true
	}
	if b.patient {
		return !b.lingering(now) || now-b.oldest >= b.delay
	}
	return !b.lingering(now) || now-b.last >= b.delay
}

func (b *batcher) sent(now time.Duration) { b.last = now }

// queuedRequest is a client request waiting in a batch: a write or cas to propose (data set),
// or a request of any kind to forward.
type queuedRequest struct {
	msg  *nodes.Message
	hops int
	op   kv.Op
	data []byte
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
		s.serve(now, req, it.Hops, out)
	}
	return nil
}

// flush sends whatever the batchers say is due: proposals first (a refused one joins the
// forwards), then forwards (one that finds this node leading joins the proposals, which then
// go at once if they are due).
func (s *Server[M]) flush(now time.Duration, out *nodes.Outbox) {
	s.flushProposals(now, out)
	s.flushForwards(now, out)
	s.flushProposals(now, out)
}

func (s *Server[M]) flushProposals(now time.Duration, out *nodes.Outbox) {
	if !s.proposeB.due(now, len(s.proposals)) {
		return
	}
	s.proposeB.sent(now)
	q := s.proposals
	s.proposals = nil
	for _, r := range q {
		if e := s.propose(now, r, out); e != nil {
			out.ReplyError(r.msg, e)
		}
	}
}

// propose hands a write or cas to the core. If the core refuses (it no longer leads, or it is
// full), the request was handed to no log yet, and takes a follower's path.
func (s *Server[M]) propose(now time.Duration, r queuedRequest, out *nodes.Outbox) *nodes.Error {
	if s.core.Propose(r.data) {
		s.writes[requestKey{r.msg.Src, r.msg.MsgID}] = pendingWrite{op: r.op, at: now}
		return nil
	}
	return s.forward(now, r, out)
}

func (s *Server[M]) flushForwards(now time.Duration, out *nodes.Outbox) {
	if !s.forwardB.due(now, len(s.forwards)) {
		return
	}
	s.forwardB.sent(now)
	q := s.forwards
	s.forwards = nil
	leader := s.core.Leader()
	if leader != "" && leader != s.self && s.peers[leader] {
		out.Send(leader, forwardBatch{reqs: q})
		return
	}
	// The leader this node knew of is gone while the requests waited: each takes the whole
	// path again (and parks, or is proposed here).
	for _, r := range q {
		s.serve(now, r.msg, r.hops, out)
	}
}
