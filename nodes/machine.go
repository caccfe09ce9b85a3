package nodes

import (
	"log/slog"
	"math/rand/v2"
	"time"
)

// Init is what the init message tells a node, plus the runtime's gifts to the machine.
type Init struct {
	// NodeID is this node's id, NodeIDs every node's id in the order Maelstrom listed them.
	NodeID  string
	NodeIDs []string
	// Rand is the machine's only source of randomness, seeded by the runtime.
	Rand *rand.Rand
	// Logger writes to stderr; every line already carries the node id.
	Logger *slog.Logger
}

// Machine is a node's logic. The runtime calls it from one goroutine, one event at a time, and
// passes the monotonic time elapsed since the node started: a machine never reads a clock.
// Whatever a call appends to the outbox is sent after the call returns, in order.
type Machine interface {
	// Init is called once, when the init message arrives, before any other call. The runtime
	// has already queued init_ok.
	Init(now time.Duration, init Init, out *Outbox)
	// Handle is called for every message after init other than init itself. A returned
	// *Error is sent as an error reply when the message has a msg_id (and logged otherwise);
	// other errors are logged.
	Handle(now time.Duration, msg *Message, out *Outbox) error
	// Tick is called about once per tick period. now is what counts: a paused process gets
	// one Tick on resume with all the time it missed.
	Tick(now time.Duration, out *Outbox)
	// Idle is called whenever the runtime has no more input queued, just before it flushes
	// stdout: the place to send what a burst of events produced as one batch.
	Idle(now time.Duration, out *Outbox)
}

// Outbox collects the messages a machine call wants sent.
type Outbox struct {
	msgs []Outgoing
}

// Send queues a message to dest. body must encode to a JSON object.
func (o *Outbox) Send(dest string, body any) {
	o.msgs = append(o.msgs, Outgoing{Dest: dest, Body: body})
}

// ReplyError queues an error reply to msg. A message without msg_id cannot be answered; it
// reports false and queues nothing.
func (o *Outbox) ReplyError(msg *Message, err *Error) bool {
	if !msg.HasMsgID {
		return false
	}
	o.Send(msg.Src, NewErrorBody(msg.MsgID, err))
	return true
}

// Len returns the number of queued messages.
func (o *Outbox) Len() int { return len(o.msgs) }

// Take returns the queued messages and empties the outbox. The slice is reused by the next
// Send, so the caller must be done with it before then.
func (o *Outbox) Take() []Outgoing {
	msgs := o.msgs
	o.msgs = o.msgs[:0]
	return msgs
}
