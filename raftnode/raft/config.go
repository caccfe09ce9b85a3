package raft

import (
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// Package defaults, in ticks (1 tick = 1 ms) or counts. doc.go explains the timing choices.
const (
	// DefaultElectionTicks is the election-timeout floor: 300 ms exceeds the 200 ms round
	// trip of a constant 100 ms link, and keeps failover (timeout + pre-vote, vote and no-op
	// round trips) well inside the client's 1 s at low latency.
	DefaultElectionTicks = 300
	// DefaultHeartbeatTicks: six heartbeat rounds per election timeout, so several lost or
	// delayed heartbeats in a row are needed to trigger an election.
	DefaultHeartbeatTicks = 50
	// DefaultMaxElectionTicksFactor bounds the adaptive timeout at 5x the floor.
	DefaultMaxElectionTicksFactor = 5
	// DefaultMaxInflight keeps a few appends in flight per follower; when the window is full
	// new proposals wait and go out together, which is what batches under load. It trades
	// latency for messages: measured with the harness (3 nodes, latency 10, about 580 ops/s),
	// 4 gave write p50 35.6 ms and 1.84 server msgs/op, 2 gave 38.6 ms and 1.38 msgs/op.
	DefaultMaxInflight = 4
	// DefaultMaxBatch bounds the entries in one append.
	DefaultMaxBatch = 512
	// DefaultMaxUncommitted bounds the leader's uncommitted tail; Propose refuses beyond it.
	DefaultMaxUncommitted = 8192
	// DefaultMaxPendingReads bounds reads waiting for a heartbeat round.
	DefaultMaxPendingReads = 8192
	// DefaultCompactMargin is how many entries below a snapshot are kept for lagging followers.
	DefaultCompactMargin = 512
	// maxCommittedPerReady bounds Ready.Committed; the rest follows in the next Ready.
	maxCommittedPerReady = 8192
)

// Config configures a Node. Zero timing and size fields mean the package default.
type Config struct {
	// ID is this node's id, e.g. "n0".
	ID string
	// Peers is every node id, this one included, in the same order on every node.
	Peers []string
	// Rand is the only source of randomness (election timeouts).
	Rand *rand.Rand
	// Logf receives one line per event (role changes, step-downs, snapshots), node id first.
	// It may be nil.
	Logf func(format string, args ...any)

	// ElectionTicks is the minimum election timeout and the leader-stickiness window; the
	// lease is shorter than it (see doc.go). The effective timeout adapts upward only.
	ElectionTicks int
	// MaxElectionTicks caps the adaptive election timeout; set it equal to ElectionTicks to
	// turn adaptation off.
	MaxElectionTicks int
	// HeartbeatTicks is the interval between heartbeat rounds; must be < ElectionTicks/2.
	HeartbeatTicks int
	// LeaseReads serves reads under a valid leader lease without a heartbeat round.
	LeaseReads bool
	// MaxInflight bounds the unacknowledged appends per follower.
	MaxInflight int
	// MaxBatch bounds the entries per append.
	MaxBatch int
	// MaxUncommitted bounds the leader's uncommitted entries; Propose returns false beyond it.
	MaxUncommitted int
	// MaxPendingReads bounds reads awaiting confirmation; ReadIndex returns false beyond it.
	MaxPendingReads int
	// CompactMargin is the number of entries Compact keeps below the snapshot index.
	CompactMargin int
	// Restore, when set, is what the node's storage held at a restart: New rebuilds the node
	// from it (doc.go, Durability). Nil starts a new node in term 0.
	Restore *consensus.Recovered
}

// withDefaults fills zero fields and panics on a configuration that cannot work: that is a bug
// in the caller, not a runtime condition.
func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.ElectionTicks, DefaultElectionTicks)
	def(&c.HeartbeatTicks, DefaultHeartbeatTicks)
	def(&c.MaxElectionTicks, DefaultMaxElectionTicksFactor*c.ElectionTicks)
	def(&c.MaxInflight, DefaultMaxInflight)
	def(&c.MaxBatch, DefaultMaxBatch)
	def(&c.MaxUncommitted, DefaultMaxUncommitted)
	def(&c.MaxPendingReads, DefaultMaxPendingReads)
	def(&c.CompactMargin, DefaultCompactMargin)
	switch {
	case c.Rand == nil:
		panic("raft: Config.Rand is nil")
	case !slices.Contains(c.Peers, c.ID):
		panic(fmt.Sprintf("raft: Config.ID %q not in Peers %v", c.ID, c.Peers))
	case len(slices.Compact(slices.Sorted(slices.Values(c.Peers)))) != len(c.Peers):
		panic(fmt.Sprintf("raft: duplicate ids in Peers %v", c.Peers))
	case c.ElectionTicks < 10:
		panic("raft: ElectionTicks < 10 leaves no room for a lease")
	case c.HeartbeatTicks < 1 || 2*c.HeartbeatTicks >= c.ElectionTicks:
		panic("raft: HeartbeatTicks must be in [1, ElectionTicks/2)")
	case c.MaxElectionTicks < c.ElectionTicks:
		panic("raft: MaxElectionTicks < ElectionTicks")
	case c.MaxInflight < 1 || c.MaxBatch < 1 || c.MaxUncommitted < 1 || c.MaxPendingReads < 1 || c.CompactMargin < 0:
		panic("raft: size bounds must be positive")
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
	return c
}

// leaseTicks is how long a lease lasts from the send tick of the round a quorum acknowledged.
// It is strictly less than ElectionTicks-2 (see doc.go for why two ticks).
func (c Config) leaseTicks() uint64 { return uint64(c.ElectionTicks - 3) }
