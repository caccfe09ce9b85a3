// Command raftnode is a Maelstrom lin-kv node backed by Raft: the shared KV server
// (nodes/kvserver) over the pure Raft core (raftnode/raft), run by the shared runtime (nodes).
//
// Usage, as Maelstrom runs it:
//
//	maelstrom test -w lin-kv --bin raftnode [flags]
//
// Flags (Maelstrom passes its positional arguments on): -lease=false turns leader leases off
// so every read takes a heartbeat round; -batch-delay (10ms), -batch-rate (150 requests/s)
// and -batch-size (8) shape batching under load, and -batch-delay 0 turns lingering off
// (lower latency, more messages; see nodes/kvserver); -retry-for (1s) is how long a request
// handed to a leader is also handed to the next one, and -deaf-after (150ms) the silence after
// which a node asks a peer to relay to it around a one-way link (0 turns either off);
// -max-inflight bounds unacknowledged appends per follower; -data-dir DIR keeps the state in
// DIR/<node-id>/ to survive a kill (else memory only); -compact-every sets the entries between
// snapshots; -seed fixes the random source; -log-level debug logs more to stderr.
package main

import (
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/raftnode/raft"
)

func main() { kvserver.Main("raftnode", serverConfig) }

// serverConfig is the server this binary runs under the command-line options (the simulation
// builds its nodes with it too): a Raft core whose identity, peers, randomness and logging
// are filled in at init, rebuilt from what the node's storage held if it has any.
func serverConfig(o kvserver.Options) kvserver.Config[raft.Message] {
	return kvserver.Config[raft.Message]{
		Kind: "raft",
		NewCore: func(init nodes.Init, rec *consensus.Recovered) consensus.Core[raft.Message] {
			return raft.New(raft.Config{ID: init.NodeID, Peers: init.NodeIDs, Rand: init.Rand, Restore: rec,
				Logf: kvserver.Logf(init.Logger), LeaseReads: o.Lease, MaxInflight: o.MaxInflight})
		},
	}
}
