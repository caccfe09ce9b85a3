package sim

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/harness/simseed"
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/nodes/wal"
)

// sweepSeeds is how many seeds sweep runs unless -sim.seeds says otherwise.
const sweepSeeds = 400

// sweep runs the seeds the simulations' flags name (simseed: 0 to 399 by default, or
// -sim.seed N alone), in parallel chunks, and fails the test at the first seed whose run has protocol problems, a
// non-linearizable history, an observation (a read or cas answered 20, a cas answered 22)
// that no linearization explains, an acknowledged write or cas that no quorum witnessed, or no
// ok operation after the faults healed. A failure writes the run's store directory (see
// Result.WriteStore) under -sim.store and names the seed, what the seed drew, the directory
// and the go test command that replays that one seed.
func sweep(t *testing.T, config func(seed uint64) Config) {
	const chunks = 8
	name := t.Name()
	seeds := simseed.Seeds(sweepSeeds)
	per := (len(seeds) + chunks - 1) / chunks
	for lo := 0; lo < len(seeds); lo += per {
		chunk := seeds[lo:min(lo+per, len(seeds))]
		t.Run(fmt.Sprintf("seeds-%d-%d", chunk[0], chunk[len(chunk)-1]), func(t *testing.T) {
			t.Parallel()
			observed := map[string]int{}
			for _, seed := range chunk {
				if err := checkSeed(config(seed), simseed.Replay(name, seed), observed); err != nil {
					t.Fatalf("seed %d: %v", seed, err)
				}
			}
			total := 0
			for _, n := range observed {
				total += n
			}
			t.Logf("%d observations checked, by kind %v", total, observed)
		})
	}
}

// checkSeed runs one seed and says what is wrong with it, if anything, after writing its store.
// It adds the observations it checked to observed, by kind.
func checkSeed(cfg Config, replay string, observed map[string]int) error {
	res := Run(cfg)
	checks := res.Checks(time.Minute)
	for kind, n := range checks.Obs.ByKind {
		observed[kind] += n
	}
	err := judge(res, checks)
	if err == nil && res.RecoveredOK == 0 {
		err = fmt.Errorf("no ok operation after the faults healed (%d ok, %d fail, %d info)", res.OK, res.Fail, res.Info)
	}
	if err == nil {
		return nil
	}
	return failure(defaultStoreRoot(), res, checks, replay, err)
}

// judge is the safety verdict on a run: no protocol problem, a linearizable history whose
// observations are linearizable too, replicas that agree once the clients stopped, and a
// quorum behind every acknowledged write and cas. It names every check that failed.
func judge(res *Result, checks Checks) error {
	lin, obs := checks.Lin, checks.Obs
	var errs []error
	if len(res.Problems) > 0 {
		errs = append(errs, fmt.Errorf("%d protocol problems, the first: %s: %s: %s", len(res.Problems),
			res.Problems[0].Node, res.Problems[0].Error, res.Problems[0].Line))
	}
	if lin.Valid != check.Valid {
		errs = append(errs, fmt.Errorf("linearizable? %s, keys %v not linearizable (%d ok, %d info)",
			lin.Valid, lin.Failures, res.OK, res.Info))
	}
	if obs.Valid != check.Valid {
		err := fmt.Errorf("observations valid? %s, keys %v (%d observations)", obs.Valid, obs.Failures, obs.Checked)
		if len(obs.Ops) > 0 {
			op := obs.Ops[0]
			err = fmt.Errorf("%w, the first: op %d %s %s saw %s, which no linearization explains", err, op.Index, op.F, op.Value, op.Saw)
		} else if len(obs.Failures) > 0 {
			k := obs.Failures[0]
			err = fmt.Errorf("%w, key %d %s", err, k, obs.Key(k).Note)
		}
		errs = append(errs, err)
	}
	if res.Divergence != "" {
		errs = append(errs, errors.New(res.Divergence))
	}
	if w := res.Witness(); w.Valid != check.Valid {
		err := fmt.Errorf("quorum-witness valid? %s: %d of %d acknowledged writes and cas's unwitnessed",
			w.Valid, w.Unwitnessed, w.Checked)
		if len(w.Ops) > 0 {
			op := w.Ops[0]
			err = fmt.Errorf("%w, the first: op %d %s %s, %s replied with witnesses %v of %d needed (arrived at %q)",
				err, op.Index, op.F, op.Value, op.Node, op.Witnesses, op.Quorum, op.Arrival)
		}
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// failure writes a failing run's store under root and adds what the run was, the store and
// the replay command to err.
func failure(root string, res *Result, checks Checks, replay string, err error) error {
	dir, serr := res.WriteStore(root, replay, checks)
	if serr != nil {
		dir = "not written: " + serr.Error()
	}
	settings := ""
	if res.cfg.Label != "" {
		settings = ", " + res.cfg.Label
	}
	return fmt.Errorf("%w\n  drawn: %d nodes%s\n  faults: %s\n  store: %s\n  replay: %s",
		err, res.cfg.Nodes, settings, res.cfg.Faults, dir, replay)
}

// Binary is what the simulation needs to know of a node binary.
type Binary struct {
	// New builds one node as the binary would under the command-line options.
	New func(kvserver.Options) nodes.Machine
	// ElectionTimeout is the nodes' election timeout: the drawn faults are scaled to it.
	ElectionTimeout time.Duration
	// HoldBias, when set, is Config.HoldBias: it makes holds strike the messages that matter
	// to the binary's protocol more often.
	HoldBias func(line []byte) float64
}

// sweepClusters is the standard simulation of a consensus-backed node, in the manner of swarm
// testing: each seed (taken as sweep takes them) draws its own cluster (3 or 5 nodes), the
// node settings a binary takes on its command line (leases on or off, 1 to 16 appends in
// flight, batching adaptive, off or at every load, frequent snapshots or not, memory only or
// a simulated disk), and its own fault mix from simnet.Swarm scaled to the nodes' election
// timeout: holds, heavy tails, bimodal latency, asymmetric, one-way and flapping links,
// partitions, pauses (some aimed at the leader), loss and duplication, and on a disk crashes
// of one node up to all of them at once, some with a flipped bit on disk. A failure prints
// what its seed drew and the command that replays it.
func sweepClusters(t *testing.T, b Binary) {
	sweep(t, func(seed uint64) Config { return Swarm(seed, b) })
}

// Swarm is the configuration sweepClusters draws for one seed.
func Swarm(seed uint64, b Binary) Config {
	r := rand.New(rand.NewPCG(seed, 0x5a4a))
	size := []int{3, 5}[r.IntN(2)]
	opts := kvserver.DefaultOptions()
	opts.Lease = r.IntN(2) == 0
	opts.MaxInflight = 1 + r.IntN(16)
	batching := []string{"adaptive", "off", "always"}[r.IntN(3)]
	switch batching {
	case "off":
		opts.BatchDelay = -1
	case "always":
		// The lowest rate there is: requests wait in batches while faults strike, which the
		// simulated clients alone would rarely make a node do.
		opts.BatchRate = 1e-9
	}
	timeout := b.ElectionTimeout.Milliseconds()
	cfg := Config{
		Seed: seed, Nodes: size,
		NewMachine: func() nodes.Machine { return b.New(opts) },
		Duration:   sweepDuration, Recovery: sweepRecovery,
		Faults:   simnet.Swarm(r, timeout),
		HoldBias: b.HoldBias,
	}
	// Snapshots every few entries in one seed of three, so that snapshots are taken, saved,
	// sent and restored in the short runs too.
	if r.IntN(3) == 0 {
		opts.CompactEvery = 8 + r.IntN(120)
	}
	// Half the seeds keep state on disk, and of those, half crash nodes (one to all at once),
	// a quarter of which also flip a bit of a crashed node's disk now and then.
	disk := "none"
	if r.IntN(2) == 0 {
		disk = "sync"
		cfg.NewDurable = func(fsys wal.FS) nodes.Machine {
			o := opts
			o.Storage = kvserver.LogStorage(fsys, "data")
			return b.New(o)
		}
		if r.IntN(2) == 0 {
			disk = "sync+crashes"
			cfg.Faults.Crashes = simnet.SwarmCrashes(r, timeout)
			if r.IntN(4) == 0 {
				disk = "sync+crashes+bitflips"
				cfg.Corrupt = 0.2
			}
		}
	}
	cfg.Label = fmt.Sprintf("lease=%v max-inflight=%d batching=%s compact-every=%d disk=%s",
		opts.Lease, opts.MaxInflight, batching, opts.CompactEvery, disk)
	return cfg
}

// sweepDuration and sweepRecovery are the fault period and the recovery of a swarm seed.
// The fault period is long enough for the nemesis to act several times at the drawn rates
// (partitions every 0.15 to 3.2 s on average, pauses every 0.3 to 6.3 s, for 300 ms
// timeouts); the recovery leaves Settle (1.5 s) for the cluster to recover and then 1 s in
// which some operation must succeed.
const (
	sweepDuration = 5 * time.Second
	sweepRecovery = 2500 * time.Millisecond
)

// HoldTypes is a Config.HoldBias for a binary whose core message travels as the body's "m",
// an object whose first member, field, is its type as a one-digit number. The cores' election
// messages and acknowledgements are the ones to hold: a held pre-vote, vote or ack is the
// schedule behind stale leaders and stale lease reads. So election messages are held ten
// times as often as the rest, and acknowledgements three times.
func HoldTypes[T ~uint8](field string, elections, acks []T) func(line []byte) float64 {
	bias := map[byte]float64{}
	for _, t := range elections {
		bias[byte(t)] = 10
	}
	for _, t := range acks {
		bias[byte(t)] = 3
	}
	marker := []byte(`"m":{"` + field + `":`)
	return func(line []byte) float64 {
		i := bytes.Index(line, marker)
		if i < 0 || i+len(marker) >= len(line) {
			return 1
		}
		if b, ok := bias[line[i+len(marker)]-'0']; ok {
			return b
		}
		return 1
	}
}

// Server is a Binary.New for a binary that runs the shared server configured by config, as
// its main does.
func Server[M consensus.Message](config func(kvserver.Options) kvserver.Config[M]) func(kvserver.Options) nodes.Machine {
	return func(o kvserver.Options) nodes.Machine { return kvserver.New(kvserver.Configure(o, config)) }
}

// CheckBinary runs every whole-node check of a binary, each a subtest of t: the swarm sweep
// (sweepClusters), Maelstrom's one-way ring (checkOneWayRing) and the hold bias
// (checkHoldBias).
func CheckBinary(t *testing.T, b Binary) {
	t.Run("sweep", func(t *testing.T) { sweepClusters(t, b) })
	t.Run("one-way-ring", func(t *testing.T) { checkOneWayRing(t, b) })
	t.Run("hold-bias", func(t *testing.T) { checkHoldBias(t, b) })
}

// checkOneWayRing runs 3-node clusters under Maelstrom's 3-node :majorities-ring for the
// whole fault period (5 s, from the start): every node drops the messages of the next one, so
// every link works in one direction only, and no leader can commit unless messages go round
// the ring. The nodes run with the binary's default options (relaying on) and with
// -deaf-after -1 (relaying off). Every history must be
// linearizable, observations included, with every acknowledged write witnessed; with relaying every seed must serve
// more than 100 ok operations under the cut, and without it none (the cut bites).
func checkOneWayRing(t *testing.T, b Binary) {
	t.Helper()
	replay := simseed.Command(t.Name())
	for _, relay := range []bool{true, false} {
		opts := kvserver.DefaultOptions()
		if !relay {
			opts.DeafAfter = -1
		}
		var faultOK []int
		for seed := uint64(1); seed <= 4; seed++ {
			cfg := Config{Seed: seed, Nodes: 3, NewMachine: func() nodes.Machine { return b.New(opts) },
				Duration: 5 * time.Second, Cut: func(from, to int) bool { return from == (to+1)%3 },
				Faults: simnet.Faults{Latency: simnet.Latency{Dist: simnet.Uniform, Max: 10}},
				Label:  fmt.Sprintf("relay=%v", relay)}
			res := Run(cfg)
			checks := res.Checks(time.Minute)
			err := judge(res, checks)
			switch {
			case err != nil:
			case relay && res.FaultOK <= 100:
				err = fmt.Errorf("only %d ok operations under the cut with relaying", res.FaultOK)
			case !relay && res.FaultOK > 0:
				err = fmt.Errorf("%d ok operations under the cut without relaying: the cut does not bite", res.FaultOK)
			}
			if err != nil {
				t.Errorf("seed %d, relay %v: %v", seed, relay, failure(defaultStoreRoot(), res, checks, replay, err))
			}
			faultOK = append(faultOK, res.FaultOK)
		}
		t.Logf("relay=%v: ok operations under the cut per seed: %v", relay, faultOK)
	}
}

// checkHoldBias checks that a binary's HoldBias recognizes its messages on the wire: in a
// 3-node run with partitions (hence elections) it must single out some lines (a bias above
// 1) and leave others alone, or the bias would silently do nothing.
func checkHoldBias(t *testing.T, b Binary) {
	t.Helper()
	seen := map[float64]int{}
	bias := b.HoldBias
	b.HoldBias = func(line []byte) float64 {
		v := bias(line)
		seen[v]++
		return v
	}
	cfg := Swarm(1, b)
	cfg.Nodes, cfg.Duration = 3, 3*time.Second
	cfg.Faults = simnet.Faults{Latency: simnet.Latency{Dist: simnet.Uniform, Max: 10},
		Hold: simnet.Spike{P: 0.01, Min: 300, Max: 600}, Partitions: simnet.Partitions{Every: 500}}
	Run(cfg)
	singled := 0
	for v, n := range seen {
		if v > 1 {
			singled += n
		}
	}
	if singled == 0 || seen[1] == 0 {
		t.Errorf("the hold bias singled out %d lines and left %d alone (by bias: %v)", singled, seen[1], seen)
	}
	t.Logf("lines by hold bias: %v", seen)
}
