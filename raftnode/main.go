// Command raftnode is a Maelstrom lin-kv node backed by Raft: the shared KV server
// (nodes/kvserver) over the pure Raft core (raftnode/raft), run by the shared runtime (nodes).
//
// Usage, as Maelstrom runs it:
//
//	maelstrom test -w lin-kv --bin raftnode [flags]
//
// The flags are every node binary's (nodes/kvserver, Main); raftnode -help lists them with
// their defaults.
package main

import (
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/raftnode/raft"
)

func main() { kvserver.Main("raftnode", serverConfig) }

// serverConfig is the server this binary runs under the command-line options, a Raft core
// under the shared KV server; the simulation builds its nodes with it too.
var serverConfig = kvserver.CoreConfig("raft", raft.NewCore)
