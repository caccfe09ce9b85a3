package paxos

import (
	"fmt"
	"math/bits"

	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// oracle watches a simulated cluster from outside and checks, at every step, the properties
// the protocol promises. It does not trust the nodes' own bookkeeping: it records every
// acceptance as it becomes durable (which acceptor saved which value at which ballot in which
// slot: an acceptance lost in a crash before it was saved was never acknowledged and does not
// count), so it knows which values are chosen (accepted by a majority at one ballot) before
// any node does, and it records every event that can change whether a node grants pre-votes.
//
// The checks, each a property doc.go states:
//   - one value per ballot per slot, and at most one value chosen per slot;
//   - a node delivers only chosen values (checked at delivery, sim.handleReady);
//   - one tenure per ballot: a ballot is led by the node it names, once;
//   - lease exclusivity: while a node that is not paused holds a valid lease, no node is
//     Leader at a higher ballot (see checkLeases for why Leader, and not later);
//   - no chosen value lost: a leader holds, in every slot chosen at its ballot or a lower
//     one, the chosen value;
//   - pre-vote: a node becomes a candidate only if enough peers could have granted its
//     current attempt, so a node cut off from a leader that a quorum hears never raises
//     its ballot (checkCandidacy);
//   - restart: a node rebuilt from its disk holds every acceptance it saved (slots its
//     snapshot covers aside), unless its storage reported damage (checkRestart).
type oracle struct {
	nw     *network
	nodes  []*node // nodes[i] is node ids[i]
	quorum int
	fail   func(format string, args ...any)

	slots     []slotVotes // slots[s-1]: the acceptances of slot s
	maxChosen uint64      // highest slot known chosen

	// lastElection is the last tick a node became candidate or leader.
	lastElection int64

	tenures map[ballot]*tenure
	leading []ballot // leading[i]: the ballot node i leads, zero when it does not

	// The pre-vote bookkeeping counts events: every delivery and every tick is one.
	events int64
	// refusing[i] is the event since which node i refuses pre-votes without a break, -1
	// while it would grant one.
	refusing []int64
	// attempt[i] is the event at which node i began its current pre-vote attempt, and
	// attemptSent that attempt's send tick (Node.preVoteSent), to notice the next one.
	attempt     []int64
	attemptSent []int64
	roles       []consensus.Role
	// lost[i] are the acceptances node i's storage lost (disk.damage): checkRestart forgives them.
	lost []map[slotBallot]bool
}

type slotBallot struct {
	slot   uint64
	ballot ballot
}

// slotVotes are the acceptances of one slot, one entry per ballot.
type slotVotes struct {
	votes  []ballotVotes
	chosen bool
	value  string
	at     ballot // the lowest ballot at which value was chosen
}

type ballotVotes struct {
	ballot    ballot
	value     string
	acceptors uint64 // bit i: node i accepted value at ballot
}

// tenure is one ballot's leadership: who led it and whether it has ended.
type tenure struct {
	node  int
	ended bool
}

func newOracle(nw *network, fail func(format string, args ...any)) *oracle {
	n := len(nw.ids)
	o := &oracle{nw: nw, nodes: make([]*node, n), quorum: n/2 + 1, fail: fail, tenures: map[ballot]*tenure{},
		leading: make([]ballot, n), refusing: make([]int64, n), attempt: make([]int64, n), attemptSent: make([]int64, n), roles: make([]consensus.Role, n),
		lost: make([]map[slotBallot]bool, n)}
	for i, id := range nw.ids {
		o.nodes[i] = nw.node(id)
		o.refusing[i], o.attemptSent[i] = -1, -1
		o.lost[i] = map[slotBallot]bool{}
	}
	return o
}

// value is how the oracle, like the replicas, spells a slot's data: "" for a no-op.
func value(data []byte) string { return string(data) }

// accepted records that node i accepted v at ballot b in slot s.
func (o *oracle) accepted(s uint64, b ballot, i int, v string) {
	for uint64(len(o.slots)) < s {
		o.slots = append(o.slots, slotVotes{})
	}
	sv := &o.slots[s-1]
	k := -1
	for j := range sv.votes {
		if sv.votes[j].ballot == b {
			k = j
		}
	}
	if k < 0 {
		sv.votes = append(sv.votes, ballotVotes{ballot: b, value: v})
		k = len(sv.votes) - 1
	}
	bv := &sv.votes[k]
	if bv.value != v {
		o.fail("SAFETY: slot %d holds two values at ballot %s: %q (accepted by %s) and %q",
			s, b, v, o.nw.ids[i], bv.value)
	}
	bv.acceptors |= 1 << i
	if bits.OnesCount64(bv.acceptors) < o.quorum {
		return
	}
	switch {
	case !sv.chosen:
		sv.chosen, sv.value, sv.at = true, v, b
		o.maxChosen = max(o.maxChosen, s)
	case sv.value != v:
		o.fail("SAFETY: slot %d chose %q at ballot %s, and %q at ballot %s", s, sv.value, sv.at, v, b)
	case b.Less(sv.at):
		sv.at = b
	}
}

// chosen returns the value chosen in slot s, if any.
func (o *oracle) chosen(s uint64) (string, bool) {
	if s == 0 || s > uint64(len(o.slots)) || !o.slots[s-1].chosen {
		return "", false
	}
	return o.slots[s-1].value, true
}

// delivered checks one slot a node delivered: its value must be the chosen one.
func (o *oracle) delivered(id string, e consensus.Entry) {
	want, ok := o.chosen(e.Index)
	switch {
	case !ok:
		o.fail("SAFETY: %s delivered %q in slot %d, which no majority accepted", id, value(e.Data), e.Index)
	case want != value(e.Data):
		o.fail("SAFETY: %s delivered %q in slot %d, where %q is chosen", id, value(e.Data), e.Index, want)
	}
}

// afterDeliver runs after node e.To handled e.Msg: it records the changes in what the node
// does with pre-votes.
func (o *oracle) afterDeliver(e *simnet.Envelope[Message]) {
	o.events++
	if r := o.nw.nodes[e.To]; !r.down {
		o.observe(r.idx, r.node)
	}
}

// afterTick runs after node id ticked.
func (o *oracle) afterTick(id string) {
	o.events++
	r := o.nw.nodes[id]
	if r.down {
		return
	}
	i, n := r.idx, r.node
	if n.role == consensus.PreCandidate && n.preVoteSent != o.attemptSent[i] {
		o.attempt[i], o.attemptSent[i] = o.events, n.preVoteSent
	}
	o.observe(i, n)
}

// saved records the acceptances node id just made durable.
func (o *oracle) saved(id string, accs []acceptance) {
	i := o.nw.index(id)
	for _, a := range accs {
		o.accepted(a.slot, a.ballot, i, a.value)
	}
}

// crashed: node id died and its next incarnation waits to start. A dead node grants no
// pre-vote, and a leader that dies ends its tenure.
func (o *oracle) crashed(id string) {
	o.events++
	i := o.nw.index(id)
	if o.refusing[i] < 0 {
		o.refusing[i] = o.events
	}
	o.nodes[i] = o.nw.node(id)
	o.observe(i, o.nodes[i])
}

// forget records that node id's storage lost acceptance a.
func (o *oracle) forget(id string, a acceptance) {
	o.lost[o.nw.index(id)][slotBallot{a.slot, a.ballot}] = true
}

// checkRestart: node id, rebuilt from its disk, holds every acceptance it saved: in each
// slot above its snapshot, a value at the highest ballot it saved there, or at a higher one
// (one acceptance supersedes another). A node whose storage lost a record may lack it.
func (o *oracle) checkRestart(id string) {
	i := o.nw.index(id)
	n := o.nodes[i]
	for s := n.log.snap.Index + 1; s <= uint64(len(o.slots)); s++ {
		var top *ballotVotes
		for k := range o.slots[s-1].votes {
			v := &o.slots[s-1].votes[k]
			if v.acceptors&(1<<i) != 0 && (top == nil || top.ballot.Less(v.ballot)) {
				top = v
			}
		}
		if top == nil || o.lost[i][slotBallot{s, top.ballot}] {
			continue
		}
		sl := n.log.get(s)
		if sl == nil || sl.ballot.Less(top.ballot) || (sl.ballot == top.ballot && value(sl.data) != top.value) {
			o.fail("RESTART: %s restarted without its acceptance of %q at ballot %s in slot %d (holds %+v)", id, top.value, top.ballot, s, sl)
		}
	}
}

// observe notes node i's pre-vote stance and role after an event, and checks a candidacy.
func (o *oracle) observe(i int, n *node) {
	refuses := !n.grantsPreVote()
	switch {
	case !refuses:
		o.refusing[i] = -1
	case o.refusing[i] < 0:
		o.refusing[i] = o.events
	}
	if o.roles[i] == consensus.PreCandidate && n.role == consensus.Candidate {
		o.checkCandidacy(i)
	}
	if o.roles[i] != n.role && n.role >= consensus.Candidate {
		o.lastElection = o.nw.now()
	}
	if o.roles[i] == consensus.Leader && (n.role != consensus.Leader || n.ballot != o.leading[i]) {
		o.tenures[o.leading[i]].ended = true
		o.leading[i] = ballot{}
	}
	if o.leading[i].IsZero() && n.role == consensus.Leader {
		o.newTenure(i, n)
	}
	o.roles[i] = n.role
}

// checkCandidacy: node i won a pre-vote. Every peer that refused pre-votes without a break
// since before i's attempt began (it is Leader or heard one within ElectionTicks) cannot
// have granted it, so there must be enough others for a quorum. This is the sound form of
// "a node cut off from a leader that a quorum hears never raises its ballot": a grant held
// back from an earlier attempt, when its sender had lost the leader, must not count.
func (o *oracle) checkCandidacy(i int) {
	blocked := 0
	for j, since := range o.refusing {
		if j != i && since >= 0 && since < o.attempt[i] {
			blocked++
		}
	}
	n := len(o.nw.ids)
	if blocked > n-o.quorum {
		o.fail("PRE-VOTE: %s became candidate at ballot %s although %d of its %d peers refused pre-votes throughout its attempt (sent at tick %d)",
			o.nw.ids[i], o.nodes[i].ballot, blocked, n-1, o.attemptSent[i])
	}
}

// newTenure: node i has just become leader. The ballot must be its own and new. (What it
// re-proposes counts as accepted once it is saved, like any acceptance.)
func (o *oracle) newTenure(i int, n *node) {
	b := n.ballot
	if b.Node != i {
		o.fail("SAFETY: %s leads ballot %s, which belongs to node %d", o.nw.ids[i], b, b.Node)
	}
	if t, ok := o.tenures[b]; ok {
		o.fail("SAFETY: %s leads ballot %s a second time (first tenure by %s, ended=%t)", o.nw.ids[i], b, o.nw.ids[t.node], t.ended)
	}
	o.tenures[b] = &tenure{node: i}
	o.leading[i] = b
}

// check runs the properties that concern the cluster as a whole, once per step, when reads
// may be served: roles, leases and the leaders' logs.
func (o *oracle) check(paused func(id string) bool) {
	var leaders []*node
	for _, n := range o.nodes {
		if n.role == consensus.Leader {
			leaders = append(leaders, n)
		}
	}
	o.checkLeases(leaders, paused)
	for _, l := range leaders {
		o.checkLeaderLog(l)
	}
}

// checkLeases: no node that can serve a lease read (a valid lease, and not paused: a paused
// node serves nothing, and on resuming it first ticks through the time it missed) coexists
// with a leader at a higher ballot. "Leader" is the right moment, not "has chosen its open
// slots": a node becomes Leader when a majority promised its ballot, and from then on it
// may get values chosen that the lease holder's reads would miss (its re-proposals and
// proposals go out at once); doc.go's lease argument claims exactly that no such majority
// can exist before the lease ends. A candidate at a higher ballot is harmless, and common.
func (o *oracle) checkLeases(leaders []*node, paused func(id string) bool) {
	for _, a := range leaders {
		if !a.leaseValid() || paused(a.id) {
			continue
		}
		for _, b := range leaders {
			if a.ballot.Less(b.ballot) {
				o.fail("LEASE: %s holds a lease at ballot %s (from tick %d, now %d) while %s leads ballot %s",
					a.id, a.ballot, a.lead.leaseFrom, a.now, b.id, b.ballot)
			}
		}
	}
}

// checkLeaderLog: a leader holds, in every slot chosen at its ballot or below and not yet
// delivered by it, the chosen value. Phase 1 guarantees that from the moment it leads: a
// majority promised its ballot, so it heard of every value chosen below it, and nothing can
// be chosen below it afterwards. Slots chosen at a higher ballot are another leader's, which
// a deposed leader that does not know it yet cannot hold. (Delivered slots are checked at
// delivery, compacted ones by the state hash.)
func (o *oracle) checkLeaderLog(l *node) {
	for s := max(l.log.applied, l.log.snap.Index) + 1; s <= o.maxChosen; s++ {
		sv := &o.slots[s-1]
		if !sv.chosen || l.ballot.Less(sv.at) {
			continue
		}
		sl := l.log.get(s)
		if sl == nil || sl.ballot.IsZero() || value(sl.data) != sv.value {
			held := "nothing"
			if sl != nil && !sl.ballot.IsZero() {
				held = fmt.Sprintf("%q at ballot %s", value(sl.data), sl.ballot)
			}
			o.fail("LOST: leader %s (ballot %s, commit %d) holds %s in slot %d, where %q was chosen at ballot %s",
				l.id, l.ballot, l.log.commit, held, s, sv.value, sv.at)
		}
	}
}
