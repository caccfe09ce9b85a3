package kvserver

import (
	"slices"
	"time"
)

// Parking, and handing requests to a new leader.
//
// A request that finds no leader known (an election is under way) is parked, and takes the
// whole request path again as soon as a leader is known; after ParkFor it fails.
//
// A request forwarded to a leader that is then cut off, or proposed by a leader that is then
// deposed, is lost with it, and its client learns nothing until its own timeout (1 s): under
// Maelstrom's partitions every client on the majority side waited out that second, although
// a new leader was elected well before. So a node remembers, for RetryFor, the
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

// handoffs are the requests that wait to be taken through the request path again: the
// parked ones, until a leader is known, and the handed-off ones, when a new leader is.
type handoffs struct {
	parkFor   time.Duration // negative: a parked request fails at the end of the turn
	maxParked int           // negative: no limit
	retryFor  time.Duration // negative: no retries
	// parked are requests that arrived while no leader was known, oldest first.
	parked []parkedRequest
	// handedOff are the requests this node forwarded or proposed within retryFor, roughly in
	// the order it took them.
	handedOff []queuedRequest
}

type parkedRequest struct {
	queuedRequest
	parkedAt time.Duration
}

// park keeps r until a leader is known, unless the parked requests are at their limit.
func (h *handoffs) park(now time.Duration, r queuedRequest) bool {
	if h.maxParked >= 0 && len(h.parked) >= h.maxParked {
		return false
	}
	h.parked = append(h.parked, parkedRequest{queuedRequest: r, parkedAt: now})
	return true
}

// takeExpired returns, and forgets, the requests parked for parkFor.
func (h *handoffs) takeExpired(now time.Duration) []parkedRequest {
	n := 0
	for n < len(h.parked) && now-h.parked[n].parkedAt >= h.parkFor {
		n++
	}
	expired := slices.Clone(h.parked[:n])
	h.parked = slices.Delete(h.parked, 0, n)
	return expired
}

// unpark takes the parked requests through the request path again with serve, each keeping
// the time it was first parked if it parks again, so that it still fails after parkFor.
func (h *handoffs) unpark(serve func(queuedRequest)) {
	parked := h.parked
	h.parked = nil
	for _, p := range parked {
		before := len(h.parked)
		serve(p.queuedRequest)
		if len(h.parked) > before {
			h.parked[len(h.parked)-1].parkedAt = p.parkedAt
		}
	}
}

// handOff remembers requests just forwarded to a leader or proposed to this node's core.
func (h *handoffs) handOff(reqs ...queuedRequest) {
	if h.retryFor >= 0 {
		h.handedOff = append(h.handedOff, reqs...)
	}
}

// forget drops the handed-off requests taken retryFor ago or more from the front (a retried
// request keeps its arrival time, so a few old ones may sit further back; takeRetries skips
// them).
func (h *handoffs) forget(now time.Duration) {
	n := 0
	for n < len(h.handedOff) && now-h.handedOff[n].at >= h.retryFor {
		n++
	}
	if n > 0 {
		clear(h.handedOff[:n])
		h.handedOff = h.handedOff[n:]
	}
}

// takeRetries returns, and forgets, the requests handed on within retryFor that applied does
// not report as applied here, marked as retries.
func (h *handoffs) takeRetries(now time.Duration, applied func(queuedRequest) bool) []queuedRequest {
	var retries []queuedRequest
	for _, r := range h.handedOff {
		if now-r.at >= h.retryFor || applied(r) {
			continue
		}
		r.retry = true
		retries = append(retries, r)
	}
	h.handedOff = nil
	return retries
}

// forgetStale drops the requests taken at a time old says is too long ago; it returns how
// many.
func (h *handoffs) forgetStale(old func(at time.Duration) bool) int {
	before := len(h.parked) + len(h.handedOff)
	h.parked = slices.DeleteFunc(h.parked, func(p parkedRequest) bool { return old(p.at) })
	h.handedOff = slices.DeleteFunc(h.handedOff, func(r queuedRequest) bool { return old(r.at) })
	return before - len(h.parked) - len(h.handedOff)
}
