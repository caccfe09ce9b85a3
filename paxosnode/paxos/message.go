package paxos

import (
	"fmt"
	"strings"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// MsgType says what a Message is.
type MsgType uint8

// The message types. Every message carries the sender's ballot; the replies
// echo the ballot of the request they answer.
const (
	// MsgPreVote asks whether the receiver also lost the leader (pre-phase-1).
	// Ballot is the ballot the sender would use; nothing is promised.
	MsgPreVote MsgType = iota + 1
	// MsgPreVoteReply answers MsgPreVote; Reject is set when the receiver
	// heard from a leader within ElectionTicks. Promised is the receiver's
	// promised ballot, so the sender can pick a higher one.
	MsgPreVoteReply
	// MsgPrepare is phase 1a for every slot from Index on.
	MsgPrepare
	// MsgPromise is phase 1b: the acceptor promised Ballot and reports every
	// value it accepted at slots >= Index (Accepted), its chosen point
	// (Commit: values at slots <= Commit are chosen) and, when Index is at or
	// below its compacted prefix, its Snapshot.
	MsgPromise
	// MsgAccept is phase 2a. Entries (possibly none: then it is a heartbeat)
	// are proposed at Ballot; Commit piggybacks the leader's chosen point,
	// Round the leader's heartbeat round, Timeout the leader's adaptive
	// election timeout and Sent the leader's tick at sending, which the
	// answer echoes so the leader can measure round trips. To an acceptor
	// that reported itself damaged, Inc echoes its incarnation and Catchup
	// is the slot its chosen point must reach before it counts again
	// (durable.go).
	MsgAccept
	// MsgAccepted is phase 2b: the acceptor accepted slots Index..Last (none
	// when Last is 0) at Ballot. Commit is its chosen point and Match the
	// highest slot through which it holds every slot at Ballot or chosen.
	// Inc is the acceptor's incarnation (one more at every restart), and
	// Damaged says it lost state it may have acknowledged, so this answer
	// must count in no quorum (durable.go).
	MsgAccepted
	// MsgSnapshot carries the leader's Snapshot to a replica that needs slots
	// the leader has compacted. It is answered by MsgAccepted.
	MsgSnapshot
	// MsgNack rejects a request whose ballot is below the receiver's promise;
	// Ballot is the receiver's (higher) promised ballot.
	MsgNack
)

var msgNames = map[MsgType]string{
	MsgPreVote:      "prevote",
	MsgPreVoteReply: "prevote-reply",
	MsgPrepare:      "prepare",
	MsgPromise:      "promise",
	MsgAccept:       "accept",
	MsgAccepted:     "accepted",
	MsgSnapshot:     "snapshot",
	MsgNack:         "nack",
}

// String names the message type.
func (t MsgType) String() string {
	if s, ok := msgNames[t]; ok {
		return s
	}
	return fmt.Sprintf("msg(%d)", uint8(t))
}

// Message is what nodes send each other. The server JSON-encodes it as is;
// unused fields are omitted.
type Message struct {
	Type     MsgType             `json:"t"`
	From     string              `json:"f"`
	To       string              `json:"to"`
	Ballot   ballot              `json:"b"`
	Promised ballot              `json:"p,omitzero"`
	Index    uint64              `json:"i,omitempty"`
	Last     uint64              `json:"l,omitempty"`
	Commit   uint64              `json:"c,omitempty"`
	Match    uint64              `json:"m,omitempty"`
	Round    uint64              `json:"r,omitempty"`
	Timeout  int                 `json:"tt,omitempty"`
	Sent     int64               `json:"st,omitempty"`
	Reject   bool                `json:"x,omitempty"`
	Inc      uint64              `json:"g,omitempty"`
	Damaged  bool                `json:"dm,omitempty"`
	Catchup  uint64              `json:"cu,omitempty"`
	Entries  []consensus.Entry   `json:"e,omitempty"`
	Accepted []acceptedValue     `json:"a,omitempty"`
	Snapshot *consensus.Snapshot `json:"s,omitempty"`
}

// describe renders m on one line for logs and test failures, e.g.
// "n0->n1 accept b=2.0 [5..7] c=4 r=9".
func describe(m Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s->%s %s b=%s", m.From, m.To, m.Type, m.Ballot)
	switch m.Type {
	case MsgPreVoteReply:
		fmt.Fprintf(&b, " p=%s reject=%t", m.Promised, m.Reject)
	case MsgPrepare:
		fmt.Fprintf(&b, " from=%d", m.Index)
	case MsgPromise:
		fmt.Fprintf(&b, " from=%d c=%d accepted=%d", m.Index, m.Commit, len(m.Accepted))
		if m.Snapshot != nil {
			fmt.Fprintf(&b, " snap=%d", m.Snapshot.Index)
		}
	case MsgAccept:
		if n := len(m.Entries); n > 0 {
			fmt.Fprintf(&b, " [%d..%d]", m.Entries[0].Index, m.Entries[n-1].Index)
		} else {
			b.WriteString(" heartbeat")
		}
		fmt.Fprintf(&b, " c=%d r=%d", m.Commit, m.Round)
		if m.Inc > 0 {
			fmt.Fprintf(&b, " g=%d catchup=%d", m.Inc, m.Catchup)
		}
	case MsgAccepted:
		if m.Last > 0 {
			fmt.Fprintf(&b, " [%d..%d]", m.Index, m.Last)
		}
		fmt.Fprintf(&b, " c=%d m=%d r=%d", m.Commit, m.Match, m.Round)
		if m.Inc > 0 {
			fmt.Fprintf(&b, " g=%d", m.Inc)
		}
		if m.Damaged {
			b.WriteString(" damaged")
		}
	case MsgSnapshot:
		if m.Snapshot != nil {
			fmt.Fprintf(&b, " snap=%d", m.Snapshot.Index)
		}
		fmt.Fprintf(&b, " c=%d r=%d", m.Commit, m.Round)
	}
	return b.String()
}

// Dest is the peer the message is addressed to (consensus.Message).
func (m Message) Dest() string { return m.To }
