package raft

import "github.com/quorumkit/quorumkit/nodes/consensus"

// Raft's own bounds, beside the timing and flow control both cores share
// (consensus.DefaultTiming). doc.go explains them.
const (
	// defaultMaxUncommitted bounds the leader's uncommitted tail; Propose refuses beyond it.
	defaultMaxUncommitted = 8192
	// defaultMaxPendingReads bounds reads waiting for a heartbeat round.
	defaultMaxPendingReads = 8192
	// defaultCompactMargin is how many entries below a snapshot are kept for lagging followers.
	defaultCompactMargin = 512
	// maxCommittedPerReady bounds Ready.Committed; the rest follows in the next Ready.
	maxCommittedPerReady = 8192
)

// NewCore returns a Raft node as the server drives it: a follower in term 0 with an empty log,
// or as cfg.Restore recovers it. It panics on settings that cannot work, a bug in the caller.
func NewCore(cfg consensus.Config) consensus.Core[Message] { return newNode(config{Config: cfg}) }

// config is a node's settings: the ones both cores share, and Raft's own bounds (zero: the
// defaults). How the node uses the timing: ElectionTicks is the minimum election timeout and
// the leader-stickiness window, the lease is shorter (doc.go), and the effective timeout
// adapts upward only, to at most MaxElectionTicks; HeartbeatTicks is the interval between
// heartbeat rounds; MaxInflight bounds the unacknowledged appends per follower, MaxBatch the
// entries per append.
type config struct {
	consensus.Config
	// MaxUncommitted bounds the leader's uncommitted entries; Propose returns false beyond it.
	MaxUncommitted int
	// MaxPendingReads bounds reads awaiting confirmation; ReadIndex returns false beyond it.
	MaxPendingReads int
	// CompactMargin is the number of entries Compact keeps below the snapshot.
	CompactMargin int
}

// withDefaults fills zero fields and panics on a configuration that cannot work: that is a bug
// in the caller, not a runtime condition.
func (c config) withDefaults() config {
	shared, err := c.Config.WithDefaults()
	if err != nil {
		panic("raft: " + err.Error())
	}
	c.Config = shared
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.MaxUncommitted, defaultMaxUncommitted)
	def(&c.MaxPendingReads, defaultMaxPendingReads)
	def(&c.CompactMargin, defaultCompactMargin)
	if c.MaxUncommitted < 1 || c.MaxPendingReads < 1 || c.CompactMargin < 0 {
		panic("raft: size bounds must be positive")
	}
	return c
}

// leaseTicks is how long a lease lasts from the send tick of the round a quorum acknowledged.
// It is strictly less than ElectionTicks-2 (see doc.go for why two ticks).
func (c config) leaseTicks() uint64 { return uint64(c.Timing.LeaseTicks()) }
