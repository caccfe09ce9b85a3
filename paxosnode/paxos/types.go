package paxos

import "fmt"

// Ballot orders proposers. Ballots compare by Round first and then by Node, the
// proposer's position in Config.Peers, so two nodes never share a ballot. The
// zero Ballot (Round 0) means "none": real ballots start at Round 1.
type Ballot struct {
	Round uint64 `json:"r"`
	Node  int    `json:"n"`
}

// Less reports whether b is ordered before o.
func (b Ballot) Less(o Ballot) bool {
	return b.Round < o.Round || (b.Round == o.Round && b.Node < o.Node)
}

// IsZero reports whether b is the zero ballot ("nothing promised or accepted").
func (b Ballot) IsZero() bool { return b.Round == 0 }

// String renders a ballot as "round.node".
func (b Ballot) String() string { return fmt.Sprintf("%d.%d", b.Round, b.Node) }

// Entry is one chosen slot handed to the state machine. Index is the slot.
// Data nil is a no-op written by a new leader to fill a gap; the server skips it.
type Entry struct {
	Index uint64 `json:"i"`
	Data  []byte `json:"d"` // never omitempty: nil (no-op) and empty must stay distinct
}

// ReadState says: read ID may be served once the state machine has applied
// every slot through Index.
type ReadState struct {
	ID    uint64 `json:"id"`
	Index uint64 `json:"i"`
}

// Snapshot is the state machine's state through slot Index.
type Snapshot struct {
	Index uint64 `json:"i"`
	Data  []byte `json:"d"`
}

// AcceptedValue is one acceptor's vote for a slot, reported in a promise:
// the acceptor accepted Data for Slot at Ballot.
type AcceptedValue struct {
	Slot   uint64 `json:"s"`
	Ballot Ballot `json:"b"`
	Data   []byte `json:"d"`
}

// Ready is everything the node wants done, taken in one batch by Node.Ready.
// The caller handles the fields in this order: restore Snapshot, apply
// Committed, serve ReadStates (each once the state machine reached its Index),
// send Messages. There is no stable storage, so nothing needs saving first.
type Ready struct {
	Messages   []Message   // to send now; To is set on each
	Committed  []Entry     // newly chosen slots, consecutive, each delivered exactly once, in order
	ReadStates []ReadState // reads that are now linearizable at their Index
	Snapshot   *Snapshot   // non-nil: restore it BEFORE applying Committed (which then starts at Snapshot.Index+1)
	Leader     string      // current belief about the leader, "" if unknown
}

// Role is what a node is currently doing.
type Role int

// The roles. A Follower is only an acceptor and learner; a PreCandidate asks
// whether a majority also lost the leader; a Candidate runs phase 1; a Leader
// runs phase 2.
const (
	Follower Role = iota
	PreCandidate
	Candidate
	Leader
)

// String names the role.
func (r Role) String() string {
	switch r {
	case Follower:
		return "follower"
	case PreCandidate:
		return "pre-candidate"
	case Candidate:
		return "candidate"
	case Leader:
		return "leader"
	}
	return fmt.Sprintf("role(%d)", int(r))
}
