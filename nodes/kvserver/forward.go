package kvserver

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kv"
)

// queuedRequest is a client request on its way: waiting in a batch (a write or cas to
// propose, data set, or a request of any kind to forward), parked, or handed on and
// remembered for a retry.
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

// unavailable is the answer to a request no leader could take. The node that took it from the
// client knows it was never handed to any log (11, definite), unless it handed it on before
// (a retry); a later hop cannot rule out that a copy of the request reached a log (13,
// indefinite); reads are always safe to fail.
func unavailable(self string, r queuedRequest) *nodes.Error {
	switch {
	case r.op == kv.OpRead || r.hops == 0 && !r.retry:
		return nodes.Errorf(nodes.TemporarilyUnavailable, "no leader known to %s", self)
	case r.retry:
		return nodes.Errorf(nodes.Crash, "no leader known to %s to hand the request to again", self)
	}
	return nodes.Errorf(nodes.Crash, "forwarded request found no leader after %d hops", r.hops)
}

// handleForwarded serves every forwarded request in raw (a forward batch's, or riding on a
// core message) as if its client had sent it here. An error answers that request's client,
// not the node that forwarded it; a malformed item is logged and skipped (it has no client to
// answer).
func (s *Server[M]) handleForwarded(now time.Duration, from string, raw json.RawMessage, out *nodes.Outbox) error {
	if raw == nil {
		return fmt.Errorf("kvserver: forward from %s has no reqs", from)
	}
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
