package workload

import (
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
	"github.com/quorumkit/quorumkit/nodes"
)

// Client is one synchronous Maelstrom client: one request outstanding at a
// time, bound to one node for its whole life.
type Client struct {
	// ID is the client's id, c<k>.
	ID string
	// Node is the server node it sends to.
	Node    string
	net     *net.Network
	inbox   *net.Inbox
	clock   clock.Clock
	timeout time.Duration
	msgID   int64
	// Judge, if not nil, gives the verdict on each reply the client
	// matches; it is attached to the completion.
	Judge Judge
}

// Judge gives the quorum-witness verdict on reply, the message client
// matched to its request msgID; the runner's causality tracker is one.
type Judge func(client string, msgID int64, reply net.Message) witness.Verdict

// NewClient registers a client id on nw.
func NewClient(nw *net.Network, clk clock.Clock, id, node string, timeout time.Duration) *Client {
	return &Client{ID: id, Node: node, net: nw, inbox: nw.Register(id), clock: clk, timeout: timeout}
}

// Request builds the request body for inv with the given msg_id.
func Request(inv Invocation, msgID int64) json.RawMessage {
	b := []byte(`{"type":"` + inv.F + `","key":`)
	b = strconv.AppendInt(b, inv.Key, 10)
	switch inv.F {
	case "write":
		b = append(b, `,"value":`...)
		b = append(b, inv.Value...)
	case "cas":
		var ft [2]json.RawMessage
		json.Unmarshal(inv.Value, &ft)
		b = append(b, `,"from":`...)
		b = append(b, ft[0]...)
		b = append(b, `,"to":`...)
		b = append(b, ft[1]...)
	}
	b = append(b, `,"msg_id":`...)
	b = strconv.AppendInt(b, msgID, 10)
	return append(b, '}')
}

// Call sends body (which must carry msg_id) and waits until the timeout for
// a reply whose in_reply_to is msgID. Other messages are discarded. It
// returns the reply body as a map, or net.ErrTimeout.
func (c *Client) Call(body json.RawMessage, msgID int64, timeout time.Duration) (map[string]json.RawMessage, error) {
	_, fields, err := c.call(body, msgID, timeout)
	return fields, err
}

// call is Call that also returns the reply's envelope.
func (c *Client) call(body json.RawMessage, msgID int64, timeout time.Duration) (net.Message, map[string]json.RawMessage, error) {
	if _, err := c.net.Send(net.Message{Src: c.ID, Dest: c.Node, Body: body}); err != nil {
		return net.Message{}, nil, err
	}
	deadline := c.clock.After(timeout)
	for {
		m, err := c.inbox.Recv(nil, deadline, nil)
		if err != nil {
			return net.Message{}, nil, err
		}
		if fields, ok := Match(m.Body, msgID); ok {
			return m, fields, nil
		}
	}
}

// Match decodes a reply body: fields are its members (nil when it is not a
// JSON object), and ok says whether it answers the request whose msg_id is
// msgID. Like Maelstrom's client it looks at in_reply_to alone, compared
// as Clojure does (5.0 is not 5); a late reply to an earlier request, or
// anything else, is for the caller to discard.
//
// It decodes with the nodes' one-pass scanner, as the network does: this
// is once per reply, in the harness and in every simulated run.
func Match(body json.RawMessage, msgID int64) (fields map[string]json.RawMessage, ok bool) {
	members, err := nodes.ParseObject(body)
	if err != nil {
		return nil, false
	}
	fields = make(map[string]json.RawMessage, len(members))
	for _, m := range members {
		fields[m.Name] = m.Value // the last of duplicate names wins, as in encoding/json
	}
	return fields, string(fields["in_reply_to"]) == strconv.FormatInt(msgID, 10)
}

// Do runs inv to completion: one request, then the outcome mapping.
func (c *Client) Do(inv Invocation) Completion {
	c.msgID++
	m, reply, err := c.call(Request(inv, c.msgID), c.msgID, c.timeout)
	switch {
	case errors.Is(err, net.ErrTimeout):
		return Timeout(inv)
	case err != nil:
		msg, _ := json.Marshal("indeterminate: " + err.Error())
		return Completion{Type: "info", Value: inv.Value, Error: msg, Exception: err.Error()}
	}
	comp := Classify(inv, reply)
	if c.Judge != nil {
		v := c.Judge(c.ID, c.msgID, m)
		comp.Witness = &v
	}
	return comp
}
