package kvserver

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/quorumkit/quorumkit/nodes"
)

// Options are the command-line options every node binary takes. Maelstrom passes its
// positional arguments on to the binary, so they work under it too.
type Options struct {
	// Lease serves reads under a leader lease when it is valid (-lease, default true).
	Lease bool
	// MaxInflight bounds the unacknowledged appends (accepts) per follower (-max-inflight;
	// 0 keeps the core's default). Fewer means bigger batches and fewer messages per
	// operation under load, at the price of latency.
	MaxInflight int
}

// Main is the whole main function of a node binary: it parses the common flags (-lease, -max-inflight,
// -seed, -log-level), builds the server with config and runs it until stdin ends.
func Main[M any](name string, config func(Options) Config[M]) {
	var opts Options
	flag.BoolVar(&opts.Lease, "lease", true, "serve reads under a leader lease when it is valid")
	flag.IntVar(&opts.MaxInflight, "max-inflight", 0, "unacknowledged appends per follower (0: the core's default)")
	seed := flag.Uint64("seed", 0, "seed of the random source (0: random, logged)")
	level := flag.String("log-level", "info", "lowest log level: debug, info, warn or error")
	flag.Parse()
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	if err := nodes.Run(New(config(opts)), nodes.Config{Seed: *seed, LogLevel: lvl}); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Logf returns a printf-style logger for a core that writes to the node's logger, or nil.
func Logf(l *slog.Logger) func(format string, args ...any) {
	if l == nil {
		return nil
	}
	return func(format string, args ...any) { l.Info(fmt.Sprintf(format, args...)) }
}
