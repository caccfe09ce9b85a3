package raft

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/consensus/coretest"
)

// cluster is a set of Nodes on the shared simulated network (simnet). Scenario tests drive it
// with stabilize (deliver everything now, no time passes) and run (ticks with latency); the
// randomized simulation sets the network's faults (loss, duplication, delays) and partitions
// it. It also plays the server: it applies committed entries to a hash-chain state machine,
// takes snapshots, and checks safety on every Ready.
type cluster struct {
	t     testing.TB
	ids   []string
	nodes map[string]*node
	// net carries the messages; its clock is the cluster's (one tick per millisecond) and it
	// ticks the nodes, holding back a paused node's ticks and messages until it resumes.
	net *simnet.Network[Message]

	// The "server" of each node and the shared safety record.
	sms     map[string]*stateMachine
	chain   map[uint64]uint64       // index -> state hash after applying it (first seen)
	entryAt map[uint64]appliedEntry // index -> the entry applied there (first seen)
	// commitTerm[i] is the term of the leader first seen committing index i; committedHigh
	// is the highest index a leader was seen committing.
	commitTerm    map[uint64]uint64
	committedHigh uint64
	reads         map[uint64]readCheck
	readsDone     int
	nextReadID    uint64
	compactEvery  uint64
	leaders       map[uint64]string // term -> the one leader seen in it
	// acked[l][f] is l's tick when an ack of f's in l's term last reached it (checkQuorum).
	acked map[string]map[string]uint64
	// filter, if set, may rewrite or drop (return false) a message at delivery.
	filter func(*Message) bool
	trace  []traceLine // last events, printed on failure
	events []string    // the nodes' log lines (role changes ...), printed on failure
	// maxCommitted is the longest Ready.Committed seen.
	maxCommitted int
	// recording, when non-nil, collects Describe of every delivered message (golden tests).
	recording *[]string
	// noLeaseCheck turns off checkLeases for tests that skip time (expireLeases).
	noLeaseCheck bool
	// bench turns off tracing and per-entry safety records so benchmarks time the core.
	bench bool

	// Crashes (crash_test.go). With disks set, every Ready's Stable is saved to the node's
	// disk, and checked against what its messages promise, before anything else is done.
	seed  uint64
	cfgs  map[string]config
	disks map[string]*disk
	// down[id] is the tick until which a crashed node stays down: it gets no ticks, and
	// messages that reach it are lost; downUntil is the latest of them. crashes[id] is a
	// crash planned at its next Ready.
	down      map[string]uint64
	downUntil uint64
	crashes   map[string]crashPlan
	// restarts counts the restarts of each node, so that each incarnation draws its own
	// randomness.
	restarts map[string]int
}

// appliedEntry is what a node applied at an index, compared across nodes.
type appliedEntry struct {
	term uint64
	data string
	noop bool
}

func (e appliedEntry) String() string { return fmt.Sprintf("%d/%q/noop=%v", e.term, e.data, e.noop) }

type readCheck struct {
	node     string
	minIndex uint64 // max commit index over all nodes when ReadIndex was called
}

type stateMachine struct {
	applied  uint64
	hash     uint64
	lastSnap uint64
	datas    []string // applied non-noop data, for tests that look at contents
}

// newCluster builds n nodes n0..n{n-1}; tweak adjusts each Config.
func newCluster(t testing.TB, size int, seed uint64, tweak func(*config)) *cluster {
	c := &cluster{t: t, nodes: map[string]*node{},
		sms: map[string]*stateMachine{}, chain: map[uint64]uint64{}, entryAt: map[uint64]appliedEntry{},
		reads: map[uint64]readCheck{}, leaders: map[uint64]string{}, acked: map[string]map[string]uint64{},
		commitTerm: map[uint64]uint64{},
		seed:       seed, cfgs: map[string]config{}, down: map[string]uint64{}, crashes: map[string]crashPlan{}, restarts: map[string]int{}}
	for i := range size {
		c.ids = append(c.ids, fmt.Sprintf("n%d", i))
	}
	c.net = simnet.New[Message](c.ids, rand.New(rand.NewPCG(seed, 0xC1)), simnet.Faults{Latency: constantLatency(1)})
	c.net.Deliver = func(e *simnet.Envelope[Message]) { c.deliver(e.Msg) }
	c.net.Tick = func(id string) {
		if !c.isDown(id) {
			c.nodes[id].Tick()
		}
	}
	c.net.Filter = func(e *simnet.Envelope[Message]) simnet.Verdict {
		if c.filter != nil && !c.filter(&e.Msg) {
			return simnet.Drop
		}
		return simnet.Pass
	}
	c.net.Logf = c.tracef
	for i, id := range c.ids {
		cfg := config{Config: consensus.Config{ID: id, Peers: c.ids, Rand: rand.New(rand.NewPCG(seed, uint64(i))),
			Logger: logFunc(func(msg string, args ...any) {
				c.events = append(c.events, fmt.Sprintf("t=%d %s %s %v", c.now(), id, msg, args))
				if len(c.events) > 200 {
					c.events = c.events[100:]
				}
			})}}
		if tweak != nil {
			tweak(&cfg)
		}
		c.cfgs[id] = cfg
		c.nodes[id] = newNode(cfg)
		c.sms[id] = &stateMachine{}
	}
	return c
}

func (c *cluster) node(id string) *node { return c.nodes[id] }

// now is the virtual time in milliseconds, one tick each.
func (c *cluster) now() uint64 { return uint64(c.net.Now()) }

// constantLatency is a network delay of exactly ms milliseconds.
func constantLatency(ms int64) simnet.Latency {
	return simnet.Latency{Dist: simnet.Constant, Mean: float64(ms)}
}

// setLatency makes every message take a whole number of milliseconds drawn uniformly from
// [lo, hi].
func (c *cluster) setLatency(lo, hi uint64) {
	c.net.Faults.Latency = simnet.Latency{Dist: simnet.Uniform, Min: int64(lo), Max: int64(hi)}
}

func (c *cluster) tracef(format string, args ...any) {
	if c.bench {
		return
	}
	c.record(traceLine{at: c.now(), text: fmt.Sprintf(format, args...)})
}

// traceLine is one event for a failure report: a message delivered (formatted only if the
// report is printed, since deliveries are the simulation's hot path) or a line of text.
type traceLine struct {
	at   uint64
	msg  *Message
	text string
}

func (l traceLine) String() string {
	if l.msg != nil {
		return fmt.Sprintf("t=%d %s%s", l.at, l.text, describe(*l.msg))
	}
	return fmt.Sprintf("t=%d %s", l.at, l.text)
}

func (c *cluster) record(l traceLine) {
	c.trace = append(c.trace, l)
	if len(c.trace) > 400 {
		c.trace = append(c.trace[:0], c.trace[200:]...)
	}
}

func (c *cluster) fatalf(format string, args ...any) {
	c.t.Helper()
	var lines []string
	for _, l := range c.trace[max(0, len(c.trace)-60):] {
		lines = append(lines, l.String())
	}
	c.t.Fatalf("%s\nlast node events:\n%s\nlast messages:\n%s", fmt.Sprintf(format, args...),
		strings.Join(c.events[max(0, len(c.events)-30):], "\n"), strings.Join(lines, "\n"))
}

// cut drops messages between a and b in both directions.
func (c *cluster) cut(a, b string) { c.net.Cut(a, b) }

// block drops messages from -> to.
func (c *cluster) block(from, to string) { c.net.Block(from, to) }

// isolate cuts id off from every other node.
func (c *cluster) isolate(id string) { c.net.Isolate(id) }

// heal removes every partition.
func (c *cluster) heal() { c.net.Heal() }

// collect takes every node's Ready, checks it and sends its messages: through the network's
// fault model, or, when settling, due at once.
func (c *cluster) collect(settling bool) {
	c.checkLeases()
	for _, id := range c.ids {
		n := c.nodes[id]
		if c.paused(id) || c.isDown(id) {
			continue
		}
		if n.role == consensus.Leader {
			for ; !c.bench && c.committedHigh < n.log.committed; c.committedHigh++ {
				c.commitTerm[c.committedHigh+1] = n.term
			}
			c.checkQuorum(id)
			l, ok := c.leaders[n.term]
			if ok && l != id {
				c.fatalf("SAFETY: two leaders in term %d: %s and %s", n.term, l, id)
			}
			if !ok {
				c.checkLeaderCompleteness(id)
			}
			c.leaders[n.term] = id
		}
		var plan crashPlan
		crashing := false
		if len(c.crashes) > 0 {
			plan, crashing = c.crashes[id]
		}
		if !n.HasReady() {
			if crashing {
				c.crash(id, plan)
			}
			continue
		}
		rd := n.Ready()
		if c.disks != nil {
			if crashing && plan.point == crashBeforeSave {
				c.crash(id, plan)
				continue
			}
			c.save(id, rd)
		}
		c.handleReady(id, rd)
		if crashing {
			c.crash(id, plan) // saved and applied, but nothing sent
			continue
		}
		for _, m := range rd.Messages {
			if m.From != id || m.To == "" {
				c.fatalf("bad message from %s: %s", id, describe(m))
			}
			if (m.Type == MsgPreVoteResp || m.Type == MsgVoteResp) && !m.Reject {
				c.checkGrant(m)
			}
			if settling {
				c.enqueue(m, 0)
			} else {
				c.net.Send(m.From, m.To, m)
			}
		}
	}
}

// enqueue puts m in flight, due after lat milliseconds.
func (c *cluster) enqueue(m Message, lat uint64) { c.net.Enqueue(m.From, m.To, m, int64(lat)) }

// deliver hands a message the network delivers to its receiver.
func (c *cluster) deliver(m Message) {
	if c.isDown(m.To) {
		c.record(traceLine{at: c.now(), msg: &m, text: "lost at a crashed node: "})
		return
	}
	if to := c.nodes[m.To]; (m.Type == MsgAppResp || m.Type == MsgHeartbeatResp) && to.role == consensus.Leader && m.Term == to.term {
		if c.acked[m.To] == nil {
			c.acked[m.To] = map[string]uint64{}
		}
		c.acked[m.To][m.From] = to.now
	}
	if !c.bench {
		c.record(traceLine{at: c.now(), msg: &m})
	}
	if c.recording != nil {
		*c.recording = append(*c.recording, describe(m))
	}
	c.nodes[m.To].Step(m)
}

// pause stops id for d ticks, as SIGSTOP or a long GC pause would: the network holds its
// messages and ticks, and on resuming ticks it for every missed tick before anything else.
func (c *cluster) pause(id string, d uint64) { c.net.Pause(id, int64(d)) }

func (c *cluster) paused(id string) bool { return c.net.Paused(id) }

// stabilize delivers messages (in send order, no time passing) until nothing is left to do.
func (c *cluster) stabilize() {
	for range 10000 {
		c.collect(true)
		if c.net.Len() == 0 {
			return
		}
		c.net.DeliverAll()
	}
	c.fatalf("stabilize did not settle")
}

// run advances time by ticks milliseconds: each tick delivers due messages, ticks every node,
// then takes every Ready.
func (c *cluster) run(ticks int) {
	for range ticks {
		c.step()
	}
}

func (c *cluster) step() {
	c.net.Step()
	c.collect(false)
}

// runUntil runs until cond holds, at most limit ticks; it reports whether cond held.
func (c *cluster) runUntil(limit int, cond func() bool) bool {
	for range limit {
		if cond() {
			return true
		}
		c.step()
	}
	return cond()
}

// leader returns the id of the node that is leader with the highest term, "" if none.
func (c *cluster) leader() string {
	best := ""
	for _, id := range c.ids {
		n := c.nodes[id]
		if n.role == consensus.Leader && (best == "" || n.term > c.nodes[best].term) {
			best = id
		}
	}
	return best
}

// stableLeader returns the leader if every node agrees on it in one term, else "".
func (c *cluster) stableLeader() string {
	l := c.leader()
	if l == "" {
		return ""
	}
	for _, id := range c.ids {
		if n := c.nodes[id]; n.Leader() != l || n.term != c.nodes[l].term {
			return ""
		}
	}
	return l
}

func (c *cluster) maxCommit() uint64 {
	var m uint64
	for _, n := range c.nodes {
		m = max(m, n.log.committed)
	}
	return m
}

// checkLeases asserts the claim the lease rests on (doc.go): while a leader's lease is valid,
// no leader of a later term exists, and no node of the quorum it counts on has voted for
// another node.
func (c *cluster) checkLeases() {
	if c.noLeaseCheck {
		return
	}
	newest := ""
	for _, id := range c.ids {
		if n := c.nodes[id]; n.role == consensus.Leader && (newest == "" || n.term > c.nodes[newest].term) {
			newest = id
		}
	}
	for _, id := range c.ids {
		// A paused node's clock is stale, but it acts on nothing until it has caught up.
		n := c.nodes[id]
		if c.paused(id) || n.role != consensus.Leader || !n.leaseValid() {
			continue
		}
		if n.term < c.nodes[newest].term {
			c.fatalf("LEASE: %s (term %d) holds a lease while %s leads term %d", id, n.term, newest, c.nodes[newest].term)
		}
		// The follower half of the argument, checked directly: a node that acknowledged the
		// round the lease counts from has voted for nobody else since.
		start := n.quorumValue(n.now, func(pr *progress) uint64 { return pr.ackStamp })
		for _, pr := range n.peers {
			if f := c.nodes[pr.id]; pr.ackStamp >= start && f.term > n.term && f.vote != "" && f.vote != id {
				c.fatalf("LEASE: %s voted for %s in term %d while %s's lease (term %d) rests on it", pr.id, f.vote, f.term, id, n.term)
			}
		}
	}
}

// checkQuorum asserts, from the acks the network delivered, that a leader which has heard no
// ack of its term from a quorum (itself included) for an election timeout has stepped down:
// a leader cut off from the majority must stop taking requests instead of holding its
// clients until they time out.
func (c *cluster) checkQuorum(id string) {
	if c.bench {
		return
	}
	n := c.nodes[id]
	heard := 1
	for _, o := range c.others(id) {
		if n.now-max(c.acked[id][o], n.leaderSince) <= uint64(n.electionTimeout)+1 {
			heard++
		}
	}
	if heard < n.quorum {
		c.fatalf("CHECK-QUORUM: %s still leads term %d, having heard acks from %d of %d within %d ticks",
			id, n.term, heard, len(c.ids), n.electionTimeout)
	}
}

// checkLeaderCompleteness asserts that a new leader holds every entry applied anywhere that was
// committed in an earlier term (paper §5.4, Leader Completeness): what a leader lacks it would
// overwrite, and an acknowledged write would be lost. (A leader of an older term can still be
// elected by votes that were late to arrive; it needs nothing committed in a later term.)
func (c *cluster) checkLeaderCompleteness(id string) {
	if c.bench {
		return
	}
	n := c.nodes[id]
	for i, key := range c.entryAt {
		if i <= n.log.offset || c.commitTerm[i] >= n.term {
			continue // in the leader's snapshot (checked on install), or committed later
		}
		if t, ok := n.log.term(i); !ok || t != key.term {
			c.fatalf("SAFETY: %s leads term %d without the entry %s applied at index %d (its log: %d..%d)",
				id, n.term, key, i, n.log.offset+1, n.log.lastIndex())
		}
	}
}

// checkGrant asserts the follower half of the lease argument (doc.go, step 1) where it is
// acted on: a node that acknowledged the round a valid lease counts from grants no vote or
// pre-vote to anyone but that leader.
func (c *cluster) checkGrant(m Message) {
	if c.noLeaseCheck {
		return
	}
	for _, id := range c.ids {
		n := c.nodes[id]
		if id == m.To || c.paused(id) || n.role != consensus.Leader || !n.leaseValid() {
			continue
		}
		start := n.quorumValue(n.now, func(pr *progress) uint64 { return pr.ackStamp })
		if pr := n.progress(m.From); pr != nil && pr.ackStamp >= start {
			c.fatalf("LEASE: %s granted %s while %s's lease (term %d) rests on it: %s", m.From, m.To, id, n.term, describe(m))
		}
	}
}

// read calls ReadIndex on id and records what the answer must cover.
func (c *cluster) read(id string) (uint64, bool) {
	c.nextReadID++
	rid := c.nextReadID
	if !c.nodes[id].ReadIndex(rid) {
		return rid, false
	}
	c.reads[rid] = readCheck{node: id, minIndex: c.maxCommit()}
	return rid, true
}

// handleReady plays the server for one Ready and checks the safety properties.
func (c *cluster) handleReady(id string, rd consensus.Ready[Message]) {
	sm := c.sms[id]
	if s := rd.Snapshot; s != nil {
		idx, h := decodeSnap(s.Data)
		if idx != s.Index {
			c.fatalf("%s: snapshot index %d carries state of %d", id, s.Index, idx)
		}
		if want, ok := c.chain[idx]; !ok || want != h {
			c.fatalf("%s: snapshot at %d has state %x, cluster state there is %x (known %v)", id, idx, h, want, ok)
		}
		if idx <= sm.applied {
			c.fatalf("%s: snapshot %d not ahead of applied %d", id, idx, sm.applied)
		}
		c.tracef("%s restored snapshot %d", id, idx)
		sm.applied, sm.hash, sm.datas = idx, h, nil
	}
	c.maxCommitted = max(c.maxCommitted, len(rd.Committed))
	for _, e := range rd.Committed {
		if e.Index != sm.applied+1 {
			c.fatalf("%s: committed index %d after applied %d", id, e.Index, sm.applied)
		}
		if c.bench {
			sm.applied = e.Index
			continue
		}
		key := appliedEntry{term: e.Term, data: string(e.Data), noop: e.Data == nil}
		if prev, ok := c.entryAt[e.Index]; ok && prev != key {
			c.fatalf("SAFETY: %s committed %s at %d, another node committed %s", id, key, e.Index, prev)
		}
		c.entryAt[e.Index] = key
		sm.hash = coretest.ChainHash(sm.hash, e)
		sm.applied = e.Index
		if e.Data != nil {
			sm.datas = append(sm.datas, string(e.Data))
		}
		if prev, ok := c.chain[e.Index]; ok && prev != sm.hash {
			c.fatalf("SAFETY: %s state at %d differs from another node's", id, e.Index)
		}
		c.chain[e.Index] = sm.hash
	}
	for _, rs := range rd.ReadStates {
		rc, ok := c.reads[rs.ID]
		if !ok || rc.node != id {
			c.fatalf("%s: unknown read state %+v", id, rs)
		}
		if rs.Index < rc.minIndex {
			c.fatalf("LINEARIZABILITY: %s read %d at index %d misses commit %d seen before the call", id, rs.ID, rs.Index, rc.minIndex)
		}
		if rs.Index > c.nodes[id].log.committed {
			c.fatalf("%s: read %d at index %d beyond commit %d", id, rs.ID, rs.Index, c.nodes[id].log.committed)
		}
		delete(c.reads, rs.ID)
		c.readsDone++
	}
	if c.compactEvery > 0 && sm.applied >= sm.lastSnap+c.compactEvery {
		c.nodes[id].Compact(sm.applied, encodeSnap(sm.applied, sm.hash))
		sm.lastSnap = sm.applied
	}
}

// checkAgreement asserts that all nodes applied the same prefix and reached index want.
func (c *cluster) allApplied(want uint64) bool {
	for _, id := range c.ids {
		if c.sms[id].applied < want {
			return false
		}
	}
	return true
}

func encodeSnap(idx, h uint64) []byte {
	return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, idx), h)
}

func decodeSnap(b []byte) (idx, h uint64) {
	if len(b) != 16 {
		return 0, 0
	}
	return binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
}

// others returns every id but the given ones.
func (c *cluster) others(not ...string) []string {
	var out []string
	for _, id := range c.ids {
		if !slices.Contains(not, id) {
			out = append(out, id)
		}
	}
	return out
}

// logFunc adapts a function to the cores' logger.
type logFunc func(msg string, args ...any)

func (f logFunc) Info(msg string, args ...any) { f(msg, args...) }

// The shared defaults the tests count ticks in.
var (
	defaultElectionTicks  = consensus.DefaultTiming.ElectionTicks
	defaultHeartbeatTicks = consensus.DefaultTiming.HeartbeatTicks
)
