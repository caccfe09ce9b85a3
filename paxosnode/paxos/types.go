package paxos

import (
	"fmt"
)

// ballot orders proposers. Ballots compare by Round first and then by Node, the
// proposer's position in Config.Peers, so two nodes never share a ballot. The
// zero Ballot (Round 0) means "none": real ballots start at Round 1.
type ballot struct {
	Round uint64 `json:"r"`
	Node  int    `json:"n"`
}

// Less reports whether b is ordered before o.
func (b ballot) Less(o ballot) bool {
	return b.Round < o.Round || (b.Round == o.Round && b.Node < o.Node)
}

// IsZero reports whether b is the zero ballot ("nothing promised or accepted").
func (b ballot) IsZero() bool { return b.Round == 0 }

// String renders a ballot as "round.node".
func (b ballot) String() string { return fmt.Sprintf("%d.%d", b.Round, b.Node) }

// acceptedValue is one acceptor's vote for a slot, reported in a promise:
// the acceptor accepted Data for Slot at Ballot.
type acceptedValue struct {
	Slot   uint64 `json:"s"`
	Ballot ballot `json:"b"`
	Data   []byte `json:"d"`
}
