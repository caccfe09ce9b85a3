package kvserver

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/wal"
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
	// BatchDelay, BatchRate and BatchSize shape batching under load (-batch-delay,
	// -batch-rate, -batch-size; see [Config]); Main sets them on the configuration the binary
	// returns.
	BatchDelay time.Duration
	BatchRate  float64
	BatchSize  int
	// RetryFor and DeafAfter: how long a request handed to a leader is handed to the next one
	// too (-retry-for), and how long without a direct message makes a peer unheard, so that
	// messages go round a one-way link (-deaf-after); see [Config]. 0 turns either off.
	RetryFor, DeafAfter time.Duration
	// CompactEvery is how many applied entries pass between snapshots (-compact-every; 0
	// keeps DefaultCompactEvery). Small values exercise snapshot transfer and recovery.
	CompactEvery int
	// DataDir, unless empty, is where the node keeps its durable state, under
	// DataDir/<node-id>/ (-data-dir); empty keeps everything in memory only.
	DataDir string
	// Storage, when set, takes the place of DataDir: a simulation hands each node a simulated
	// disk through it.
	Storage OpenStorage
}

// DefaultOptions are the options a binary runs with when no flag is given.
func DefaultOptions() Options {
	return Options{Lease: true, BatchDelay: DefaultBatchDelay, BatchRate: DefaultBatchRate,
		BatchSize: DefaultBatchSize, RetryFor: DefaultRetryFor, DeafAfter: DefaultDeafAfter}
}

// Configure is the server configuration a binary runs with under opts: config builds the
// core's part from them (as each binary's main does), and the batching, retry and relay
// options are set on it with the flags' meaning (0 is off). The simulator builds its nodes
// through it, so that they are the binaries' nodes under the options it draws.
func Configure[M consensus.Message](opts Options, config func(Options) Config[M]) Config[M] {
	cfg := config(opts)
	cfg.BatchDelay, cfg.BatchRate, cfg.BatchSize = off(opts.BatchDelay), off(opts.BatchRate), off(opts.BatchSize)
	cfg.RetryFor, cfg.DeafAfter = off(opts.RetryFor), off(opts.DeafAfter)
	if opts.CompactEvery > 0 {
		cfg.CompactEvery = opts.CompactEvery
	}
	switch {
	case opts.Storage != nil:
		cfg.Storage = opts.Storage
	case opts.DataDir != "":
		cfg.Storage = LogStorage(wal.OSFS{}, opts.DataDir)
	}
	return cfg
}

// Main is the whole main function of a node binary: it parses the common flags (-lease,
// -max-inflight, -batch-delay, -batch-rate, -batch-size, -retry-for, -deaf-after, -compact-every, -data-dir, -seed,
// -log-level), builds the server with Configure(options, config) and runs it until stdin ends.
func Main[M consensus.Message](name string, config func(Options) Config[M]) {
	opts := DefaultOptions()
	flag.BoolVar(&opts.Lease, "lease", opts.Lease, "serve reads under a leader lease when it is valid")
	flag.IntVar(&opts.MaxInflight, "max-inflight", 0, "unacknowledged appends per follower (0: the core's default)")
	flag.DurationVar(&opts.BatchDelay, "batch-delay", opts.BatchDelay, "under load, the longest a request waits to leave with others (0: off)")
	flag.Float64Var(&opts.BatchRate, "batch-rate", opts.BatchRate, "requests per second at one queue above which batches linger (0: off)")
	flag.IntVar(&opts.BatchSize, "batch-size", opts.BatchSize, "waiting requests that make a batch leave at once (0: no limit)")
	flag.DurationVar(&opts.RetryFor, "retry-for", opts.RetryFor, "how long a request handed to a leader is handed to the next leader too (0: off)")
	flag.DurationVar(&opts.DeafAfter, "deaf-after", opts.DeafAfter, "silence after which a peer is named unheard, so that it relays to us (0: no relaying)")
	flag.IntVar(&opts.CompactEvery, "compact-every", 0, "applied entries between snapshots (0: the default, 4096)")
	flag.StringVar(&opts.DataDir, "data-dir", "", "keep durable state under this directory, in <dir>/<node-id>/ (empty: memory only)")
	seed := flag.Uint64("seed", 0, "seed of the random source (0: random, logged)")
	level := flag.String("log-level", "info", "lowest log level: debug, info, warn or error")
	flag.Parse()
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	if err := nodes.Run(New(Configure(opts, config)), nodes.Config{Seed: *seed, LogLevel: lvl}); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// off maps a flag to its Config field: a flag's 0 means off, and in Config 0 means
// the default while a negative value means off.
func off[T int | float64 | time.Duration](v T) T {
	if v == 0 {
		return -1
	}
	return v
}

// CoreConfig is the server configuration of a binary whose core newCore builds from the
// shared core settings (consensus.Config): kind names its peer messages, and the core gets the
// node's identity, peers, randomness and logger at init, what the node's storage held, and
// the -lease and -max-inflight options. Each binary's main passes it to Main, and the
// simulation builds the binary's nodes with it too.
func CoreConfig[M consensus.Message](kind string, newCore func(consensus.Config) consensus.Core[M]) func(Options) Config[M] {
	return func(o Options) Config[M] {
		return Config[M]{Kind: kind, NewCore: func(init nodes.Init, rec *consensus.Recovered) consensus.Core[M] {
			var logger consensus.Logger
			if init.Logger != nil {
				logger = init.Logger
			}
			return newCore(consensus.Config{ID: init.NodeID, Peers: init.NodeIDs, Rand: init.Rand, Logger: logger,
				Restore: rec, LeaseReads: o.Lease, Timing: consensus.Timing{MaxInflight: o.MaxInflight}})
		}}
	}
}
