package paxos

import (
	"math/rand/v2"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// Default timing and flow-control values; doc.go explains the choice.
const (
	// DefaultElectionTicks is the leader-suspicion floor and the window in
	// which acceptors refuse to promise to anyone but the leader they last
	// heard from.
	DefaultElectionTicks = 300
	// DefaultHeartbeatTicks is the interval between heartbeat rounds.
	DefaultHeartbeatTicks = 40
	// DefaultMaxInflight bounds the unacknowledged Accept messages per acceptor.
	DefaultMaxInflight = 16
	// DefaultMaxBatch bounds the entries in one Accept message.
	DefaultMaxBatch = 512

	// maxTimeoutFactor caps the adaptive timeout at this multiple of
	// ElectionTicks, so a measurement gone wild cannot stall failover forever.
	maxTimeoutFactor = 4
	// maxOpenSlots bounds the slots a node holds above its chosen point: the
	// leader refuses proposals beyond it and acceptors drop accepts beyond it.
	maxOpenSlots = 1 << 15
	// maxPendingReads bounds the reads a leader holds while it confirms a
	// read point; ReadIndex refuses more.
	maxPendingReads = 1 << 14
	// maxPeers is the widest cluster the ack bitmasks can describe.
	maxPeers = 64
)

// Config configures a Node. Zero timing and flow-control values mean the
// package defaults.
type Config struct {
	ID    string                           // this node's id, e.g. "n0"
	Peers []string                         // every node id, this one included, in the same order on all nodes
	Rand  *rand.Rand                       // the only source of randomness
	Logf  func(format string, args ...any) // one line per event, node id first; may be nil

	// ElectionTicks: a follower suspects the leader after
	// [ElectionTicks, 1.5*ElectionTicks) ticks of silence; it is the floor of
	// the adaptive timeout and the span for which acceptors refuse other
	// proposers after hearing from the leader. Leases last ElectionTicks-3.
	ElectionTicks int
	// HeartbeatTicks is the interval between the leader's heartbeat rounds.
	HeartbeatTicks int
	// LeaseReads serves reads under a valid leader lease without a new round.
	LeaseReads bool
	// MaxInflight bounds unacknowledged Accept messages per acceptor.
	MaxInflight int
	// MaxBatch bounds the entries per Accept message.
	MaxBatch int
	// Restore is what the node's stable storage held when the process
	// started (nil: a fresh node, or one without storage). The node then
	// rejoins from it as a follower (durable.go).
	Restore *consensus.Recovered
}

func (c *Config) setDefaults() {
	if c.ElectionTicks <= 0 {
		c.ElectionTicks = DefaultElectionTicks
	}
	if c.HeartbeatTicks <= 0 {
		c.HeartbeatTicks = DefaultHeartbeatTicks
	}
	if c.MaxInflight <= 0 {
		c.MaxInflight = DefaultMaxInflight
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
}

func (c *Config) validate() {
	if c.Rand == nil {
		panic("paxos: Config.Rand is nil")
	}
	if len(c.Peers) == 0 || len(c.Peers) > maxPeers {
		panic("paxos: Config.Peers must hold 1..64 ids")
	}
	if c.ElectionTicks < 10 {
		panic("paxos: ElectionTicks must be at least 10 (leases subtract 3)")
	}
	if c.HeartbeatTicks >= c.ElectionTicks {
		panic("paxos: HeartbeatTicks must be below ElectionTicks")
	}
	seen := map[string]bool{}
	for _, p := range c.Peers {
		if seen[p] {
			panic("paxos: duplicate peer " + p)
		}
		seen[p] = true
	}
	if !seen[c.ID] {
		panic("paxos: Config.ID is not in Config.Peers")
	}
}
