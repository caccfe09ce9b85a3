package net

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
	"github.com/quorumkit/quorumkit/harness/simnet"
)

// Latency distributions, as named by --latency-dist: the names simnet.Maelstrom takes.
const (
	Constant    = "constant"
	Uniform     = "uniform"
	Exponential = "exponential"
)

// Errors returned by Send and Recv.
var (
	ErrUnknownSrc  = errors.New("net: unknown source")
	ErrUnknownDest = errors.New("net: unknown destination")
	ErrTimeout     = errors.New("net: receive timed out")
	ErrStopped     = errors.New("net: receiver stopped")
)

// Grudge says, for each receiver, the set of sources it drops. Only server
// nodes ever appear in a grudge.
type Grudge map[string]map[string]bool

// Config sets up a Network.
type Config struct {
	// Clock is the time source for deadlines and waits.
	Clock clock.Clock
	// Dist is the latency distribution: Constant, Uniform or Exponential. Any other name
	// panics in New (the options check it first).
	Dist string
	// Mean is the --latency value. It only applies when neither end of a
	// message is a client.
	Mean time.Duration
	// Rand draws latencies; Send serializes its use.
	Rand *rand.Rand
	// OnSend and OnRecv, if not nil, see every message sent and every
	// message received (not dropped); they must be fast and safe for
	// concurrent use (--log-net-send, --log-net-recv).
	OnSend, OnRecv func(m Message)
	// Trace, if not nil, sees every message at both ends of its trip, for
	// the quorum-witness check.
	Trace Tracer
}

// Tracer follows causality through the network. Both methods must be safe
// for concurrent use.
type Tracer interface {
	// Sent is called by Send for every message it accepts, before the
	// message is queued; the stamp it returns travels as the message's
	// Cause.
	Sent(m Message) witness.Stamp
	// Delivered is called by Recv for every message it hands over (not for
	// those a partition drops), before the receiver gets it: a node's pump
	// writes the message to stdin only after this returns.
	Delivered(m Message)
}

// Counts are the net checker's figures for one class of messages.
type Counts struct {
	SendCount int64 `json:"send-count"`
	RecvCount int64 `json:"recv-count"`
	MsgCount  int64 `json:"msg-count"`
}

// Stats are the counters split as Maelstrom's net checker splits them.
type Stats struct {
	All     Counts `json:"all"`
	Clients Counts `json:"clients"`
	Servers Counts `json:"servers"`
	// Dropped counts messages dropped at dequeue by a partition.
	Dropped int64 `json:"dropped"`
	// Lost counts messages to a node that was down (killed and not yet
	// restarted): those waiting when it went down and those sent to it
	// while it was.
	Lost int64 `json:"lost"`
}

type counters struct {
	send, recv atomic.Int64
}

// Network routes messages between registered ids.
type Network struct {
	cfg     Config
	latency simnet.Latency
	mu      sync.RWMutex
	inboxes map[string]*Inbox
	nextID  atomic.Int64
	grudge  atomic.Pointer[Grudge]
	randMu  sync.Mutex
	clients counters
	servers counters
	dropped atomic.Int64
	lost    atomic.Int64
}

// New returns an empty network.
func New(cfg Config) *Network {
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(1, 2))
	}
	if cfg.Dist == "" {
		cfg.Dist = Constant
	}
	lat, err := simnet.Maelstrom(cfg.Dist, float64(cfg.Mean)/float64(time.Millisecond))
	if err != nil {
		panic("net: " + err.Error())
	}
	return &Network{cfg: cfg, latency: lat, inboxes: make(map[string]*Inbox)}
}

// Register creates the inbox for id. Registering an id twice panics: ids
// are unique for the life of a network.
func (n *Network) Register(id string) *Inbox {
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.inboxes[id]; ok {
		panic("net: id registered twice: " + id)
	}
	ib := &Inbox{id: id, net: n, notify: make(chan struct{}, 1)}
	n.inboxes[id] = ib
	return ib
}

// Unregister removes id; later messages to or from it are errors.
func (n *Network) Unregister(id string) {
	n.mu.Lock()
	delete(n.inboxes, id)
	n.mu.Unlock()
}

// Registered reports whether id currently has an inbox.
func (n *Network) Registered(id string) bool {
	n.mu.RLock()
	defer n.mu.RUnlock()
	_, ok := n.inboxes[id]
	return ok
}

// Send assigns m a fresh global id and queues it for its destination with
// a deadline of now plus the link's latency. It returns the id. A message to
// a node that is down is sent (it counts, and has an id) but lost.
func (n *Network) Send(m Message) (int64, error) { return n.send(m, false) }

// Down marks id as crashed: the messages waiting for it are thrown away and
// every message sent to it is lost until Restart. The id stays registered,
// as a killed Maelstrom node stays in the network. It returns how many
// messages were thrown away.
func (n *Network) Down(id string) int {
	ib := n.Inbox(id)
	if ib == nil {
		return 0
	}
	ib.mu.Lock()
	defer ib.mu.Unlock()
	ib.down = true
	k := len(ib.q)
	ib.q = nil
	n.lost.Add(int64(k))
	return k
}

// Restart ends a Down of init.Dest with init, the first message its new
// process gets: the queue starts empty, and nothing sent before init can
// overtake it. It is Send otherwise.
func (n *Network) Restart(init Message) (int64, error) { return n.send(init, true) }

func (n *Network) send(m Message, revive bool) (int64, error) {
	n.mu.RLock()
	dst := n.inboxes[m.Dest]
	_, srcOK := n.inboxes[m.Src]
	n.mu.RUnlock()
	if !srcOK {
		return 0, fmt.Errorf("%w: %q", ErrUnknownSrc, m.Src)
	}
	if dst == nil {
		return 0, fmt.Errorf("%w: %q", ErrUnknownDest, m.Dest)
	}
	m.ID = n.nextID.Add(1) - 1
	if n.cfg.Trace != nil {
		m.Cause = n.cfg.Trace.Sent(m)
	}
	client := IsClient(m.Src) || IsClient(m.Dest)
	var delay time.Duration
	if client {
		n.clients.send.Add(1)
	} else {
		n.servers.send.Add(1)
		delay = n.drawLatency()
	}
	if n.cfg.OnSend != nil {
		n.cfg.OnSend(m)
	}
	dst.push(m, n.cfg.Clock.Now()+delay, revive)
	return m.ID, nil
}

// drawLatency draws one node-to-node latency from the tree's one latency model (the
// simulated network draws from the same), in whole milliseconds like Maelstrom's.
func (n *Network) drawLatency() time.Duration {
	if !n.latency.Random() {
		return time.Duration(n.latency.Draw(nil)) * time.Millisecond
	}
	n.randMu.Lock()
	ms := n.latency.Draw(n.cfg.Rand)
	n.randMu.Unlock()
	return time.Duration(ms) * time.Millisecond
}

// Partition replaces the current grudge with g.
func (n *Network) Partition(g Grudge) {
	c := make(Grudge, len(g))
	for dst, srcs := range g {
		s := make(map[string]bool, len(srcs))
		for src, v := range srcs {
			if v {
				s[src] = true
			}
		}
		c[dst] = s
	}
	n.grudge.Store(&c)
}

// Heal clears every grudge.
func (n *Network) Heal() { n.grudge.Store(nil) }

// drops reports whether dst currently drops messages from src.
func (n *Network) drops(dst, src string) bool {
	g := n.grudge.Load()
	if g == nil {
		return false
	}
	return (*g)[dst][src]
}

// Stats returns a snapshot of the counters.
func (n *Network) Stats() Stats {
	c := Counts{SendCount: n.clients.send.Load(), RecvCount: n.clients.recv.Load()}
	c.MsgCount = c.SendCount
	s := Counts{SendCount: n.servers.send.Load(), RecvCount: n.servers.recv.Load()}
	s.MsgCount = s.SendCount
	return Stats{
		All:     Counts{SendCount: c.SendCount + s.SendCount, RecvCount: c.RecvCount + s.RecvCount, MsgCount: c.MsgCount + s.MsgCount},
		Clients: c,
		Servers: s,
		Dropped: n.dropped.Load(),
		Lost:    n.lost.Load(),
	}
}

// queued is a message waiting in an inbox.
type queued struct {
	m        Message
	deadline time.Duration
	seq      uint64
}

// Less orders messages by deadline, then by arrival, so equal deadlines keep send order.
func (a queued) Less(b queued) bool {
	if a.deadline != b.deadline {
		return a.deadline < b.deadline
	}
	return a.seq < b.seq
}

// Inbox is one receiver's delay queue.
type Inbox struct {
	id     string
	net    *Network
	mu     sync.Mutex
	q      simnet.Heap[queued]
	seq    uint64
	notify chan struct{}
	// down is set by Network.Down and cleared by Network.Restart.
	down bool
}

// ID is the receiver's id.
func (ib *Inbox) ID() string { return ib.id }

func (ib *Inbox) push(m Message, deadline time.Duration, revive bool) {
	ib.mu.Lock()
	if revive {
		ib.down = false
	}
	if ib.down {
		ib.mu.Unlock()
		ib.net.lost.Add(1)
		return
	}
	ib.seq++
	ib.q.Push(queued{m: m, deadline: deadline, seq: ib.seq})
	ib.mu.Unlock()
	select {
	case ib.notify <- struct{}{}:
	default:
	}
}

// Len is the number of messages waiting, due or not.
func (ib *Inbox) Len() int {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	return len(ib.q)
}

// Recv takes the earliest message, drops it if the receiver holds a grudge
// against its sender, and otherwise waits for its deadline and returns it.
// It returns ErrStopped when stop closes and ErrTimeout when timeout fires
// while the queue is empty. A receiver that is stopped takes nothing: a
// killed node's pump must leave the queue to its successor. idle, if not
// nil, is called before every wait, so a pump can flush what it has written
// so far.
func (ib *Inbox) Recv(stop <-chan struct{}, timeout <-chan time.Time, idle func()) (Message, error) {
	clk := ib.net.cfg.Clock
	for {
		select {
		case <-stop:
			return Message{}, ErrStopped
		default:
		}
		ib.mu.Lock()
		if len(ib.q) == 0 {
			ib.mu.Unlock()
			if idle != nil {
				idle()
			}
			select {
			case <-ib.notify:
				continue
			case <-stop:
				return Message{}, ErrStopped
			case <-timeout:
				return Message{}, ErrTimeout
			}
		}
		it := ib.q.Pop()
		ib.mu.Unlock()
		if ib.net.drops(ib.id, it.m.Src) {
			ib.net.dropped.Add(1)
			continue
		}
		if wait := it.deadline - clk.Now(); wait > 0 {
			if idle != nil {
				idle()
			}
			select {
			case <-clk.After(wait):
			case <-stop:
				return Message{}, ErrStopped
			}
		}
		if IsClient(it.m.Src) || IsClient(it.m.Dest) {
			ib.net.clients.recv.Add(1)
		} else {
			ib.net.servers.recv.Add(1)
		}
		if ib.net.cfg.Trace != nil {
			ib.net.cfg.Trace.Delivered(it.m)
		}
		if ib.net.cfg.OnRecv != nil {
			ib.net.cfg.OnRecv(it.m)
		}
		return it.m, nil
	}
}

// Inbox returns id's inbox, or nil when id is not registered.
func (n *Network) Inbox(id string) *Inbox {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.inboxes[id]
}
