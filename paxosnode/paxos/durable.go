package paxos

import (
	"encoding/binary"
	"errors"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// What a node keeps on stable storage, and how it reads it back (doc.go, "Durability").
//
// Hard state (Stable.State) is version, promised ballot, incarnation, flags:
//
//	stateVersion | uvarint promised.Round | uvarint promised.Node | uvarint inc | flags
//
// where flags bit 0 is the damaged mode, kept so that a node that restarts again before it
// has caught up stays out of quorums even if its storage no longer reports the damage.
//
// A record (Stable.Records, Index = slot) is one acceptance, the slot's value at a ballot:
//
//	recordValue or recordNoop | uvarint ballot.Round | uvarint ballot.Node | data
//
// (recordNoop keeps a no-op, nil data, apart from an empty command). A later record for a
// slot supersedes an earlier one. Snapshots are the server's bytes as they are.

const (
	stateVersion = 1
	recordValue  = 1
	recordNoop   = 2

	// maxRecoverSlots bounds how far above its snapshot a recovered record may lie: an index
	// beyond it can only be garbage, and growing the slot log to it would exhaust memory.
	maxRecoverSlots = 1 << 20
)

var errBadEncoding = errors.New("paxos: malformed stable bytes")

// hardState is what Stable.State holds.
type hardState struct {
	promised ballot
	inc      uint64
	damaged  bool
}

func encodeHardState(h hardState) []byte {
	b := make([]byte, 0, 2+3*binary.MaxVarintLen64)
	b = append(b, stateVersion)
	b = binary.AppendUvarint(b, h.promised.Round)
	b = binary.AppendUvarint(b, uint64(h.promised.Node))
	b = binary.AppendUvarint(b, h.inc)
	flags := byte(0)
	if h.damaged {
		flags |= 1
	}
	return append(b, flags)
}

func decodeHardState(b []byte) (hardState, error) {
	d := consensus.NewDecoder(b)
	version := d.Byte()
	round, node, inc := d.Uvarint(), d.Uvarint(), d.Uvarint()
	flags := d.Byte()
	if d.Err() != nil || d.Len() != 0 || version != stateVersion || node >= maxPeers || flags > 1 {
		return hardState{}, errBadEncoding
	}
	return hardState{promised: ballot{Round: round, Node: int(node)}, inc: inc, damaged: flags == 1}, nil
}

// appendRecord appends the encoding of an acceptance (b, data) to buf.
func appendRecord(buf []byte, b ballot, data []byte) []byte {
	kind := byte(recordValue)
	if data == nil {
		kind = recordNoop
	}
	buf = append(buf, kind)
	buf = binary.AppendUvarint(buf, b.Round)
	buf = binary.AppendUvarint(buf, uint64(b.Node))
	return append(buf, data...)
}

// decodeRecord reads an acceptance back. The data it returns points into rec.
func decodeRecord(rec []byte) (ballot, []byte, error) {
	d := consensus.NewDecoder(rec)
	kind := d.Byte()
	round, node := d.Uvarint(), d.Uvarint()
	data := d.Rest()
	switch {
	case d.Err() != nil, kind != recordValue && kind != recordNoop, round == 0, node >= maxPeers,
		kind == recordNoop && len(data) != 0:
		return ballot{}, nil, errBadEncoding
	case kind == recordNoop:
		data = nil
	}
	return ballot{Round: round, Node: int(node)}, data, nil
}

// stableOut is what the next Ready must ask to be made durable.
type stableOut struct {
	state   bool                // the hard state changed
	records []consensus.Record  // acceptances, in the order they happened
	buf     []byte              // the records' encodings, one allocation per Ready or so
	snap    *consensus.Snapshot // the newest snapshot, compacted or installed
	// repaired: the node caught up after damage, so storage may stop reporting it.
	repaired bool
}

func (s *stableOut) pending() bool {
	return s.state || len(s.records) > 0 || s.snap != nil || s.repaired
}

// setPromised raises (or sets) the promise; it reaches stable storage with the next Ready,
// before any message that depends on it.
func (n *node) setPromised(b ballot) {
	if b != n.promised {
		n.promised = b
		n.stable.state = true
	}
}

// holdValue makes this node accept data at ballot b in slot s, and records the acceptance
// for stable storage. It returns the slot for the leader's bookkeeping.
func (n *node) holdValue(s uint64, b ballot, data []byte) *slot {
	sl := n.log.ensure(s)
	*sl = slot{ballot: b, data: data}
	st := &n.stable
	if st.buf == nil {
		st.buf = make([]byte, 0, 64+2*len(data)) // most Readies then allocate it once
	}
	start := len(st.buf)
	st.buf = appendRecord(st.buf, b, data)
	st.records = append(st.records, consensus.Record{Index: s, Data: st.buf[start:len(st.buf):len(st.buf)]})
	return sl
}

// reserve makes room for k more records, so that an Accept of many entries grows the
// Ready's records once.
func (s *stableOut) reserve(k int) {
	if cap(s.records)-len(s.records) < k {
		s.records = append(make([]consensus.Record, 0, len(s.records)+k), s.records...)
	}
}

// takeStable hands over what must be durable before the Ready's messages leave. A record
// keeps pointing into the buffer it was encoded in; the next ones go to a new buffer.
func (n *node) takeStable() consensus.Stable {
	st := &n.stable
	out := consensus.Stable{Records: st.records, Snapshot: st.snap, Repaired: st.repaired}
	if st.state {
		out.State = encodeHardState(hardState{promised: n.promised, inc: n.inc, damaged: n.damaged})
	}
	*st = stableOut{}
	return out
}

// recover rebuilds a restarted node from what its storage held: the promise, the snapshot
// and every acceptance after it. The node forgets when it last heard a leader, so it keeps
// quiet (no promise, no pre-vote) for ElectionTicks, the span any leader's lease assumes;
// and if storage lost something (damaged, or bytes that do not decode) it takes part in
// no quorum until it has caught up (doc.go).
func (n *node) recover(rec *consensus.Recovered) {
	damaged := rec.Damaged
	if rec.State != nil {
		h, err := decodeHardState(rec.State)
		if err != nil {
			n.cfg.Logger.Info("recovery: hard state does not decode, treated as damaged", "bytes", len(rec.State))
			damaged = true
		}
		n.promised, n.inc, damaged = h.promised, h.inc, damaged || h.damaged
	}
	if rec.Snapshot != nil {
		n.log.snap = *rec.Snapshot
		n.log.commit, n.log.applied = rec.Snapshot.Index, rec.Snapshot.Index
	}
	bad := 0
	for _, r := range rec.Records {
		if r.Index <= n.log.snap.Index {
			continue // in the snapshot
		}
		b, data, err := decodeRecord(r.Data)
		if err != nil || r.Index-n.log.snap.Index > maxRecoverSlots {
			bad++
			continue
		}
		if data != nil {
			data = append([]byte{}, data...) // the storage owns the record's bytes
		}
		*n.log.ensure(r.Index) = slot{ballot: b, data: data}
		if n.promised.Less(b) {
			n.promised = b // accepting implies promising, whatever the hard state says
		}
	}
	if bad > 0 {
		n.cfg.Logger.Info("recovery: records do not decode, treated as damaged", "bad", bad, "records", len(rec.Records))
		damaged = true
	}
	n.maxRound = n.promised.Round
	n.inc++
	n.stable.state = true // the new incarnation, before any answer carries it
	n.quietUntil = int64(n.cfg.Timing.ElectionTicks)
	n.damaged = damaged
	n.cfg.Logger.Info("recovered", "promised", n.promised.String(), "snapshot", n.log.snap.Index,
		"slots", len(n.log.slots), "incarnation", n.inc, "damaged", damaged)
}

// grantsPreVote: a peer may raise its ballot with this node's help only if this node has
// not heard a leader for ElectionTicks, has been up that long, and trusts its own state.
func (n *node) grantsPreVote() bool {
	return n.role != consensus.Leader && !n.damaged && n.now >= n.quietUntil &&
		n.now-n.leaderSeen >= int64(n.cfg.Timing.ElectionTicks)
}

// caughtUp ends the damaged mode once the chosen point reaches the slot a leader named for
// this incarnation (Message.Catchup): every value chosen with an acknowledgement this node
// may have lost is then known to it again (doc.go).
func (n *node) caughtUp(m Message) {
	if n.damaged && m.Inc == n.inc && n.log.commit >= m.Catchup {
		n.damaged = false
		n.stable.state, n.stable.repaired = true, true
		n.cfg.Logger.Info("caught up: counts in quorums again", "commit", n.log.commit, "leader", m.From, "ballot", m.Ballot.String())
	}
}
