package paxos

import "github.com/quorumkit/quorumkit/nodes/consensus"

// Multi-Paxos's own bounds, beside the timing and flow control both cores share
// (consensus.DefaultTiming); doc.go explains them.
const (
	// maxOpenSlots bounds the slots a node holds above its chosen point: the
	// leader refuses proposals beyond it and acceptors drop accepts beyond it.
	maxOpenSlots = 1 << 15
	// maxPendingReads bounds the reads a leader holds while it confirms a
	// read point; ReadIndex refuses more.
	maxPendingReads = 1 << 14
	// maxPeers is the widest cluster the ack bitmasks can describe.
	maxPeers = 64
)

// NewCore returns a Multi-Paxos node as the server drives it: a follower that knows no
// leader, restarting from cfg.Restore when it is set. It panics on settings that cannot work,
// a bug in the caller.
func NewCore(cfg consensus.Config) consensus.Core[Message] { return newNode(cfg) }

// withDefaults fills the zero settings (consensus.Config.WithDefaults) and panics on settings
// that cannot work: that is a bug in the caller, not a runtime condition. How the node uses
// the timing: a follower suspects the leader after [ElectionTicks, 1.5*ElectionTicks) ticks
// of silence; ElectionTicks is the floor of the adaptive timeout and the span for which
// acceptors refuse other proposers after hearing from the leader, and leases last
// ElectionTicks-3 (doc.go).
func withDefaults(c consensus.Config) consensus.Config {
	c, err := c.WithDefaults()
	if err != nil {
		panic("paxos: " + err.Error())
	}
	if len(c.Peers) > maxPeers {
		panic("paxos: more than 64 peers")
	}
	return c
}
