package kvserver

import "time"

// After a pause (SIGSTOP, or a process starved of CPU) a node need not answer the clients
// whose requests it took before the pause and who have given up since: Maelstrom's client
// times out after max(10 x latency, 1 s) and discards a late reply, and once the run has
// ended and the clients are closed, a late reply is a message to an unknown destination,
// which makes Maelstrom stop reading the node's stdout. Not answering is always allowed: the
// op is indefinite either way, and a pause leaves much such work queued.
const (
	// pauseGap is the silence of the event loop (which ticks every millisecond or so) that
	// counts as a pause.
	pauseGap = 500 * time.Millisecond
	// clientPatience is the shortest time a Maelstrom client waits for a reply.
	clientPatience = time.Second
)

// forgetStale drops, after a pause, every pending answer to a request taken at least
// clientPatience ago: the commands still apply (a proposed write may commit), only their
// replies are not sent, and requests not yet proposed or forwarded are not.
func (s *Server[M]) forgetStale(now time.Duration) {
	stale := func(at time.Duration) bool { return now-at >= clientPatience }
	n := s.answers.forget(stale) + s.waiting.forgetStale(stale) +
		s.proposals.forgetStale(stale) + s.forwards.forgetStale(stale)
	if n > 0 {
		s.log.Info("resumed after a pause: no answer to requests whose clients have given up", "paused", now-s.ticked, "dropped", n)
	}
}
