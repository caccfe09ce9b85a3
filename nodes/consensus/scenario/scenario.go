package scenario

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"github.com/quorumkit/quorumkit/harness/simnet"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// Hooks is what the driver needs of a core beyond the contract. Each is something only the
// core's own tests can do (build a node with a test's settings, make it campaign now), or
// its text form.
type Hooks[M consensus.Message] struct {
	// New builds one node of a cluster.
	New func(Options) consensus.Core[M]
	// Describe is the core's one-line text form of a message, sender and receiver included.
	Describe func(M) string
	// Campaign makes a node start an election now, as if its election timer had fired.
	Campaign func(consensus.Core[M])
	// Status is a node's state in one line (its role, term or ballot, commit point), and
	// whether it may serve reads from its lease now. The driver prints when the lease
	// changes, so that a script shows when a lease starts and ends.
	Status func(consensus.Core[M]) (line string, lease bool)
}

// Options is how a script asks for a node to be built.
type Options struct {
	ID    string
	Peers []string
	// Rand is the node's only source of randomness, drawn from the script's seed and the
	// node's place in Peers, so that a script replays exactly.
	Rand *rand.Rand
	// Lease turns on lease reads.
	Lease bool
	// ElectionTicks and HeartbeatTicks are the election timeout and the heartbeat interval
	// (cluster's election= and heartbeat=, consensus.DefaultTiming's by default): the same
	// for every core, so that the same script compares the algorithms alone, and the units
	// of tick's elections= and heartbeats=.
	ElectionTicks, HeartbeatTicks int
}

// Run runs every script in dir (a file or a directory of files), each on a fresh cluster.
func Run[M consensus.Message](t *testing.T, dir string, h Hooks[M]) {
	datadriven.Walk(t, dir, func(t *testing.T, path string) {
		var c *cluster[M]
		datadriven.RunTest(t, path, func(t *testing.T, td *datadriven.TestData) string {
			if td.Cmd == "cluster" {
				c = newCluster(t, h, td)
				return ""
			}
			if c == nil {
				t.Fatalf("%s: the first command must be cluster", td.Pos)
			}
			c.t = t
			c.out.Reset()
			c.run(td)
			return c.out.String()
		})
	})
}

// cluster is the nodes of one script, the network between them and the server's part.
type cluster[M consensus.Message] struct {
	t     testing.TB
	h     Hooks[M]
	o     Options
	ids   []string
	cores map[string]consensus.Core[M]
	net   *simnet.Network[M]
	out   strings.Builder
	// stamp, when set, prefixes each line with the virtual time (tick); quiet, when set,
	// counts delivered messages instead of printing them.
	stamp, quiet bool
	delivered    int
	// ticking is the set of nodes tick gives time to.
	ticking map[string]bool

	// The server's part: what each node applied (the value text at index i+1), who it last
	// said leads, the reads asked and not yet answered, and the first value applied at each
	// index anywhere (agreement).
	applied  map[string][]string
	leader   map[string]string
	lease    map[string]bool
	reads    map[uint64]readCall
	nextRead uint64
	chosen   []string
}

// readCall is a read asked of node, which must be answered at minIndex or later: every index
// applied anywhere before it was asked.
type readCall struct {
	node     string
	minIndex uint64
}

func newCluster[M consensus.Message](t *testing.T, h Hooks[M], td *datadriven.TestData) *cluster[M] {
	size, seed := 3, uint64(1)
	td.MaybeScanArgs(t, "nodes", &size)
	td.MaybeScanArgs(t, "seed", &seed)
	o := Options{Lease: td.HasArg("lease"), ElectionTicks: consensus.DefaultTiming.ElectionTicks, HeartbeatTicks: consensus.DefaultTiming.HeartbeatTicks}
	td.MaybeScanArgs(t, "election", &o.ElectionTicks)
	td.MaybeScanArgs(t, "heartbeat", &o.HeartbeatTicks)
	c := &cluster[M]{t: t, h: h, o: o, cores: map[string]consensus.Core[M]{}, applied: map[string][]string{},
		leader: map[string]string{}, lease: map[string]bool{}, reads: map[uint64]readCall{}, ticking: map[string]bool{}}
	for i := range size {
		c.ids = append(c.ids, fmt.Sprintf("n%d", i))
	}
	for i, id := range c.ids {
		o.ID, o.Peers, o.Rand = id, c.ids, rand.New(rand.NewPCG(seed, uint64(i)))
		c.cores[id] = h.New(o)
	}
	c.net = simnet.New[M](c.ids, rand.New(rand.NewPCG(seed, 0x5CE)), simnet.Faults{})
	c.net.Deliver = func(e *simnet.Envelope[M]) {
		if c.quiet {
			c.delivered++
		} else {
			c.line(h.Describe(e.Msg))
		}
		c.cores[e.To].Step(e.Msg)
	}
	c.net.Tick = func(id string) {
		if c.ticking[id] {
			c.cores[id].Tick()
		}
	}
	return c
}

// run carries out one command.
func (c *cluster[M]) run(td *datadriven.TestData) {
	ids, _ := c.args(td)
	switch td.Cmd {
	case "campaign":
		for _, id := range ids {
			c.h.Campaign(c.cores[id])
		}
	case "propose":
		c.propose(td)
	case "read":
		for _, id := range ids {
			c.read(id)
		}
	case "compact":
		for _, id := range ids {
			c.compact(id)
		}
	case "isolate":
		for _, id := range ids {
			c.net.Isolate(id)
		}
	case "cut", "block":
		if len(ids) != 2 {
			c.t.Fatalf("%s: %s takes two nodes", td.Pos, td.Cmd)
		}
		c.net.Block(ids[0], ids[1])
		if td.Cmd == "cut" {
			c.net.Block(ids[1], ids[0])
		}
	case "heal":
		c.net.Heal()
	case "deliver":
		c.collect()
		c.deliver(c.matcher(td))
	case "drop":
		c.collect()
		match := c.matcher(td)
		c.net.Discard(func(e *simnet.Envelope[M]) bool {
			if match(e) {
				c.line("dropped " + c.h.Describe(e.Msg))
				return true
			}
			return false
		})
	case "stabilize":
		c.stabilize()
	case "tick":
		c.tick(td)
	case "status":
		if len(ids) == 0 {
			ids = c.ids
		}
		for _, id := range ids {
			line, _ := c.h.Status(c.cores[id])
			fmt.Fprintf(&c.out, "%s leader=%s %s\n", id, orNone(c.cores[id].Leader()), line)
		}
	default:
		c.t.Fatalf("%s: unknown command %q", td.Pos, td.Cmd)
	}
}

// args splits a command's arguments into node ids and numbers, in order.
func (c *cluster[M]) args(td *datadriven.TestData) (ids []string, nums []int) {
	for _, a := range td.CmdArgs {
		if len(a.Vals) > 0 {
			continue
		}
		if n, err := strconv.Atoi(a.Key); err == nil {
			nums = append(nums, n)
		} else if a.Key == "leader" {
			ids = append(ids, c.leaderNow(td))
		} else if a.Key == "quiet" {
			continue
		} else if _, ok := c.cores[a.Key]; ok {
			ids = append(ids, a.Key)
		} else if td.Cmd != "propose" {
			c.t.Fatalf("%s: no node %q", td.Pos, a.Key)
		}
	}
	return ids, nums
}

// leaderNow is the node that believes it leads and that most nodes name as their leader,
// for the scripts' "leader", which stands for whichever node won the last election.
func (c *cluster[M]) leaderNow(td *datadriven.TestData) string {
	best, votes := "", 0
	for _, id := range c.ids {
		if c.cores[id].Leader() != id {
			continue
		}
		n := 0
		for _, o := range c.ids {
			if c.cores[o].Leader() == id {
				n++
			}
		}
		if n > votes {
			best, votes = id, n
		}
	}
	if best == "" {
		c.t.Fatalf("%s: no node leads", td.Pos)
	}
	return best
}

func (c *cluster[M]) propose(td *datadriven.TestData) {
	if len(td.CmdArgs) < 2 {
		c.t.Fatalf("%s: propose takes a node and values", td.Pos)
	}
	id := td.CmdArgs[0].Key
	if id == "leader" {
		id = c.leaderNow(td)
	}
	if c.cores[id] == nil {
		c.t.Fatalf("%s: no node %q", td.Pos, id)
	}
	for _, a := range td.CmdArgs[1:] {
		if !c.cores[id].Propose([]byte(a.Key)) {
			c.line(fmt.Sprintf("%s refused %q", id, a.Key))
		}
	}
}

func (c *cluster[M]) read(id string) {
	c.nextRead++
	if !c.cores[id].ReadIndex(c.nextRead) {
		c.line(fmt.Sprintf("%s refused read %d", id, c.nextRead))
		return
	}
	c.reads[c.nextRead] = readCall{node: id, minIndex: uint64(len(c.chosen))}
}

// compact hands id's core a snapshot of everything it applied.
func (c *cluster[M]) compact(id string) {
	state := c.applied[id]
	c.cores[id].Compact(uint64(len(state)), encodeState(state))
}

// matcher is the from= and to= of deliver and drop.
func (c *cluster[M]) matcher(td *datadriven.TestData) func(e *simnet.Envelope[M]) bool {
	var from, to string
	td.MaybeScanArgs(c.t, "from", &from)
	td.MaybeScanArgs(c.t, "to", &to)
	return func(e *simnet.Envelope[M]) bool {
		return (from == "" || e.From == from) && (to == "" || e.To == to)
	}
}

// deliver hands the messages in flight that match to their receivers, in the order they were
// sent; the rest stay in flight.
func (c *cluster[M]) deliver(match func(e *simnet.Envelope[M]) bool) {
	c.net.Filter = func(e *simnet.Envelope[M]) simnet.Verdict {
		if match(e) {
			return simnet.Pass
		}
		return simnet.Hold
	}
	c.net.DeliverAll()
	c.net.Filter = nil
	c.net.Release(nil)
}

// stabilize takes Readies and delivers until no node has anything to say.
func (c *cluster[M]) stabilize() {
	for range 10000 {
		c.collect()
		if c.net.Len() == 0 {
			return
		}
		c.net.DeliverAll()
	}
	c.t.Fatalf("the cluster did not stabilize:\n%s", c.out.String())
}

// tick gives the nodes named (all when none) their ticks, stabilizing after each.
func (c *cluster[M]) tick(td *datadriven.TestData) {
	ids, nums := c.args(td)
	n := 1
	if len(nums) > 0 {
		n = nums[0]
	}
	var e, hb int
	if td.MaybeScanArgs(c.t, "elections", &e) {
		n = e * c.o.ElectionTicks
	}
	if td.MaybeScanArgs(c.t, "heartbeats", &hb) {
		n = hb * c.o.HeartbeatTicks
	}
	if len(ids) == 0 {
		ids = c.ids
	}
	clear(c.ticking)
	for _, id := range ids {
		c.ticking[id] = true
	}
	c.stamp, c.quiet, c.delivered = true, td.HasArg("quiet"), 0
	for range n {
		c.net.Step()
		c.stabilize()
	}
	c.stamp = false
	if c.quiet {
		c.quiet = false
		c.line(fmt.Sprintf("%d messages delivered", c.delivered))
	}
}

// line prints one line of output, stamped with the virtual time during tick.
func (c *cluster[M]) line(s string) {
	if c.stamp {
		fmt.Fprintf(&c.out, "@%d ", c.net.Now())
	}
	c.out.WriteString(s)
	c.out.WriteByte('\n')
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
