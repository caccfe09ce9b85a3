package kvserver

// Core is a consensus core as the server drives it (see ARCHITECTURE.md, "The core contract").
// The server feeds it events, then collects everything it wants done with Ready. The raft and
// paxos packages implement it through a few lines of adapter in their binaries, since a core
// imports nothing but the standard library and so cannot name these types.
//
// Time: the server calls Tick once per millisecond of monotonic time, and before handling any
// event it first ticks the core for all the time that passed, so a paused process never acts on
// an expired lease.
type Core[M any] interface {
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

// Ready is one batch of a core's output. The server handles its parts in this order: restore
// Snapshot, apply Committed, record ReadStates, serve the reads they allow, send Messages.
type Ready[M any] struct {
	// Messages are to be sent to peers now.
	Messages []PeerMessage[M]
	// Committed are newly committed commands: consecutive indexes, each once, in order. An
	// entry with nil Data is a no-op.
	Committed []Entry
	// ReadStates are read points: read ID may be served once the state machine applied
	// everything through Index.
	ReadStates []ReadState
	// Snapshot, when set, replaces the state machine before Committed is applied.
	Snapshot *Snapshot
	// Leader is the core's current belief, "" if unknown.
	Leader string
}

// PeerMessage is a core message with its destination.
type PeerMessage[M any] struct {
	To  string
	Msg M
}

// Entry is one committed command (a log index or a Paxos slot).
type Entry struct {
	Index uint64
	Data  []byte
}

// ReadState is a linearizable read point for one read.
type ReadState struct {
	ID, Index uint64
}

// Snapshot is the state machine through Index.
type Snapshot struct {
	Index uint64
	Data  []byte
}
