package raft

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/harness/simseed"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// TestSimulation runs many seeded clusters in the manner of swarm testing: every seed draws
// its own cluster (3 or 5 nodes, max in-flight 1..16, batch size, leases on or off, the
// uncommitted bound, compaction) and its own fault mix from the shared simulated network
// (simnet.Swarm: holds of single messages for several election timeouts, heavy-tailed,
// bimodal and asymmetric latency, one-way and flapping links, partitions of Maelstrom's shapes
// and one-way ones, loss, duplication, pauses, some aimed at the leader), and an adversary
// that holds vote traffic and acks far more often than other messages, since stale-leader bugs
// live in late votes and late acks. The cluster checks safety at every step: one leader per
// term, no lease read possible while a later term has a leader, agreement and equal state at
// every applied index, every new leader holding every entry applied anywhere, snapshots
// matching the cluster's state, and every read covering each commit seen before it was asked.
// After the faults stop, the cluster must elect a stable leader, commit a new entry on every
// node and serve a read. A failure names its seed and the command that replays it (the seed
// flags are package simseed's: -sim.seed N runs seed N alone; more seeds:
// go test ./raftnode/raft -run TestSimulation -sim.seeds 20000 -sim.first 3000).
func TestSimulation(t *testing.T) {
	seeds := simseed.Seeds(3000)
	if testing.Short() {
		seeds = seeds[:min(len(seeds), 300)]
	}
	var ticks atomic.Int64
	start := time.Now()
	t.Cleanup(func() {
		wall := time.Since(start).Seconds()
		t.Logf("%d seeds, %.0f simulated seconds in %.1f s: %.0f seeds per minute, %.0f simulated seconds per second",
			len(seeds), float64(ticks.Load())/1000, wall, float64(len(seeds))/wall*60, float64(ticks.Load())/1000/wall)
	})
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			c := runSim(t, seed)
			ticks.Add(int64(c.now()))
		})
	}
}

// simParams is what one seed draws: the cluster, the clients' load and the fault model.
type simParams struct {
	size                int
	election, heartbeat int
	lease               bool
	inflight, batch     int
	uncommitted         int
	margin              int
	compactEvery        uint64
	proposeP, readP     float64
	chaosTicks          int
	faults              simnet.Faults
	// voteBias and ackBias multiply the hold chance of vote traffic and of acks.
	voteBias, ackBias float64
	// staleVotes is the chance that the adversary holds a vote message until one of its two
	// ends has moved on (staleAnswers).
	staleVotes float64
	// attack: the adversary runs leaseAttack plans against the leader (and the random
	// partition schedule is off, so that the two do not undo each other).
	attack bool
	// Crashes: every node saves to a disk (keeping the records a snapshot covers when
	// keepRecords is set); with crashEvery > 0 nodes crash about that often, stay down up to
	// maxDown ticks, and a lone crash restarts from damaged storage with chance damageP.
	keepRecords bool
	crashEvery  uint64
	maxDown     uint64
	damageP     float64
}

func (p simParams) String() string {
	return fmt.Sprintf("nodes=%d election=%d heartbeat=%d lease=%v inflight=%d batch=%d uncommitted=%d margin=%d compact=%d chaos=%d hold-bias=votes x%g acks x%g stale-votes=%g attack=%v crashes: every=%d down<=%d damage=%g keep-records=%v faults: %s",
		p.size, p.election, p.heartbeat, p.lease, p.inflight, p.batch, p.uncommitted, p.margin, p.compactEvery,
		p.chaosTicks, p.voteBias, p.ackBias, p.staleVotes, p.attack, p.crashEvery, p.maxDown, p.damageP, p.keepRecords, p.faults)
}

func randomParams(r *rand.Rand) simParams {
	p := simParams{
		size:         []int{3, 3, 5}[r.IntN(3)],
		election:     40 + r.IntN(40),
		lease:        r.IntN(4) != 0,
		inflight:     1 + r.IntN(16),
		batch:        1 + r.IntN(20),
		uncommitted:  []int{0, 0, 0, 1 + r.IntN(50)}[r.IntN(4)],
		margin:       r.IntN(20),
		compactEvery: uint64(5 + r.IntN(50)),
		proposeP:     0.05 + r.Float64()*0.3,
		readP:        r.Float64() * 0.2,
		chaosTicks:   2000 + r.IntN(3000),
		voteBias:     []float64{1, 10, 50}[r.IntN(3)],
		ackBias:      []float64{1, 5, 20}[r.IntN(3)],
	}
	p.heartbeat = p.election / (4 + r.IntN(4))
	p.faults = simnet.Swarm(r, int64(p.election))
	if !p.faults.Hold.On() && (p.voteBias > 1 || p.ackBias > 1) {
		// The adversary's holds need a base rate to bias.
		e := int64(p.election)
		p.faults.Hold = simnet.Spike{P: 0.002 + 0.01*r.Float64(), Min: e / 2, Max: e + r.Int64N(2*e)}
	}
	p.staleVotes = []float64{0, 0.1, 0.5}[r.IntN(3)]
	if p.attack = r.IntN(3) == 0; p.attack {
		p.faults.Partitions = simnet.Partitions{}
	}
	return p
}

// randomCrashes draws the disks and crashes of a seed, from a source of their own, so that a
// seed without crashes runs exactly the schedule it ran before they existed.
func (p *simParams) randomCrashes(r *rand.Rand) {
	p.keepRecords = r.IntN(2) == 0
	if r.IntN(3) != 0 {
		p.crashEvery = uint64(p.election) * (2 + r.Uint64N(20))
		p.maxDown = uint64(p.election) * r.Uint64N(4)
		p.damageP = []float64{0, 0, 0.3}[r.IntN(3)]
	}
}

// roundTripBound is a round trip that the calm network (the faults' base latency and link
// asymmetry) rarely exceeds, in ticks.
func (p simParams) roundTripBound() int64 {
	l := p.faults.Latency
	oneWay := float64(max(l.Max, l.Cap, 1)) + 5*l.Mean
	return int64(2 * oneWay * max(p.faults.Asymmetry, 1))
}

// roundTripTypical is a round trip on the slowest link of the calm network that only a
// heavy tail exceeds, in ticks.
func (p simParams) roundTripTypical() int64 {
	l := p.faults.Latency
	return int64(2 * (float64(l.Min+1) + 3*l.Mean) * max(p.faults.Asymmetry, 1))
}

// holdBias is the adversary's taste: votes and acks are held more often than the rest.
func (p simParams) holdBias(m Message) float64 {
	switch m.Type {
	case MsgPreVote, MsgPreVoteResp, MsgVote, MsgVoteResp:
		return p.voteBias
	case MsgAppResp, MsgHeartbeatResp:
		return p.ackBias
	case MsgApp:
		// A new leader's first append, the one carrying its no-op, is the news that it won:
		// held, it leaves followers campaigning while the leader already serves.
		for _, e := range m.Entries {
			if e.Data == nil && e.Term == m.Term {
				return p.voteBias
			}
		}
	}
	return 1
}

func runSim(t *testing.T, seed uint64) *cluster {
	r := rand.New(rand.NewPCG(seed, 0x5EED))
	p := randomParams(r)
	cr := rand.New(rand.NewPCG(seed, 0xC4A5))
	p.randomCrashes(cr)
	c := newCluster(t, p.size, seed, func(cfg *config) {
		cfg.Timing.ElectionTicks, cfg.Timing.HeartbeatTicks = p.election, p.heartbeat
		cfg.LeaseReads = p.lease
		cfg.Timing.MaxInflight, cfg.Timing.MaxBatch, cfg.CompactMargin = p.inflight, p.batch, p.margin
		cfg.MaxUncommitted = p.uncommitted
	})
	c.compactEvery = p.compactEvery
	c.withDisks(p.keepRecords)
	var crashes *crasher
	if p.crashEvery > 0 {
		crashes = &crasher{c: c, r: cr, every: p.crashEvery, maxDown: p.maxDown, damageP: p.damageP}
	}
	c.net.Faults = p.faults
	c.net.HoldBias = p.holdBias
	c.net.Leader = c.leader
	var stale *staleAnswers
	if p.staleVotes > 0 {
		stale = newStaleAnswers(c, r, p.staleVotes, int64(5*p.election))
	}
	var attack *leaseAttack
	if p.attack {
		attack = newLeaseAttack(c, r)
	}
	defer func() {
		if t.Failed() {
			t.Logf("seed=%d %s\nreplay: %s", seed, p, simseed.Replay("TestSimulation", seed))
		}
	}()

	proposals := 0
	for range p.chaosTicks {
		c.step()
		if stale != nil {
			stale.release()
		}
		if attack != nil {
			attack.step()
		}
		if crashes != nil {
			crashes.step()
		}
		for _, id := range c.ids {
			if c.node(id).role != consensus.Leader || c.paused(id) {
				continue
			}
			if r.Float64() < p.proposeP {
				for range 1 + r.IntN(3) {
					proposals++
					c.node(id).Propose([]byte(fmt.Sprintf("s%d-%d", seed, proposals)))
				}
			}
			if r.Float64() < p.readP {
				c.read(id)
			}
		}
		if t.Failed() {
			return c
		}
	}

	// Liveness: with the network healed, a leader emerges, commits, and serves a read.
	// The adversaries stop in the reverse order of their filters' wrapping.
	if attack != nil {
		attack.stop()
	}
	if stale != nil {
		stale.stop()
	}
	c.restartAll()
	c.heal()
	c.events = append(c.events, fmt.Sprintf("t=%d healed", c.now()))
	c.net.Faults = c.net.Faults.Calm()
	c.afterHeal(p, seed)
	return c
}

// afterHeal is the liveness phase: with the network calm and every node up, a stable leader
// emerges, an entry it proposes is applied everywhere, a read is served, and followers keep
// up under steady load.
func (c *cluster) afterHeal(p simParams, seed uint64) {
	limit := 60 * p.election
	if !c.runUntil(limit, func() bool { return c.stableLeader() != "" }) {
		c.fatalf("seed=%d: no stable leader %d ticks after healing (%s)", seed, limit, c.describeNodes())
	}
	// Propose until one proposal is applied everywhere: a leader elected during the faults may
	// still step down (check-quorum counts the silence before the heal) and lose its entry.
	sl := c.stableLeader()
	if c.node(sl).log.lastIndex() < c.maxCommit() {
		// Leader completeness (paper §5.4): the subtraction below would wrap round and the
		// phase would wait forever.
		c.fatalf("SAFETY: seed=%d: leader %s holds %d entries, %d are committed (%s)", seed, sl, c.node(sl).log.lastIndex(), c.maxCommit(), c.describeNodes())
	}
	// The slowest follower may trail by the whole backlog, which leaves MaxBatch*MaxInflight
	// entries per round trip.
	backlog := c.node(sl).log.lastIndex() - c.minApplied()
	limit += int(backlog/uint64(p.batch*p.inflight)+1) * int(2*p.roundTripBound())
	l, done := c.proposeUntilApplied(limit)
	if !done {
		c.fatalf("seed=%d: no proposal applied everywhere %d ticks after healing (%s)", seed, limit, c.describeNodes())
	}
	before := c.readsDone
	if _, ok := c.read(l); !ok {
		c.fatalf("seed=%d: leader %s refused a read", seed, l)
	}
	if !c.runUntil(limit, func() bool { return c.readsDone > before }) {
		c.fatalf("seed=%d: read not served after healing", seed)
	}
	c.steadyLoad(p, l)
}

// steadyLoad keeps the leader busy, below what the network can carry, first with light loss
// and then without, and checks that every follower keeps up: a follower that one lost append
// froze for as long as entries kept coming (with MaxInflight 1) trails without end here.
func (c *cluster) steadyLoad(p simParams, l string) {
	rtt := max(p.roundTripBound(), 1)
	every := max(1, 2*rtt/int64(p.batch*p.inflight)) // one entry per `every` ticks
	// The check allows half the calm phase, which must be two round trips of the slowest
	// link at least: an answer on a slow link of an asymmetric network takes that long.
	lossy, calm := 10*p.election, max(6*p.election, 4*int(p.roundTripTypical()))
	c.net.Faults.Loss = 0.02
	var mark uint64
	for i := range lossy + calm {
		if i == lossy {
			c.net.Faults.Loss = 0
		}
		if i == lossy+calm/2 {
			mark = c.node(l).log.committed
		}
		if int64(i)%every == 0 {
			c.node(l).Propose([]byte(fmt.Sprint("load-", i)))
		}
		c.step()
		if c.t.Failed() {
			return
		}
	}
	if c.leader() != l {
		return // a leader change under loss is legal; the check below assumes one leader
	}
	for _, id := range c.ids {
		if c.sms[id].applied < mark {
			c.fatalf("LIVENESS: under steady load %s applied %d, %d ticks after the leader committed %d (%s)",
				id, c.sms[id].applied, calm/2, mark, c.describeNodes())
		}
	}
}

// minApplied is the lowest index applied on any node.
func (c *cluster) minApplied() uint64 {
	lo := c.sms[c.ids[0]].applied
	for _, id := range c.ids {
		lo = min(lo, c.sms[id].applied)
	}
	return lo
}

func (c *cluster) describeNodes() string {
	s := ""
	for _, id := range c.ids {
		n := c.node(id)
		s += fmt.Sprintf("[%s %s t=%d lead=%q commit=%d last=%d applied=%d] ", id, n.role, n.term, n.Leader(), n.log.committed, n.log.lastIndex(), c.sms[id].applied)
	}
	return s
}

// proposeUntilApplied runs until an entry proposed by a stable leader of the current term is
// applied on every node, proposing again whenever the leader changes or refuses (its
// uncommitted tail may be full, as it is right after an election with MaxUncommitted 1). It
// returns that leader, or false after limit ticks.
func (c *cluster) proposeUntilApplied(limit int) (string, bool) {
	var l, final string
	var want, term uint64
	done := c.runUntil(limit, func() bool {
		if want != 0 && c.allApplied(want) && c.entryAt[want].data == final {
			return true
		}
		if sl := c.stableLeader(); sl != "" && (want == 0 || c.node(sl).term != term) {
			l, term = sl, c.node(sl).term
			final = fmt.Sprintf("final-%d", term)
			want = 0 // until a proposal of this term is accepted: try again at the next tick
			if c.node(l).Propose([]byte(final)) {
				want = c.node(l).log.lastIndex()
				c.events = append(c.events, fmt.Sprintf("t=%d proposed %s at %s index %d", c.now(), final, l, want))
			}
		}
		return false
	})
	return l, done
}

// TestProposeUntilAppliedRetriesAfterARefusal: the simulation's last phase once reported
// "no proposal applied everywhere" for a healthy cluster. Its first leader's proposal was lost
// to a leader change, and the new leader refused the next one (with MaxUncommitted 1 its own
// no-op fills the tail until it commits); the phase then waited forever for the lost entry.
func TestProposeUntilAppliedRetriesAfterARefusal(t *testing.T) {
	c := newCluster(t, 3, 45, func(cfg *config) { cfg.MaxUncommitted = 1 })
	c.elect("n0")
	c.run(10)
	// n0's messages are lost for a while, so its proposal never commits and the others elect a
	// new leader, which everyone hears at the same tick.
	healAt := uint64(3 * defaultElectionTicks)
	c.filter = func(m *Message) bool { return m.From != "n0" || c.now() >= healAt }
	l, ok := c.proposeUntilApplied(10 * defaultElectionTicks)
	require.True(t, ok, "no proposal applied everywhere (%s)", c.describeNodes())
	require.NotEqual(t, "n0", l)
	require.Contains(t, strings.Join(c.events, "\n"), "proposed final-1 at n0", "the schedule reaches its point")
}

// staleAnswers is the adversary that delivers vote traffic late in the one way that matters:
// after the node that sent it, or the one it is for, has moved on (changed term, role, or
// heard from a leader since). Answers that arrive after their asker moved on are where
// stale-state bugs live (a grant counted in a later campaign, a term adopted from an old
// rejection), and random delays rarely line them up. It holds each vote message with
// probability p, and releases it when either end's state has changed, or after max ticks.
type staleAnswers struct {
	c     *cluster
	held  map[staleKey]staleSig
	max   int64
	inner func(e *simnet.Envelope[Message]) simnet.Verdict // the filter it wraps
}

// stop ends the adversary: it holds nothing more and releases what it holds.
func (s *staleAnswers) stop() {
	s.c.net.Filter = s.inner
	s.c.net.Release(nil)
	clear(s.held)
}

type staleKey struct {
	from, to string
	typ      MsgType
	sent     int64
	term     uint64
}

// staleSig is what "moved on" compares: a node's term, role and last leader contact.
type staleSig struct {
	from, to [3]uint64
	at       int64
}

func newStaleAnswers(c *cluster, r *rand.Rand, p float64, max int64) *staleAnswers {
	inner := c.net.Filter
	s := &staleAnswers{c: c, held: map[staleKey]staleSig{}, max: max, inner: inner}
	c.net.Filter = func(e *simnet.Envelope[Message]) simnet.Verdict {
		switch e.Msg.Type {
		case MsgPreVote, MsgPreVoteResp, MsgVote, MsgVoteResp:
			if r.Float64() < p {
				s.held[s.key(e)] = staleSig{from: s.sig(e.From), to: s.sig(e.To), at: c.net.Now()}
				return simnet.Hold
			}
		}
		return inner(e)
	}
	return s
}

func (s *staleAnswers) key(e *simnet.Envelope[Message]) staleKey {
	return staleKey{e.From, e.To, e.Msg.Type, e.Sent, e.Msg.Term}
}

func (s *staleAnswers) sig(id string) [3]uint64 {
	n := s.c.nodes[id]
	return [3]uint64{n.term, uint64(n.role), n.leaderHeard}
}

// release puts back in flight every held message one of whose ends has moved on.
func (s *staleAnswers) release() {
	if len(s.held) == 0 {
		return
	}
	s.c.net.Release(func(e *simnet.Envelope[Message]) bool {
		k := s.key(e)
		h, ok := s.held[k]
		if !ok || h.from == s.sig(e.From) && h.to == s.sig(e.To) && s.c.net.Now()-h.at < s.max {
			return false
		}
		delete(s.held, k)
		s.c.tracef("adversary: released %s", describe(e.Msg))
		return true
	})
}

// leaseAttack is the adversary's plan against a leader's lease, the classic one: make the
// followers lose the leader while late acks keep it in office, so that another node campaigns
// for a later term; let one follower hear the leader again, so that the lease rests on it;
// then cut the leader off, so that it keeps its lease while the others elect; and in half of
// the plans crash that follower and restart it at once, so that it has forgotten when it
// heard the leader. Every step waits for the protocol state it needs, with a random deadline,
// and the plan starts over at a random time. Under a correct lease no new leader, and no vote
// for one from the lease's quorum, appears before the lease ends (checkLeases, checkGrant).
type leaseAttack struct {
	c     *cluster
	r     *rand.Rand
	crash *rand.Rand // its own source, so that the plans stay what they were without crashes
	phase int
	at    uint64 // when the current phase gives up (or, idle, when the next plan starts)
	l, x  string
	hold  map[string]bool // followers whose acks to l are held
	inner func(e *simnet.Envelope[Message]) simnet.Verdict
}

const (
	attackIdle = iota
	attackHoldAcks
	attackMute
	attackRest
	attackCut
)

func newLeaseAttack(c *cluster, r *rand.Rand) *leaseAttack {
	a := &leaseAttack{c: c, r: r, crash: rand.New(rand.NewPCG(c.seed, 0xA77AC)), hold: map[string]bool{}, inner: c.net.Filter}
	c.net.Filter = func(e *simnet.Envelope[Message]) simnet.Verdict {
		if e.To == a.l && a.hold[e.From] && (e.Msg.Type == MsgAppResp || e.Msg.Type == MsgHeartbeatResp) {
			return simnet.Hold
		}
		return a.inner(e)
	}
	a.idle()
	return a
}

func (a *leaseAttack) election() uint64 {
	return uint64(a.c.nodes[a.c.ids[0]].cfg.Timing.ElectionTicks)
}

func (a *leaseAttack) idle() {
	a.phase, a.l, a.x = attackIdle, "", ""
	clear(a.hold)
	a.at = a.c.now() + a.election()*(2+a.r.Uint64N(8))
}

// stop ends the plan: the network heals and the held acks arrive.
func (a *leaseAttack) stop() {
	a.c.net.Filter = a.inner
	a.c.heal()
	a.c.net.Release(nil)
	a.idle()
}

func (a *leaseAttack) step() {
	c, now, e := a.c, a.c.now(), a.election()
	if a.phase != attackIdle && (c.nodes[a.l].role != consensus.Leader || now >= a.at) {
		c.tracef("adversary: lease attack on %s ends in phase %d", a.l, a.phase)
		a.stop()
		return
	}
	switch a.phase {
	case attackIdle:
		if l := c.stableLeader(); now >= a.at && l != "" && c.nodes[l].leaseValid() {
			a.phase, a.l, a.at = attackHoldAcks, l, now+uint64(3*c.nodes[l].cfg.Timing.HeartbeatTicks)
			for _, f := range c.others(l) {
				a.hold[f] = true
			}
			c.tracef("adversary: lease attack on %s: acks held", l)
		}
	case attackHoldAcks:
		if now+1 >= a.at {
			a.phase, a.at = attackMute, now+e*(2+a.r.Uint64N(6))
			for _, f := range c.others(a.l) {
				c.block(a.l, f)
			}
			c.tracef("adversary: lease attack on %s: muted", a.l)
		}
	case attackMute:
		a.keepInOffice()
		for _, id := range c.others(a.l) {
			if c.nodes[id].term > c.nodes[a.l].term {
				// Someone campaigns for a later term: one of the others hears l again.
				others := c.others(a.l, id)
				a.x = others[a.r.IntN(len(others))]
				a.phase, a.at = attackRest, now+2*e
				delete(a.hold, a.x)
				c.net.Unblock(a.l, a.x)
				c.tracef("adversary: lease attack on %s: %s campaigns, %s hears %s again", a.l, id, a.x, a.l)
				break
			}
		}
	case attackRest:
		a.keepInOffice()
		n := c.nodes[a.l]
		start := n.quorumValue(n.now, func(pr *progress) uint64 { return pr.ackStamp })
		if n.leaseValid() && n.progress(a.x).ackStamp >= start {
			a.phase, a.at = attackCut, now+3*e
			c.isolate(a.l)
			c.tracef("adversary: lease attack on %s: its lease rests on %s; cut off", a.l, a.x)
			if c.disks != nil && a.crash.IntN(2) == 0 {
				c.crashes[a.x] = crashPlan{point: crashPoint(a.crash.IntN(2))}
			}
		}
	case attackCut:
	}
}

// keepInOffice releases one held ack whenever the leader would otherwise step down.
func (a *leaseAttack) keepInOffice() {
	n := a.c.nodes[a.l]
	var last uint64
	for _, pr := range n.peers {
		last = max(last, pr.lastHeard)
	}
	if n.now-last+1 >= uint64(n.electionTimeout) {
		a.c.net.Release(func(e *simnet.Envelope[Message]) bool {
			if e.To == a.l && last != 0 {
				last = 0 // release one
				return true
			}
			return false
		})
	}
}
