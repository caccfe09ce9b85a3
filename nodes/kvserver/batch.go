package kvserver

import (
	"slices"
	"time"
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
//     they ride along on whatever the core sends the leader (see Server.sendReady), and under
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

// newBatchQueue returns a queue that lingers for delay above rate requests per second, and
// leaves at once when it holds size requests; a negative delay or rate turns lingering off, a
// negative size lifts the limit. (Zeros were replaced by the defaults before.)
func newBatchQueue(delay time.Duration, rate float64, size int, patient bool) batchQueue {
	if delay < 0 || rate < 0 {
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

// len is how many requests wait.
func (q *batchQueue) len() int { return len(q.reqs) }

// forgetStale drops the requests taken at a time old says is too long ago; it returns how
// many.
func (q *batchQueue) forgetStale(old func(at time.Duration) bool) int {
	before := len(q.reqs)
	q.reqs = slices.DeleteFunc(q.reqs, func(r queuedRequest) bool { return old(r.at) })
	return before - len(q.reqs)
}
