package raft

import (
	"fmt"
	"strings"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// MsgType names what a Message asks for or answers.
type MsgType uint8

// The message types. Requests travel from a leader or candidate to its peers; each has one
// response type. Every response echoes the request's Seq and Stamp so the leader can count a
// heartbeat round, renew its lease and measure the round trip without keeping a table of sends.
const (
	// MsgApp carries the entries after (Index, LogTerm) and the leader's Commit.
	MsgApp MsgType = iota + 1
	// MsgAppResp acknowledges a MsgApp or MsgSnap: Index is the last index known to match the
	// leader; with Reject, Index is the rejected previous index and Hint/LogTerm say where the
	// follower's log diverges.
	MsgAppResp
	// MsgHeartbeat asserts leadership and carries min(commit, follower's match).
	MsgHeartbeat
	// MsgHeartbeatResp acknowledges a MsgHeartbeat.
	MsgHeartbeatResp
	// MsgSnap replaces a lagging follower's log with Snapshot, whose last term is LogTerm.
	MsgSnap
	// MsgPreVote asks whether the receiver would vote for the sender in Term (the sender's
	// term + 1, not yet adopted); Index/LogTerm describe the sender's last entry.
	MsgPreVote
	// MsgPreVoteResp answers a MsgPreVote; granted responses carry the proposed term.
	MsgPreVoteResp
	// MsgVote asks for a vote in Term; Index/LogTerm describe the sender's last entry.
	MsgVote
	// MsgVoteResp answers a MsgVote.
	MsgVoteResp
)

var msgTypeNames = [...]string{"?", "App", "AppResp", "Heartbeat", "HeartbeatResp", "Snap",
	"PreVote", "PreVoteResp", "Vote", "VoteResp"}

// String returns the short name of the type used in logs and test failures.
func (t MsgType) String() string {
	if int(t) < len(msgTypeNames) {
		return msgTypeNames[t]
	}
	return fmt.Sprintf("MsgType(%d)", uint8(t))
}

// Message is one peer-to-peer Raft message. The server encodes it as JSON as it is; the tags
// are short because heartbeats are the most frequent line on the wire. Field meanings depend on
// Type (see the MsgType constants); unused fields stay zero and are omitted.
type Message struct {
	Type MsgType `json:"y"`
	From string  `json:"f"`
	To   string  `json:"o"`
	// Term is the sender's current term (for MsgPreVote: the term it would campaign in).
	Term uint64 `json:"t"`
	// LogTerm is the term of the entry at Index (previous entry for MsgApp, last entry for
	// votes, snapshot term for MsgSnap, conflict term in a rejecting MsgAppResp).
	LogTerm uint64 `json:"lt,omitempty"`
	// Index is the previous index (MsgApp), the last index (votes), the matched or rejected
	// index (MsgAppResp).
	Index   uint64            `json:"i,omitempty"`
	Entries []consensus.Entry `json:"e,omitempty"`
	// Commit is the leader's commit index, capped by what the follower is known to hold.
	Commit uint64 `json:"c,omitempty"`
	// Reject marks a refused append or vote.
	Reject bool `json:"r,omitempty"`
	// Hint is the first index of the conflicting term (or last index + 1) in a rejected append.
	Hint uint64 `json:"h,omitempty"`
	// Seq is the leader's heartbeat-round number at send time, echoed in responses (ReadIndex).
	Seq uint64 `json:"s,omitempty"`
	// Stamp is the leader's tick at send time, echoed in responses (lease and round trip).
	Stamp uint64 `json:"st,omitempty"`
	// Timeout is the election timeout in ticks the leader asks its followers to use.
	Timeout uint64              `json:"to,omitempty"`
	Snap    *consensus.Snapshot `json:"sn,omitempty"`
	// Recovering marks the answers (MsgAppResp, MsgHeartbeatResp) of a node that restarted
	// from damaged storage and has not caught up yet: the leader counts them in no quorum
	// (doc.go, Durability).
	Recovering bool `json:"rc,omitempty"`
	// Last is the leader's last index, sent only to a recovering follower: the point through
	// which its log must match the leader's before it trusts itself again.
	Last uint64 `json:"la,omitempty"`
}

// Dest is the peer the message is addressed to (consensus.Message).
func (m Message) Dest() string { return m.To }

// describe renders a message in one stable line for logs and test failures, e.g.
// "n0->n1 App t=3 prev=5/2 ents=6..8 c=5 s=4".
func describe(m Message) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s->%s %s t=%d", m.From, m.To, m.Type, m.Term)
	switch m.Type {
	case MsgApp:
		fmt.Fprintf(&b, " prev=%d/%d", m.Index, m.LogTerm)
		if n := len(m.Entries); n > 0 {
			fmt.Fprintf(&b, " ents=%d..%d", m.Entries[0].Index, m.Entries[n-1].Index)
		}
		fmt.Fprintf(&b, " c=%d", m.Commit)
	case MsgAppResp:
		if m.Reject {
			fmt.Fprintf(&b, " reject=%d hint=%d/%d", m.Index, m.Hint, m.LogTerm)
		} else {
			fmt.Fprintf(&b, " match=%d", m.Index)
		}
	case MsgHeartbeat:
		fmt.Fprintf(&b, " c=%d", m.Commit)
	case MsgSnap:
		if m.Snap != nil {
			fmt.Fprintf(&b, " snap=%d/%d", m.Snap.Index, m.LogTerm)
		}
	case MsgPreVote, MsgVote:
		fmt.Fprintf(&b, " last=%d/%d", m.Index, m.LogTerm)
	case MsgPreVoteResp, MsgVoteResp:
		if m.Reject {
			b.WriteString(" reject")
		} else {
			b.WriteString(" grant")
		}
	}
	if m.Seq != 0 {
		fmt.Fprintf(&b, " s=%d", m.Seq)
	}
	if m.Recovering {
		b.WriteString(" recovering")
	}
	if m.Last != 0 {
		fmt.Fprintf(&b, " last=%d", m.Last)
	}
	return b.String()
}
