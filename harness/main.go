package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/harness/internal/runner"
)

func main() {
	os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr))
}

// Main runs the harness CLI with args (without the program name) and
// returns the exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "bench-report":
			return BenchReport(args[1:], stdout, stderr)
		case "bench-get":
			return BenchGet(args[1:], stdout, stderr)
		}
	}
	if len(args) == 0 || args[0] != "test" {
		fmt.Fprintln(stderr, "usage: harness test --bin FILE [options] [args for the binary]")
		fmt.Fprintln(stderr, "       harness bench-report [--store store/bench] [--out results] [...]")
		fmt.Fprintln(stderr, "       harness bench-get FILE PATH")
		fmt.Fprintln(stderr, "       (harness test --help lists the options)")
		return results.ExitBadArgs
	}
	opts, testCount, err := ParseTest(args[1:], stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "harness:", err)
		return results.ExitBadArgs
	}
	opts.Out, opts.Log, opts.Progress = stdout, stderr, stderr
	code := results.ExitValid
	for i := range testCount {
		if testCount > 1 {
			fmt.Fprintf(stderr, "harness: test %d of %d\n", i+1, testCount)
			if i > 0 {
				opts.Seed++
			}
		}
		_, code = runner.Run(opts)
		if code != results.ExitValid {
			break
		}
	}
	return code
}

// ParseTest parses the options of `harness test`. Positional arguments may
// be mixed with options (as Maelstrom's CLI allows) or follow "--"; they are
// passed to the node binary.
func ParseTest(args []string, stderr io.Writer) (*runner.Options, int, error) {
	fs := flag.NewFlagSet("harness test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	bin := fs.String("bin", "", "node binary (required)")
	wl := fs.String("workload", "lin-kv", "workload (lin-kv)")
	fs.StringVar(wl, "w", "lin-kv", "shorthand for --workload")
	nodeCount := fs.Int("node-count", 0, "number of nodes, named n0..n(N-1); overrides the node list")
	nodes := fs.String("nodes", "", "comma-separated node list (default n1,n2,n3,n4,n5)")
	var nodeList []string
	fs.Func("node", "add a node to the node list (repeatable)", func(s string) error { nodeList = append(nodeList, s); return nil })
	fs.Func("n", "shorthand for --node", func(s string) error { nodeList = append(nodeList, s); return nil })
	nodesFile := fs.String("nodes-file", "", "file with one node name per line")
	conc := fs.String("concurrency", "1n", "worker threads: an integer, or an integer followed by n (times the node count)")
	rate := fs.Float64("rate", 5, "total client ops per second (0: no client ops)")
	timeLimit := fs.Int("time-limit", 60, "seconds of client and nemesis activity")
	latency := fs.Int("latency", 0, "mean node-to-node latency in ms")
	dist := fs.String("latency-dist", "constant", "latency distribution: constant, uniform or exponential")
	nem := fs.String("nemesis", "", "faults, comma-separated: partition, kill, pause")
	nemInterval := fs.Float64("nemesis-interval", 10, "mean seconds between nemesis ops")
	avail := fs.String("availability", "", "required availability: total, or a fraction in [0,1]")
	logStderr := fs.Bool("log-stderr", false, "also log node stderr on the harness's stderr")
	logSend := fs.Bool("log-net-send", false, "log every message sent")
	logRecv := fs.Bool("log-net-recv", false, "log every message received")
	testCount := fs.Int("test-count", 1, "run the test this many times, stopping at the first that is not valid")
	seed := fs.String("seed", "", "seed for the generator, the nemesis and the latency draws (default: random, printed)")
	perKeyLimit := fs.Int("per-key-limit", 0, "retire a key after this many ops (0: only after 20 processes, as Maelstrom)")
	store := fs.String("store", "store", "store directory")
	checkTimeout := fs.Float64("check-timeout", 0, "seconds porcupine may spend on one key (0: no limit)")
	parity := fs.Bool("maelstrom-parity", false, "judge validity exactly as Maelstrom does; the harness's additional checks are still reported")

	positional, err := parseMixed(fs, args)
	if err != nil {
		return nil, 0, err
	}

	o := &runner.Options{Options: results.Options{
		Bin: *bin, Args: positional, Workload: *wl, Rate: *rate,
		TimeLimit: time.Duration(*timeLimit) * time.Second, Latency: time.Duration(*latency) * time.Millisecond,
		LatencyDist: *dist, NemesisInterval: time.Duration(*nemInterval * float64(time.Second)),
		LogStderr: *logStderr, LogNetSend: *logSend, LogNetRecv: *logRecv, PerKeyLimit: *perKeyLimit, Store: *store,
		CheckTimeout: time.Duration(*checkTimeout * float64(time.Second)), MaelstromParity: *parity,
	}}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", runner.ErrBadOptions, fmt.Sprintf(format, a...))
	}
	if *timeLimit <= 0 {
		return nil, 0, bad("--time-limit must be a positive integer")
	}
	if *latency < 0 {
		return nil, 0, bad("--latency must be >= 0")
	}
	if o.Nodes, err = nodeNames(*nodeCount, *nodes, nodeList, *nodesFile); err != nil {
		return nil, 0, bad("%v", err)
	}
	c, err := parseConcurrency(*conc, len(o.Nodes))
	if err != nil {
		return nil, 0, bad("%v", err)
	}
	o.Concurrency = c
	if *nem != "" {
		o.Nemesis = strings.Split(*nem, ",")
	}
	if o.Availability, err = parseAvailability(*avail); err != nil {
		return nil, 0, bad("%v", err)
	}
	if o.Seed, err = parseSeed(*seed); err != nil {
		return nil, 0, bad("%v", err)
	}
	if *testCount < 1 {
		return nil, 0, bad("--test-count must be >= 1")
	}
	if *nemInterval <= 0 {
		return nil, 0, bad("--nemesis-interval must be > 0")
	}
	if err := o.Validate(); err != nil {
		return nil, 0, err
	}
	return o, *testCount, nil
}

// parseMixed parses args with fs and returns the positional arguments,
// which may be mixed with the flags or follow "--".
func parseMixed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return positional, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(positional, rest...), nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// nodeNames picks the node list from the flags, the first of them given in
// this order: --node-count, --nodes, --node, --nodes-file; Maelstrom's
// n1 to n5 when none is.
func nodeNames(count int, list string, repeated []string, file string) ([]string, error) {
	var out []string
	switch {
	case count < 0:
		return nil, errors.New("--node-count must be positive")
	case count > 0:
		for i := range count {
			out = append(out, "n"+strconv.Itoa(i))
		}
	case list != "":
		out = strings.Split(list, ",")
	case len(repeated) > 0:
		out = repeated
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--nodes-file: %v", err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
	default:
		out = []string{"n1", "n2", "n3", "n4", "n5"}
	}
	return out, nil
}

// parseAvailability reads --availability: "" for none (-1), "total" (1),
// or a fraction in [0, 1].
func parseAvailability(s string) (float64, error) {
	switch s {
	case "":
		return -1, nil
	case "total":
		return 1, nil
	}
	a, err := strconv.ParseFloat(s, 64)
	if err != nil || a < 0 || a > 1 {
		return 0, fmt.Errorf("--availability must be total or a number in [0, 1], not %q", s)
	}
	return a, nil
}

// parseSeed reads --seed; none is a random seed below 2^53, which every JSON
// reader of results.json holds exactly.
func parseSeed(s string) (int64, error) {
	if s == "" {
		return time.Now().UnixNano() & (1<<53 - 1), nil
	}
	seed, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, errors.New("--seed must be an integer")
	}
	return seed, nil
}

// parseConcurrency reads "8" or "2n".
func parseConcurrency(s string, nodes int) (int, error) {
	mult := 1
	if strings.HasSuffix(s, "n") {
		mult = nodes
		s = strings.TrimSuffix(s, "n")
	}
	k, err := strconv.Atoi(s)
	if err != nil || k <= 0 {
		return 0, fmt.Errorf("--concurrency must be a positive integer, optionally followed by n, not %q", s)
	}
	return k * mult, nil
}
