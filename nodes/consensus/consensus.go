package consensus

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// Message is a core's peer message. Dest names the peer it is addressed to, so that a Ready
// can hand the server the core's own messages without wrapping each in an envelope.
type Message interface {
	Dest() string
}

// Core is a consensus core as the server drives it.
//
// Time: the server calls Tick once per millisecond of monotonic time, and before handling any
// event it first ticks the core for all the time that passed, so a paused process never acts on
// an expired lease.
type Core[M Message] interface {
	// Tick tells the core one millisecond passed.
	Tick()
	// Step hands the core a message from a peer.
	Step(msg M)
	// Propose appends a command to the log if this node leads. False means it does not and
	// nothing was appended anywhere; true means the command may now be committed, by this
	// leader or a later one, or lost.
	Propose(data []byte) bool
	// ReadIndex asks for a linearizable read point for read id. False means this node does not
	// lead. A true call is answered by a ReadState in some later Ready, or by nothing if the
	// node stops leading first.
	ReadIndex(id uint64) bool
	// Compact hands the core the state machine's snapshot through index, which the server
	// has applied; the core may drop its log up to index and send the snapshot to laggards.
	Compact(index uint64, snapshot []byte)
	// Leader is who the core believes leads now, "" if unknown.
	Leader() string
	// HasReady reports whether Ready has anything to hand over.
	HasReady() bool
	// Ready takes everything the core wants done.
	Ready() Ready[M]
}

// Ready is one batch of a core's output. The server handles its parts in this order: write
// Stable and sync it, restore Snapshot, apply Committed, record ReadStates and serve the reads
// they allow, send Messages.
type Ready[M Message] struct {
	// Stable is what must be on stable storage before any of Messages is sent. A memory-only
	// server ignores it.
	Stable Stable
	// Messages are to be sent to peers now. They may be lost, duplicated or reordered.
	Messages []M
	// Committed are newly committed commands: consecutive indexes, each once, in order, the
	// same on every node. After a Snapshot they start at Snapshot.Index+1. An entry with nil
	// Data is a no-op, which the server skips.
	Committed []Entry
	// ReadStates are read points: read ID may be served once the state machine applied
	// everything through Index.
	ReadStates []ReadState
	// Snapshot, when set, replaces the state machine before Committed is applied.
	Snapshot *Snapshot
	// Leader is the core's current belief, "" if unknown.
	Leader string
}

// Entry is one command at a log index (Raft) or slot (Paxos). Raft also sends entries to its
// peers as they are, hence the short JSON names.
type Entry struct {
	Index uint64 `json:"i"`
	// Term is the Raft term in which a leader created the entry; Paxos leaves it 0.
	Term uint64 `json:"t,omitempty"`
	// Data is the command; nil is a no-op and never mixes with an empty command.
	Data []byte `json:"d"`
}

// ReadState is a linearizable read point for one read.
type ReadState struct {
	ID, Index uint64
}

// Snapshot is the state machine through Index, as the server handed it to Compact.
type Snapshot struct {
	Index uint64 `json:"i"`
	Data  []byte `json:"d"`
}

// Stable is one batch of what a core needs kept across a crash. What State and each Record
// mean is the core's business: the storage keeps the bytes and hands them back in order.
type Stable struct {
	// State is the core's hard state (Raft: term and vote; Paxos: its promise), replacing the
	// one saved before; nil means unchanged.
	State []byte
	// Records are appended in order after everything saved before (Raft: log entries, where a
	// record for index i replaces every saved record from i on; Paxos: accepted values).
	Records []Record
	// Snapshot, when set, is the state machine through Snapshot.Index; saved records with an
	// index at or below it may then be dropped.
	Snapshot *Snapshot
	// Repaired says the core has caught up from its peers since a recovery that reported
	// Damaged: from now on the storage may forget the damage. Until then every recovery
	// reports it again, since a node that crashes before catching up still lacks what the
	// damage took.
	Repaired bool
}

// Empty reports whether there is nothing to save.
func (s Stable) Empty() bool {
	return s.State == nil && len(s.Records) == 0 && s.Snapshot == nil && !s.Repaired
}

// Record is one entry of a core's durable log.
type Record struct {
	Index uint64
	Data  []byte
}

// Recovered is what a restarted node read back from stable storage: the last State, the last
// Snapshot, and the Records saved after it, in the order they were saved.
type Recovered struct {
	State    []byte
	Snapshot *Snapshot
	Records  []Record
	// Damaged reports that storage found a damaged record with intact ones after it: something
	// this node saved, and may have acknowledged, is gone. The core must not vote, promise or
	// acknowledge as if it had that state until it has caught up from its peers.
	Damaged bool
}

// Config is what a server tells a core when it builds one; both cores take it, so that one
// line wires either into a binary. Each core's doc.go says how it uses each setting.
type Config struct {
	// ID is this node's id, e.g. "n0".
	ID string
	// Peers is every node id, this one included, in the same order on every node.
	Peers []string
	// Rand is the core's only source of randomness (election timeouts), so a seed replays a
	// run exactly.
	Rand *rand.Rand
	// Logger receives the core's events (role changes, step-downs, snapshots, recovery); nil
	// logs nothing.
	Logger Logger
	// Restore, when set, is what the node's storage held at a restart: the core rebuilds the
	// node from it. Nil starts a new node.
	Restore *Recovered
	// LeaseReads serves reads under a valid leader lease without a round of messages.
	LeaseReads bool
	// Timing is the timing and flow-control settings (zero: DefaultTiming).
	Timing Timing
}

// WithDefaults resolves the timing (Timing.withDefaults), gives a nil Logger one that drops
// everything, and returns an error for settings no core can run with: no Rand, or an ID that
// is not exactly once in Peers.
func (c Config) WithDefaults() (Config, error) {
	t, err := c.Timing.withDefaults()
	if err != nil {
		return c, err
	}
	c.Timing = t
	if c.Rand == nil {
		return c, errors.New("consensus: Config.Rand is nil")
	}
	seen := map[string]bool{}
	for _, p := range c.Peers {
		if seen[p] {
			return c, fmt.Errorf("consensus: duplicate id %q in Peers %v", p, c.Peers)
		}
		seen[p] = true
	}
	if !seen[c.ID] {
		return c, fmt.Errorf("consensus: ID %q not in Peers %v", c.ID, c.Peers)
	}
	if c.Logger == nil {
		c.Logger = nopLogger{}
	}
	return c, nil
}

// nopLogger drops every event, for a core configured without a logger.
type nopLogger struct{}

func (nopLogger) Info(string, ...any) {}

// Logger is how a core reports events: a constant message and key-value pairs, as log/slog
// takes them, so that a *slog.Logger serves as it is. A core never names its own node: the
// runtime's logger already does.
type Logger interface {
	Info(msg string, args ...any)
}

// Role is a node's part in electing and following a leader, the same four in both cores.
type Role uint8

// The roles. A Follower whose timer fires becomes a PreCandidate, asking whether a quorum
// also lost the leader without disturbing anyone; with their agreement it becomes a Candidate
// and asks for votes (Raft) or promises (Paxos); with a quorum of them, Leader.
const (
	Follower Role = iota
	PreCandidate
	Candidate
	Leader
)

// String names the role as the cores' logs do.
func (r Role) String() string {
	if int(r) < len(roleNames) {
		return roleNames[r]
	}
	return fmt.Sprintf("role(%d)", uint8(r))
}

var roleNames = [...]string{"follower", "pre-candidate", "candidate", "leader"}
