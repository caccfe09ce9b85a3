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
	"github.com/quorumkit/quorumkit/harness/internal/service"
)

// ErrBadOptions is wrapped by every Validate error; the CLI exits 254.
var ErrBadOptions = errors.New("bad options")

// Options are the settings of one test, with Maelstrom's names.
type Options struct {
	// Bin is the node binary; Args are passed to it.
	Bin  string   `json:"bin"`
	Args []string `json:"args"`
	// Workload is lin-kv, the only one.
	Workload string `json:"workload"`
	// Nodes are the node ids, in order.
	Nodes []string `json:"nodes"`
	// Concurrency is the number of worker threads, a multiple of 2N.
	Concurrency int `json:"concurrency"`
	// Rate is the total ops/s; 0 means no client ops.
	Rate float64 `json:"rate"`
	// TimeLimit bounds the issuing of client and nemesis ops.
	TimeLimit time.Duration `json:"-"`
	// Latency is the mean node-to-node latency; LatencyDist its
	// distribution (constant, uniform or exponential).
	Latency     time.Duration `json:"-"`
	LatencyDist string        `json:"latency-dist"`
	// Nemesis lists the faults (partition, kill, pause); NemesisInterval is
	// the mean gap between two ops of the partition nemesis, and between two
	// of the kill and pause nemesis.
	Nemesis         []string      `json:"nemesis"`
	NemesisInterval time.Duration `json:"-"`
	// Availability is the required ok fraction, or negative when unset.
	Availability float64 `json:"availability"`
	// LogStderr mirrors node stderr on the harness's log.
	LogStderr bool `json:"log-stderr"`
	// LogNetSend and LogNetRecv log every message sent or received.
	LogNetSend bool `json:"log-net-send"`
	LogNetRecv bool `json:"log-net-recv"`
	// Seed seeds the generator, the nemesis and the latency draws.
	Seed int64 `json:"seed"`
	// PerKeyLimit, if positive, retires a key after that many ops.
	PerKeyLimit int `json:"per-key-limit"`
	// Store is the root of the store directory ("store").
	Store string `json:"store"`
	// CheckTimeout bounds porcupine per key; 0 means none.
	CheckTimeout time.Duration `json:"-"`
	// MaelstromParity judges validity exactly as Maelstrom does: the
	// sections of checks Maelstrom does not have (Results.additional) are
	// still computed and reported, but do not count in valid?.
	MaelstromParity bool `json:"maelstrom-parity"`
	// Progress, if not nil, gets a progress line every second.
	Progress io.Writer `json:"-"`
	// Out gets the summary; Log gets the harness's own log lines.
	Out io.Writer `json:"-"`
	Log io.Writer `json:"-"`
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
