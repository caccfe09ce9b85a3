package paxos

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/consensus/coretest"
)

// disk is one node's stable storage with the contract's semantics (coretest.Disk), plus the
// decoded view a restart would rebuild (the promise, the newest acceptance per slot), so that
// every message a node sends can be checked against it: a message that promises more than
// the disk holds is one a crash right after the save could make the node contradict.
type disk struct {
	coretest.Disk

	promised ballot
	held     []acceptance // held[s-1]: the newest acceptance of slot s (zero ballot: none)
}

// acceptance is one value a node accepted at a ballot in a slot, as its records say.
type acceptance struct {
	slot   uint64
	ballot ballot
	value  string // as the oracle spells it: "" for a no-op
	noop   bool
}

// save applies one Stable and returns the acceptances it made durable, in order.
func (d *disk) save(st consensus.Stable) ([]acceptance, error) {
	var h hardState
	if st.State != nil {
		var err error
		if h, err = decodeHardState(st.State); err != nil {
			return nil, fmt.Errorf("saved hard state %x does not decode: %v", st.State, err)
		}
	}
	accs := make([]acceptance, 0, len(st.Records))
	for _, r := range st.Records {
		a, err := decodeAcceptance(r)
		if err != nil {
			return nil, err
		}
		accs = append(accs, a)
	}
	if err := d.Disk.Save(st); err != nil {
		return nil, err
	}
	if st.State != nil {
		d.promised = h.promised
	}
	for _, a := range accs {
		d.hold(a)
	}
	return accs, nil
}

func decodeAcceptance(r consensus.Record) (acceptance, error) {
	b, data, err := decodeRecord(r.Data)
	if err != nil || r.Index == 0 {
		return acceptance{}, fmt.Errorf("saved record %d (%x) does not decode: %v", r.Index, r.Data, err)
	}
	return acceptance{slot: r.Index, ballot: b, value: value(data), noop: data == nil}, nil
}

func (d *disk) hold(a acceptance) {
	for uint64(len(d.held)) < a.slot {
		d.held = append(d.held, acceptance{})
	}
	d.held[a.slot-1] = a
}

// at is the newest saved acceptance of slot s; ok is false when none is saved.
func (d *disk) at(s uint64) (acceptance, bool) {
	if s == 0 || s > uint64(len(d.held)) || d.held[s-1].ballot.IsZero() {
		return acceptance{}, false
	}
	return d.held[s-1], true
}

// damage loses one record that has intact ones after it, as a flipped bit in the middle of
// a log does, and returns it (ok false when there is no such record).
func (d *disk) damage(rng *rand.Rand) (acceptance, bool) {
	if len(d.Records) < 2 {
		return acceptance{}, false
	}
	return d.lose(rng.IntN(len(d.Records) - 1)), true
}

// loseSlot loses the first record of slot s, which must have records after it.
func (d *disk) loseSlot(s uint64) acceptance {
	i := slices.IndexFunc(d.Records, func(r consensus.Record) bool { return r.Index == s })
	if i < 0 || i == len(d.Records)-1 {
		panic(fmt.Sprintf("disk: no record of slot %d with one after it", s))
	}
	return d.lose(i)
}

// lose drops record i and rebuilds the decoded view from the records left.
func (d *disk) lose(i int) acceptance {
	lost, _ := decodeAcceptance(d.Lose(i))
	clear(d.held)
	for _, r := range d.Records {
		a, _ := decodeAcceptance(r)
		d.hold(a)
	}
	return lost
}

// holds reports whether the disk keeps slot s at ballot b or higher.
func (d *disk) holds(s uint64, b ballot) bool {
	a, ok := d.at(s)
	return ok && !a.ballot.Less(b)
}

// justify checks that the disk backs what m tells its receiver: a crash right after this save
// and a restart from the disk must leave the node unable to contradict m.
func (d *disk) justify(m Message) error {
	switch m.Type {
	case MsgPrepare, MsgPromise, MsgNack:
		if d.promised.Less(m.Ballot) {
			return fmt.Errorf("%s sent while the disk's promise is %s", describe(m), d.promised)
		}
	case MsgPreVoteReply:
		if d.promised.Less(m.Promised) {
			return fmt.Errorf("%s sent while the disk's promise is %s", describe(m), d.promised)
		}
	case MsgAccept:
		for _, e := range m.Entries {
			if e.Index > m.Commit && e.Index > d.SnapIndex() && !d.holds(e.Index, m.Ballot) {
				return fmt.Errorf("%s proposes slot %d, which the disk does not hold at ballot %s", describe(m), e.Index, m.Ballot)
			}
		}
	case MsgSnapshot:
		if d.SnapIndex() < m.Snapshot.Index {
			return fmt.Errorf("%s sent while the disk's snapshot is at %d", describe(m), d.SnapIndex())
		}
	case MsgAccepted:
		if d.promised.Less(m.Ballot) {
			return fmt.Errorf("%s sent while the disk's promise is %s", describe(m), d.promised)
		}
		return d.justifyAccepted(m)
	}
	return nil
}

// justifyAccepted: every slot the answer acknowledges above the acceptor's chosen point (the
// range it answers, and its match) is on disk at the leader's ballot or higher.
func (d *disk) justifyAccepted(m Message) error {
	if m.Damaged {
		return nil // counted nowhere
	}
	lo, hi := m.Commit+1, max(m.Match, m.Last)
	for s := max(lo, d.SnapIndex()+1); s <= hi; s++ {
		inRange := m.Last > 0 && s >= m.Index && s <= m.Last
		if (inRange || s <= m.Match) && !d.holds(s, m.Ballot) {
			return fmt.Errorf("%s acknowledges slot %d, which the disk does not hold at ballot %s", describe(m), s, m.Ballot)
		}
	}
	return nil
}

// justifyDelivery: a node delivers only a slot it keeps, in a record of the same value or in
// its snapshot.
func (d *disk) justifyDelivery(id string, e consensus.Entry) error {
	if e.Index <= d.SnapIndex() {
		return nil
	}
	a, ok := d.at(e.Index)
	if !ok || a.value != value(e.Data) || a.noop != (e.Data == nil) {
		return fmt.Errorf("%s delivers %q in slot %d, which its disk holds as %+v", id, e.Data, e.Index, a)
	}
	return nil
}
