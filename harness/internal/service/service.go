package service

import (
	"encoding/json"
	"strconv"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/nodes"
)

// IDs are the services started on every run, in Maelstrom's order.
var IDs = []string{"lin-kv", "seq-kv", "lww-kv", "lin-tso"}

// Start registers every service on nw and serves requests until stop closes.
func Start(nw *net.Network, stop <-chan struct{}) {
	for _, id := range IDs {
		ib := nw.Register(id)
		var h func(req map[string]json.RawMessage) map[string]any
		if id == "lin-tso" {
			h = (&tso{}).handle
		} else {
			h = (&kv{data: map[string]json.RawMessage{}}).handle
		}
		go serve(nw, ib, h, stop)
	}
}

func serve(nw *net.Network, ib *net.Inbox, h func(map[string]json.RawMessage) map[string]any, stop <-chan struct{}) {
	for {
		m, err := ib.Recv(stop, nil, nil)
		if err != nil {
			return
		}
		var req map[string]json.RawMessage
		if json.Unmarshal(m.Body, &req) != nil || req == nil {
			continue
		}
		reply := h(req)
		if reply == nil {
			continue
		}
		if id, ok := req["msg_id"]; ok {
			reply["in_reply_to"] = id
		}
		body, _ := json.Marshal(reply)
		nw.Send(net.Message{Src: ib.ID(), Dest: m.Src, Body: body})
	}
}

func typeOf(req map[string]json.RawMessage) string {
	var s string
	json.Unmarshal(req["type"], &s)
	return s
}

func errorBody(code nodes.Code, text string) map[string]any {
	return map[string]any{"type": "error", "code": int(code), "text": text}
}

// kv is an atomic map from canonical keys to values kept as sent.
type kv struct {
	data map[string]json.RawMessage
}

func (s *kv) handle(req map[string]json.RawMessage) map[string]any {
	key := check.Value(req["key"])
	switch typeOf(req) {
	case "read":
		v, ok := s.data[key]
		if !ok {
			return errorBody(nodes.KeyDoesNotExist, "key does not exist")
		}
		return map[string]any{"type": "read_ok", "value": v}
	case "write":
		s.data[key] = valueOrNull(req["value"])
		return map[string]any{"type": "write_ok"}
	case "cas":
		v, ok := s.data[key]
		if !ok {
			if string(req["create_if_not_exists"]) != "true" {
				return errorBody(nodes.KeyDoesNotExist, "key does not exist")
			}
			v = json.RawMessage("null")
		}
		if ok && check.Value(v) != check.Value(req["from"]) {
			return errorBody(nodes.PreconditionFailed, "current value "+string(v)+" is not "+string(valueOrNull(req["from"])))
		}
		s.data[key] = valueOrNull(req["to"])
		return map[string]any{"type": "cas_ok"}
	}
	return nil
}

func valueOrNull(v json.RawMessage) json.RawMessage {
	if len(v) == 0 {
		return json.RawMessage("null")
	}
	return v
}

// tso hands out timestamps from 0.
type tso struct {
	next int64
}

func (s *tso) handle(req map[string]json.RawMessage) map[string]any {
	if typeOf(req) != "ts" {
		return nil
	}
	ts := s.next
	s.next++
	return map[string]any{"type": "ts_ok", "ts": json.RawMessage(strconv.FormatInt(ts, 10))}
}
