package runner

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/nemesis"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/harness/internal/service"
)

// ErrBadOptions is wrapped by every Validate error; the CLI exits 254.
var ErrBadOptions = errors.New("bad options")

// Options are the settings of one test (results.Options, which the results
// record) and where the run writes what it prints, which they do not.
type Options struct {
	results.Options
	// Progress, if not nil, gets a progress line every second.
	Progress io.Writer
	// Out gets the summary; Log gets the harness's own log lines.
	Out io.Writer
	Log io.Writer
}

// Validate checks the options as Maelstrom's CLI and the lin-kv workload
// would, so that every run that would crash on its arguments is refused
// before anything starts.
func (o *Options) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrBadOptions, fmt.Sprintf(format, a...))
	}
	switch {
	case o.Bin == "":
		return bad("--bin is required")
	case o.Workload != "lin-kv":
		return bad("unknown workload %q (this harness supports lin-kv)", o.Workload)
	case len(o.Nodes) == 0:
		return bad("no nodes")
	case o.Concurrency <= 0 || o.Concurrency%(2*len(o.Nodes)) != 0:
		return bad("--concurrency %d must be a positive multiple of 2 x node count (%d) for lin-kv, e.g. 2n", o.Concurrency, 2*len(o.Nodes))
	case len(o.Nodes) > 10:
		return bad("lin-kv needs at most 10 nodes (with 2N > 20 the key generator never settles)")
	case o.Rate < 0:
		return bad("--rate must be >= 0")
	case o.TimeLimit <= 0:
		return bad("--time-limit must be > 0")
	case o.Latency < 0:
		return bad("--latency must be >= 0")
	case o.LatencyDist != net.Constant && o.LatencyDist != net.Uniform && o.LatencyDist != net.Exponential:
		return bad("--latency-dist must be constant, uniform or exponential, not %q", o.LatencyDist)
	case o.LatencyDist == net.Exponential && o.Latency == 0:
		return bad("--latency-dist exponential needs --latency > 0 (mean 0)")
	case o.NemesisInterval <= 0:
		return bad("--nemesis-interval must be > 0")
	case o.Availability > 1:
		return bad("--availability must be total or a number in [0, 1]")
	case o.PerKeyLimit < 0:
		return bad("--per-key-limit must be >= 0")
	}
	seen := map[string]bool{}
	for _, n := range o.Nodes {
		if n == "" || net.IsClient(n) {
			return bad("node name %q must be non-empty and must not start with c", n)
		}
		for _, svc := range service.IDs {
			if n == svc {
				return bad("node name %q is taken by a built-in service", n)
			}
		}
		if seen[n] {
			return bad("duplicate node %q", n)
		}
		seen[n] = true
	}
	for _, f := range o.Nemesis {
		if !slices.Contains(nemesis.Faults, f) {
			return bad("unknown nemesis fault %q (they are %s)", f, strings.Join(nemesis.Faults, ", "))
		}
	}
	return nil
}

// Timeout is the client's RPC timeout: max(10 x latency, 1000 ms).
func (o *Options) Timeout() time.Duration {
	return max(10*o.Latency, time.Second)
}
