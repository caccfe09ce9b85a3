package raft

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/consensus/coretest"
)

// disk is one node's stable storage with the contract's semantics (coretest.Disk). Next to
// the raw contents it keeps a decoded mirror (the hard state, and the log as the records say
// it is) for the checks made at every step.
type disk struct {
	coretest.Disk

	hs    hardState
	base  uint64
	terms []uint64 // the terms of the entries after base
}

// save writes one Stable the way a storage does; it returns what was wrong with it, if the
// records do not continue the saved log.
func (d *disk) save(st consensus.Stable) string {
	if err := d.Disk.Save(st); err != nil {
		return err.Error()
	}
	if s := st.Snapshot; s != nil {
		if k := s.Index - d.base; k < uint64(len(d.terms)) {
			d.terms = append(d.terms[:0], d.terms[k:]...)
		} else {
			d.terms = d.terms[:0]
		}
		d.base = s.Index
	}
	for _, r := range st.Records {
		e, ok, err := decodeRecord(r)
		if err != nil {
			return fmt.Sprintf("record %d: %v", r.Index, err)
		}
		if r.Index <= d.base {
			d.terms = d.terms[:0]
			continue
		}
		k := r.Index - d.base - 1
		if k > uint64(len(d.terms)) {
			return fmt.Sprintf("record %d after a saved log ending at %d", r.Index, d.last())
		}
		d.terms = d.terms[:k]
		if ok {
			d.terms = append(d.terms, e.Term)
		}
	}
	if st.State != nil {
		h, err := decodeHardState(st.State)
		if err != nil {
			return err.Error()
		}
		d.hs = h
	}
	return ""
}

func (d *disk) last() uint64 { return d.base + uint64(len(d.terms)) }

// termAt is the saved term of the entry at i (the snapshot's at base), 0 if not saved.
func (d *disk) termAt(i uint64) uint64 {
	switch {
	case i == d.base:
		return d.hs.snapTerm
	case i < d.base || i > d.last():
		return 0
	}
	return d.terms[i-d.base-1]
}

// recovered is what a restart reads back: nil if nothing was ever saved. With damage, one
// record after the snapshot is lost for good and the storage says so.
func (d *disk) recovered(damage *rand.Rand) *consensus.Recovered {
	if d.State == nil && d.Snap == nil && len(d.Records) == 0 {
		return nil
	}
	if damage != nil {
		d.Damaged = true
		if len(d.Records) > 0 {
			d.Lose(damage.IntN(len(d.Records)))
		}
	}
	return d.Recovered()
}

// crashPoint is where in the handling of a Ready a planned crash strikes.
type crashPoint uint8

const (
	// crashBeforeSave: the Ready is lost entirely, nothing of it saved or sent.
	crashBeforeSave crashPoint = iota
	// crashBeforeSend: the Ready is saved and applied, but none of its messages leave.
	crashBeforeSend
)

// crashPlan is one planned crash: where it strikes, how long the node stays down, and
// whether the storage it restarts from is damaged.
type crashPlan struct {
	point  crashPoint
	down   uint64
	damage bool
}

// withDisks gives every node a disk (keeping covered records when keep says so).
func (c *cluster) withDisks(keep bool) {
	c.disks = map[string]*disk{}
	for _, id := range c.ids {
		c.disks[id] = &disk{Disk: coretest.Disk{Keep: keep}}
	}
}

// isDown reports whether id is crashed. The simulation asks for every message and tick, so
// the common case, nobody down, costs no map lookup.
func (c *cluster) isDown(id string) bool {
	now := c.now()
	return c.downUntil > now && c.down[id] > now
}

// save writes a Ready's Stable to the node's disk, then checks that the disk holds everything
// the Ready's messages and commits rest on, and what the node holds in memory: a node that
// crashed now and restarted from its disk could contradict none of the messages it sends.
func (c *cluster) save(id string, rd consensus.Ready[Message]) {
	n, d := c.nodes[id], c.disks[id]
	if bad := d.save(rd.Stable); bad != "" {
		c.fatalf("DURABILITY: %s saved a Stable the log cannot take: %s", id, bad)
	}
	if d.hs.term != n.term || d.hs.vote != n.vote {
		c.fatalf("DURABILITY: %s holds term %d vote %q, its disk term %d vote %q", id, n.term, n.vote, d.hs.term, d.hs.vote)
	}
	if d.last() != n.log.lastIndex() || d.termAt(d.last()) != n.log.lastTerm() {
		c.fatalf("DURABILITY: %s's log ends at %d/%d, its disk's at %d/%d", id, n.log.lastIndex(), n.log.lastTerm(), d.last(), d.termAt(d.last()))
	}
	for _, m := range rd.Messages {
		bad := ""
		switch {
		case m.Type == MsgPreVote || m.Type == MsgPreVoteResp:
			// A pre-vote promises nothing.
		case m.Term > d.hs.term:
			bad = fmt.Sprintf("term %d not saved (disk: %d)", m.Term, d.hs.term)
		case m.Term < d.hs.term:
			// The node moved to a later term after it queued m: it never acts in m's term
			// again, and a leader of that term counts m only for entries that term commits,
			// which every later leader holds.
		case m.Type == MsgVote && (d.hs.vote != id || d.hs.term != m.Term),
			m.Type == MsgVoteResp && !m.Reject && (d.hs.vote != m.To || d.hs.term != m.Term):
			bad = fmt.Sprintf("vote not saved (disk: term %d vote %q)", d.hs.term, d.hs.vote)
		case m.Type == MsgAppResp && !m.Reject && m.Index > d.last():
			bad = fmt.Sprintf("acknowledges %d, its disk holds %d", m.Index, d.last())
		case m.Type == MsgApp && len(m.Entries) > 0 && m.Entries[len(m.Entries)-1].Index > d.last():
			bad = fmt.Sprintf("sends entries its disk does not hold (disk: %d)", d.last())
		}
		if bad != "" {
			c.fatalf("DURABILITY: %s sends %s: %s", id, describe(m), bad)
		}
	}
	for _, e := range rd.Committed {
		if e.Index > d.base && d.termAt(e.Index) != e.Term {
			c.fatalf("DURABILITY: %s applies %d/%d, which its disk does not hold", id, e.Index, e.Term)
		}
	}
}

// crash kills the node now and builds the process that restarts from its disk after plan.down
// ticks: until then it gets no ticks and loses what reaches it. Its server state restarts from
// the snapshot on disk, as the real server's does.
func (c *cluster) crash(id string, plan crashPlan) {
	delete(c.crashes, id)
	d := c.disks[id]
	var damage *rand.Rand
	if plan.damage {
		damage = rand.New(rand.NewPCG(c.seed, uint64(c.now())))
	}
	rec := d.recovered(damage)
	c.restarts[id]++
	cfg := c.cfgs[id]
	cfg.Restore = rec
	cfg.Rand = rand.New(rand.NewPCG(c.seed, uint64(slices.Index(c.ids, id))+uint64(c.restarts[id])<<16))
	c.nodes[id] = newNode(cfg)
	c.down[id] = c.now() + max(plan.down, 1)
	c.downUntil = max(c.downUntil, c.down[id])
	c.acked[id] = nil
	c.tracef("%s crashed (%v), down for %d ticks, damaged=%v", id, plan.point, plan.down, plan.damage)
	n, sm := c.nodes[id], c.sms[id]
	*sm = stateMachine{}
	if s := d.Snap; s != nil {
		idx, h := decodeSnap(s.Data)
		if want, ok := c.chain[idx]; idx != s.Index || !ok || want != h {
			c.fatalf("%s restarted from a snapshot at %d that is not the cluster's state there", id, s.Index)
		}
		sm.applied, sm.hash, sm.lastSnap = idx, h, idx
	}
	if n.log.committed != sm.applied || n.log.delivered != sm.applied {
		c.fatalf("DURABILITY: %s restarted with commit %d delivered %d over a snapshot at %d", id, n.log.committed, n.log.delivered, sm.applied)
	}
	if rec != nil && rec.Damaged || d.hs.recovering {
		// It keeps only its snapshot, and recovers.
		if !n.recovering || n.log.lastIndex() != d.base {
			c.fatalf("DURABILITY: %s restarted from damage with recovering=%v and its log to %d over a snapshot at %d", id, n.recovering, n.log.lastIndex(), d.base)
		}
		return
	}
	if n.term != d.hs.term || n.vote != d.hs.vote || n.log.lastIndex() != d.last() || n.recovering {
		c.fatalf("DURABILITY: %s restarted as term %d vote %q last %d recovering %v; its disk says term %d vote %q last %d",
			id, n.term, n.vote, n.log.lastIndex(), n.recovering, d.hs.term, d.hs.vote, d.last())
	}
	for i := n.log.offset + 1; i <= n.log.lastIndex(); i++ {
		if n.log.mustTerm(i) != d.termAt(i) {
			c.fatalf("DURABILITY: %s restarted with term %d at %d, its disk says %d", id, n.log.mustTerm(i), i, d.termAt(i))
		}
	}
}

// restartAll brings every crashed node up now and drops the crashes still planned.
func (c *cluster) restartAll() {
	clear(c.crashes)
	for _, id := range c.ids {
		if c.isDown(id) {
			c.down[id] = c.now()
		}
		c.downUntil = c.now()
	}
}

// crasher plans crashes in the simulation: every so often it picks targets the way
// Maelstrom's kill nemesis does (one node, a minority, a majority, all of them, or any
// non-empty subset), each crashing at its next Ready, before or after saving it, and
// staying down for a while. With damageP, a lone crash restarts from damaged storage, as
// long as no other node is recovering.
type crasher struct {
	c       *cluster
	r       *rand.Rand
	every   uint64 // mean ticks between crash events
	maxDown uint64
	damageP float64
	next    uint64
}

func (k *crasher) String() string {
	return fmt.Sprintf("crashes every ~%d ticks, down <= %d, damage %g", k.every, k.maxDown, k.damageP)
}

func (k *crasher) step() {
	c, now := k.c, k.c.now()
	if now < k.next {
		return
	}
	k.next = now + 1 + k.r.Uint64N(2*k.every)
	ids := slices.Clone(c.ids)
	k.r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	var count int
	switch k.r.IntN(5) {
	case 0:
		count = 1
	case 1:
		count = max(1, (len(ids)-1)/2) // a minority
	case 2:
		count = len(ids)/2 + 1 // a majority
	case 3:
		count = len(ids)
	default:
		count = 1 + k.r.IntN(len(ids))
	}
	damage := count == 1 && k.r.Float64() < k.damageP
	for _, id := range c.ids {
		if c.nodes[id].recovering || c.crashes[id].damage {
			damage = false // one damaged node at a time: a damaged majority loses data
		}
	}
	for _, id := range ids[:count] {
		if c.isDown(id) || c.paused(id) {
			continue
		}
		c.crashes[id] = crashPlan{point: crashPoint(k.r.IntN(2)), down: k.r.Uint64N(k.maxDown + 1), damage: damage}
	}
}
