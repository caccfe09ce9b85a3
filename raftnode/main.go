// Command raftnode is a Maelstrom lin-kv node backed by Raft: the shared KV server
// (nodes/kvserver) over the pure Raft core (raftnode/raft), run by the shared runtime (nodes).
//
// Usage, as Maelstrom runs it:
//
//	maelstrom test -w lin-kv --bin raftnode [flags]
//
// Flags (Maelstrom passes its positional arguments on): -lease=false turns leader leases off
// so every read takes a heartbeat round; -seed fixes the random source; -log-level debug logs
// every role change and more to stderr.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/raftnode/raft"
)

func main() {
	lease := flag.Bool("lease", true, "serve reads under a leader lease when it is valid")
	seed := flag.Uint64("seed", 0, "seed of the random source (0: random, logged)")
	level := flag.String("log-level", "info", "lowest log level: debug, info, warn, error")
	flag.Parse()
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintln(os.Stderr, "raftnode:", err)
		os.Exit(2)
	}
	srv := kvserver.New(NewServerConfig(raft.Config{LeaseReads: *lease}))
	if err := nodes.Run(srv, nodes.Config{Seed: *seed, LogLevel: lvl}); err != nil {
		fmt.Fprintln(os.Stderr, "raftnode:", err)
		os.Exit(1)
	}
}
