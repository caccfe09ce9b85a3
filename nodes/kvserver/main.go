package kvserver

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/wal"
)

// Options are the command-line options every node binary takes. Maelstrom passes its
// positional arguments on to the binary, so they work under it too. Numbers follow
// [Config]'s rule, and pass to it unchanged: zero means the default, a negative value turns
// the mechanism off (a limit: no limit).
type Options struct {
	// Lease serves reads under a leader lease when it is valid (-lease, default true).
	Lease bool
	// MaxInflight bounds the unacknowledged appends (accepts) per follower (-max-inflight;
	// 0 keeps the cores' shared default, consensus.DefaultTiming). Fewer means bigger batches
	// and fewer messages per operation under load, at the price of latency. A window cannot be
	// off, so a negative value is refused.
	MaxInflight int
	// BatchDelay, BatchRate and BatchSize shape batching under load (-batch-delay,
	// -batch-rate, -batch-size; see [Config]).
	BatchDelay time.Duration
	BatchRate  float64
	BatchSize  int
	// RetryFor and DeafAfter: how long a request handed to a leader is handed to the next one
	// too (-retry-for), and how long without a direct message makes a peer unheard, so that
	// messages go round a one-way link (-deaf-after); see [Config].
	RetryFor, DeafAfter time.Duration
	// CompactEvery is how many applied entries pass between snapshots (-compact-every).
	// Small values exercise snapshot transfer and recovery.
	CompactEvery int
	// DataDir, unless empty, is where the node keeps its durable state, under
	// DataDir/<node-id>/ (-data-dir); empty keeps everything in memory only.
	DataDir string
	// Storage, when set, takes the place of DataDir: a simulation hands each node a simulated
	// disk through it.
	Storage OpenStorage
}

// DefaultOptions are the options a binary runs with when no flag is given: every number at
// its default value, spelled out so that -help shows it.
func DefaultOptions() Options {
	return Options{Lease: true, BatchDelay: DefaultBatchDelay, BatchRate: DefaultBatchRate,
		BatchSize: DefaultBatchSize, RetryFor: DefaultRetryFor, DeafAfter: DefaultDeafAfter,
		CompactEvery: DefaultCompactEvery, MaxInflight: consensus.DefaultTiming.MaxInflight}
}

// Configure is the server configuration a binary runs with under opts: config builds the
// core's part from them (as each binary's main does), and the server's options are set on it
// as they are. The simulator builds its nodes through it, so that they are the binaries'
// nodes under the options it draws.
func Configure[M consensus.Message](opts Options, config func(Options) Config[M]) Config[M] {
	cfg := config(opts)
	cfg.BatchDelay, cfg.BatchRate, cfg.BatchSize = opts.BatchDelay, opts.BatchRate, opts.BatchSize
	cfg.RetryFor, cfg.DeafAfter = opts.RetryFor, opts.DeafAfter
	cfg.CompactEvery = opts.CompactEvery
	switch {
	case opts.Storage != nil:
		cfg.Storage = opts.Storage
	case opts.DataDir != "":
		cfg.Storage = LogStorage(wal.OSFS{}, opts.DataDir)
	}
	return cfg
}

// optionsRule is what -help says once for every numeric flag.
const optionsRule = `Every number below is passed on as given: 0 means the default shown,
and a negative value turns the mechanism off (for a limit: no limit).`

// Main is the whole main function of a node binary: it parses the common flags (see
// parseFlags), builds the server with Configure(options, config) and runs it until stdin ends.
func Main[M consensus.Message](name string, config func(Options) Config[M]) {
	fs := flag.NewFlagSet(name, flag.ExitOnError)
	opts, run, err := parseFlags(fs, os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	cfg := Configure(opts, config)
	if _, err := cfg.withDefaults(); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(2)
	}
	if err := nodes.Run(New(cfg), run); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// parseFlags parses the common flags (-lease, -max-inflight, -batch-delay, -batch-rate,
// -batch-size, -retry-for, -deaf-after, -compact-every, -data-dir, -seed, -log-level) into the
// server's options and the runtime's configuration.
func parseFlags(fs *flag.FlagSet, args []string) (Options, nodes.Config, error) {
	opts := DefaultOptions()
	fs.BoolVar(&opts.Lease, "lease", opts.Lease, "serve reads under a leader lease when it is valid")
	fs.IntVar(&opts.MaxInflight, "max-inflight", opts.MaxInflight, "unacknowledged appends (accepts) per follower; a window cannot be off, so no negative")
	fs.Var((*durationFlag)(&opts.BatchDelay), "batch-delay", "under load, the longest `duration` a request waits to leave with others")
	fs.Float64Var(&opts.BatchRate, "batch-rate", opts.BatchRate, "requests per second at one queue above which batches linger")
	fs.IntVar(&opts.BatchSize, "batch-size", opts.BatchSize, "waiting requests that make a batch leave at once")
	fs.Var((*durationFlag)(&opts.RetryFor), "retry-for", "for how long (a `duration`) a request handed to a leader is handed to the next leader too")
	fs.Var((*durationFlag)(&opts.DeafAfter), "deaf-after", "the silence (a `duration`) after which a peer is named unheard, so that it relays to us")
	fs.IntVar(&opts.CompactEvery, "compact-every", opts.CompactEvery, "applied entries between snapshots")
	fs.StringVar(&opts.DataDir, "data-dir", "", "keep durable state under this directory, in <dir>/<node-id>/ (empty: memory only)")
	seed := fs.Uint64("seed", 0, "seed of the random source (0: random, logged)")
	level := fs.String("log-level", "info", "lowest log level: debug, info, warn or error")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage of %s:\n%s\n", fs.Name(), optionsRule)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return opts, nodes.Config{}, err
	}
	if opts.MaxInflight < 0 {
		return opts, nodes.Config{}, fmt.Errorf("-max-inflight %d: a window cannot be off; 0 means the default, %d", opts.MaxInflight, consensus.DefaultTiming.MaxInflight)
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		return opts, nodes.Config{}, err
	}
	return opts, nodes.Config{Seed: *seed, LogLevel: lvl}, nil
}

// durationFlag is a duration flag that also takes a bare negative number, such as -1, for
// off: a duration otherwise needs a unit, and "off" should not.
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if n, nerr := strconv.ParseInt(s, 10, 64); err != nil && nerr == nil && n < 0 {
		v, err = time.Duration(n), nil
	}
	*d = durationFlag(v)
	return err
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
