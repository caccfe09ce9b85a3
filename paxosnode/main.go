// Command paxosnode is a Maelstrom lin-kv node backed by Multi-Paxos: the shared KV server
// (nodes/kvserver) over the pure Multi-Paxos core (paxosnode/paxos), run by the shared
// runtime (nodes).
//
// Usage, as Maelstrom runs it:
//
//	maelstrom test -w lin-kv --bin paxosnode [flags]
//
// The flags are every node binary's (nodes/kvserver, Main); paxosnode -help lists them with
// their defaults.
package main

import (
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/paxosnode/paxos"
)

func main() { kvserver.Main("paxosnode", serverConfig) }

// serverConfig is the server this binary runs under the command-line options, a Multi-Paxos
// core under the shared KV server; the simulation builds its nodes with it too.
var serverConfig = kvserver.CoreConfig("paxos", paxos.NewCore)
