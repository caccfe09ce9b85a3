package paxos

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/consensus/coretest"
)

// replica is a test state machine: the data of every slot it applied, in
// order ("" stands for a no-op), plus the reads it was told to serve.
type replica struct {
	node    *node
	idx     int              // position in ids
	cfg     consensus.Config // what the node was built with; a restart adds Restore
	disk    *disk
	down    bool     // crashed and not restarted: it receives nothing and gets no ticks
	state   []string // state[i] is slot i+1
	noops   map[uint64]bool
	reads   []consensus.ReadState
	snaps   int // snapshots restored
	lastLog []string
	hash    uint64 // hash chain over state: equal at equal length means equal state
}

func encodeState(state []string) []byte { return []byte(strings.Join(state, "\x00")) }

func decodeState(b []byte, n uint64) []string {
	if n == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}

// network is a cluster on the shared simulated network (simnet) with zero latency and
// explicit delivery, in the style of etcd's raft tests: cut, isolate and heal links, then
// stabilize (deliver until quiet) or step messages by hand. The randomized simulation (sim)
// drives the same network through time with a fault model.
type network struct {
	t      testing.TB
	ids    []string
	nodes  map[string]*replica
	net    *simnet.Network[Message]
	chosen map[uint64]string // first data delivered anywhere per slot
	chain  map[uint64]uint64 // state hash after slot i, as the first replica there had it
	maxDel uint64            // highest slot delivered anywhere
	logs   []string
	trace  bool               // log every delivered message
	drop   func(Message) bool // drops matching messages when set
}

func newNetwork(t testing.TB, size int, tweak func(*consensus.Config)) *network {
	return newNetworkRand(t, size, rand.New(rand.NewPCG(0, 7)), tweak)
}

// newNetworkRand builds the cluster on a network that draws its faults from rnd.
func newNetworkRand(t testing.TB, size int, rnd *rand.Rand, tweak func(*consensus.Config)) *network {
	nw := &network{t: t, nodes: map[string]*replica{}, chosen: map[uint64]string{}, chain: map[uint64]uint64{}}
	for i := range size {
		nw.ids = append(nw.ids, fmt.Sprintf("n%d", i))
	}
	for i, id := range nw.ids {
		cfg := consensus.Config{ID: id, Peers: nw.ids, Rand: rand.New(rand.NewPCG(uint64(i), 7)),
			Logger: logFunc(func(msg string, a ...any) { nw.logs = append(nw.logs, id+" "+msg+kv(a)) })}
		if tweak != nil {
			tweak(&cfg)
		}
		nw.nodes[id] = &replica{node: newNode(cfg), idx: i, cfg: cfg, disk: &disk{}, noops: map[uint64]bool{}}
	}
	nw.net = simnet.New[Message](nw.ids, rnd, simnet.Faults{})
	nw.net.Deliver = func(e *simnet.Envelope[Message]) {
		r := nw.nodes[e.To]
		if r.down {
			return // a dead process hears nothing, and its restart starts with an empty queue
		}
		if nw.trace {
			nw.logs = append(nw.logs, "deliver "+describe(e.Msg))
		}
		r.node.Step(e.Msg)
	}
	nw.net.Tick = func(id string) {
		if r := nw.nodes[id]; !r.down {
			r.node.Tick()
		}
	}
	nw.net.Filter = func(e *simnet.Envelope[Message]) simnet.Verdict {
		if nw.drop != nil && nw.drop(e.Msg) {
			return simnet.Drop
		}
		return simnet.Pass
	}
	return nw
}

func (nw *network) node(id string) *node { return nw.nodes[id].node }

// index is id's position in ids, which is its position in every node's Peers.
func (nw *network) index(id string) int { return slices.Index(nw.ids, id) }

// now is the network's virtual time in milliseconds, one tick each.
func (nw *network) now() int64 { return nw.net.Now() }

func (nw *network) isolate(id string) { nw.net.Isolate(id) }

func (nw *network) cutLink(from, to string) { nw.net.Block(from, to) }

func (nw *network) heal() { nw.net.Heal() }

// collect takes Ready from one node, saves its Stable, applies it to its
// replica and queues its messages, as the server does.
func (nw *network) collect(id string) consensus.Ready[Message] {
	r := nw.nodes[id]
	rd := r.node.Ready()
	nw.save(id, rd)
	nw.apply(id, r, rd)
	for _, m := range rd.Messages {
		require.Equal(nw.t, id, m.From, describe(m))
	}
	nw.enqueue(rd.Messages)
	return rd
}

// save writes a Ready's Stable to the node's disk before anything of the Ready is used, and
// checks that the disk now backs every message and delivery of the Ready. It returns the
// acceptances the save made durable.
func (nw *network) save(id string, rd consensus.Ready[Message]) []acceptance {
	d := nw.nodes[id].disk
	accs, err := d.save(rd.Stable)
	if err == nil {
		for _, m := range rd.Messages {
			if err = d.justify(m); err != nil {
				break
			}
		}
	}
	for i := 0; err == nil && i < len(rd.Committed); i++ {
		err = d.justifyDelivery(id, rd.Committed[i])
	}
	if err == nil && rd.Snapshot != nil && d.SnapIndex() < rd.Snapshot.Index {
		err = fmt.Errorf("%s installs snapshot %d, its disk holds snapshot %d", id, rd.Snapshot.Index, d.SnapIndex())
	}
	if err != nil {
		require.FailNow(nw.t, "PERSIST BEFORE SEND: "+err.Error(), "%s", nw.tail())
	}
	return accs
}

// crash kills node id: whatever it had not saved is lost, and until restart it receives
// nothing and gets no ticks. Its next incarnation is built from its disk at once (and waits,
// with its clock at zero), and its replica goes back to the saved snapshot, as the server's
// state machine does.
func (nw *network) crash(id string) {
	r := nw.nodes[id]
	cfg := r.cfg
	cfg.Restore = r.disk.Recovered()
	r.node, r.down = newNode(cfg), true
	r.state, r.hash, r.reads = nil, 0, nil
	if snap := cfg.Restore.Snapshot; snap != nil {
		nw.apply(id, r, consensus.Ready[Message]{Snapshot: snap})
	}
}

// restart brings a crashed node back.
func (nw *network) restart(id string) { nw.nodes[id].down = false }

// enqueue puts messages in flight, due at once.
func (nw *network) enqueue(msgs []Message) {
	for _, m := range msgs {
		nw.net.Enqueue(m.From, m.To, m, 0)
	}
}

// chainHash extends a replica's state hash with slot i's data as the replica keeps it ("" for
// a no-op, as for an empty command: the state cannot tell them apart, so neither does the hash).
func chainHash(h, i uint64, d string) uint64 {
	return coretest.ChainHash(h, consensus.Entry{Index: i, Data: append([]byte{}, d...)}) // never nil
}

func (nw *network) apply(id string, r *replica, rd consensus.Ready[Message]) {
	t := nw.t
	if rd.Snapshot != nil {
		r.state = decodeState(rd.Snapshot.Data, rd.Snapshot.Index)
		require.Len(t, r.state, int(rd.Snapshot.Index), "%s snapshot length", id)
		r.hash = 0
		for i, d := range r.state {
			if want, ok := nw.chosen[uint64(i+1)]; ok && want != d {
				require.Equal(t, want, d, "%s snapshot slot %d", id, i+1)
			}
			r.hash = chainHash(r.hash, uint64(i+1), d)
		}
		if want, ok := nw.chain[rd.Snapshot.Index]; ok && want != r.hash {
			require.Equal(t, want, r.hash, "%s restored a snapshot whose state differs from the state others applied at %d", id, rd.Snapshot.Index)
		}
		r.snaps++
	}
	// The checks compare before they call require, which walks the stack on every call:
	// the simulation delivers millions of entries.
	for _, e := range rd.Committed {
		if e.Index != uint64(len(r.state)+1) {
			require.Equal(t, uint64(len(r.state)+1), e.Index, "%s delivered out of order", id)
		}
		d := string(e.Data)
		if e.Data == nil {
			d = ""
			r.noops[e.Index] = true
		}
		if want, ok := nw.chosen[e.Index]; !ok {
			nw.chosen[e.Index] = d
		} else if want != d {
			require.Equal(t, want, d, "%s slot %d disagrees", id, e.Index)
		}
		nw.maxDel = max(nw.maxDel, e.Index)
		r.state = append(r.state, d)
		r.hash = chainHash(r.hash, e.Index, d)
		if want, ok := nw.chain[e.Index]; !ok {
			nw.chain[e.Index] = r.hash
		} else if want != r.hash {
			require.Equal(t, want, r.hash, "%s applied state at %d differs from another replica's", id, e.Index)
		}
	}
	r.reads = append(r.reads, rd.ReadStates...)
}

// deliverAll hands every queued message to its receiver, dropping those on
// cut links or matching drop; it returns how many it delivered.
func (nw *network) deliverAll() int { return nw.net.DeliverAll() }

// stabilize collects and delivers until no node has anything to say.
func (nw *network) stabilize() {
	for range 10000 {
		busy := false
		for _, id := range nw.ids {
			if !nw.nodes[id].down && nw.node(id).HasReady() {
				nw.collect(id)
				busy = true
			}
		}
		if nw.deliverAll() > 0 {
			busy = true
		}
		if !busy {
			return
		}
	}
	nw.t.Fatalf("network did not stabilize")
}

// tick advances every listed node (all when none listed) k ticks,
// stabilizing after each.
func (nw *network) tick(k int, ids ...string) {
	if len(ids) == 0 {
		ids = nw.ids
	}
	for range k {
		for _, id := range ids {
			if !nw.nodes[id].down {
				nw.node(id).Tick()
			}
		}
		nw.stabilize()
	}
}

// settle lets two heartbeat intervals pass, so followers learn the chosen
// point piggybacked on the next heartbeat (an acceptor that got an Accept
// less than HeartbeatTicks before a round skips that round's heartbeat).
func (nw *network) settle() { nw.tick(2*defaultHeartbeatTicks + 1) }

// age lets k ticks pass on the listed nodes without their timers firing, as
// if the network had been quiet: acceptors stop refusing promises.
func (nw *network) age(k int, ids ...string) {
	for _, id := range ids {
		n := nw.node(id)
		n.now += int64(k)
		n.electionDeadline += int64(k)
	}
}

// leader returns the single node in role Leader, "" when none or several.
func (nw *network) leader() string {
	l := ""
	for _, id := range nw.ids {
		if nw.node(id).role == consensus.Leader {
			if l != "" {
				return ""
			}
			l = id
		}
	}
	return l
}

// elect campaigns id directly (as if its timer fired) and stabilizes.
func (nw *network) elect(id string) {
	nw.node(id).becomePreCandidate()
	nw.stabilize()
	require.Equal(nw.t, consensus.Leader, nw.node(id).role, "%s should lead:\n%s", id, nw.tail())
}

func (nw *network) propose(id string, data ...string) {
	for _, d := range data {
		require.True(nw.t, nw.node(id).Propose([]byte(d)), "propose %q on %s", d, id)
	}
}

func (nw *network) tail() string {
	from := max(0, len(nw.logs)-30)
	return strings.Join(nw.logs[from:], "\n")
}

// The shared defaults the tests count ticks in.
var (
	defaultElectionTicks  = consensus.DefaultTiming.ElectionTicks
	defaultHeartbeatTicks = consensus.DefaultTiming.HeartbeatTicks
)

// logFunc adapts a function to the cores' logger.
type logFunc func(msg string, args ...any)

func (f logFunc) Info(msg string, args ...any) { f(msg, args...) }

// kv renders a logger's key-value pairs as " k=v k=v".
func kv(args []any) string {
	var b strings.Builder
	for i := 0; i+1 < len(args); i += 2 {
		fmt.Fprintf(&b, " %v=%v", args[i], args[i+1])
	}
	return b.String()
}
