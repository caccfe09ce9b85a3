package runner

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/nemesis"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/harness/internal/process"
	"github.com/quorumkit/quorumkit/harness/internal/report"
	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/harness/internal/service"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
	"github.com/quorumkit/quorumkit/harness/internal/workload"
)

// initTimeout is how long a node has to answer init.
const initTimeout = 10 * time.Second

// test is the state of one run.
type test struct {
	opts    *Options
	clock   *clock.Real
	store   *report.Store
	net     *net.Network
	causal  *causality
	history *history.History
	// bin is the node binary's absolute path, which restarts run again.
	bin     string
	stop    chan struct{}
	stopped sync.Once
	// restarts counts the init clients of restarted nodes, whose ids follow
	// the workers' (Maelstrom's one client counter).
	restarts atomic.Int64

	mu sync.Mutex
	// nodes is each node's current process, pumped is closed when its stdin
	// pump has returned, and down is true from a kill to the init_ok of the
	// restart (faults.go). closed is set by teardown: a process started
	// after it is killed at once.
	nodes    []*process.Node
	pumped   []chan struct{}
	down     []bool
	closed   bool
	protocol results.ProtocolResult
	crash    *results.CrashResult
	fault    string
	memory   map[string]*results.NodeMemory
	zeroTime time.Time
}

// seeded derives an independent random source for one part of the run.
func seeded(master *rand.Rand) *rand.Rand {
	return rand.New(rand.NewPCG(master.Uint64(), master.Uint64()))
}

// Run runs one test and returns its results and exit code. Results is nil
// only when the store could not be created.
func Run(opts *Options) (*results.Results, int) {
	if opts.Out == nil {
		opts.Out = os.Stdout
	}
	if opts.Log == nil {
		opts.Log = os.Stderr
	}
	clk := clock.NewReal()
	store, err := report.NewStore(opts.Store, opts.Workload, clk.Start())
	if err != nil {
		fmt.Fprintln(opts.Log, "harness:", err)
		return nil, results.ExitCrash
	}
	master := rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e3779b97f4a7c15))
	t := &test{
		opts: opts, clock: clk, store: store, history: history.New(clk),
		stop: make(chan struct{}),
	}
	t.protocol.Errors = []*results.ProtocolError{}
	t.causal = &causality{w: witness.New(opts.Nodes, service.IDs)}
	t.net = net.New(net.Config{Clock: clk, Dist: opts.LatencyDist, Mean: opts.Latency, Rand: seeded(master),
		OnSend: t.netLogger(opts.LogNetSend, ":send"), OnRecv: t.netLogger(opts.LogNetRecv, ":recv"), Trace: t.causal})
	genRand, dispatchRand, nemRand := seeded(master), seeded(master), seeded(master)
	fmt.Fprintf(opts.Log, "harness: seed %d, store %s\n", opts.Seed, store.Dir)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			fmt.Fprintln(opts.Log, "harness: interrupted; stopping the run")
			t.halt()
		}
	}()

	t.execute(genRand, dispatchRand, nemRand)
	res := t.analyse(t.history.Since())
	code := res.ExitCode()
	t.summarize(res, code)
	return res, code
}

// netLogger returns a hook that logs each message, or nil when off.
func (t *test) netLogger(on bool, kind string) func(net.Message) {
	if !on {
		return nil
	}
	var mu sync.Mutex
	return func(m net.Message) {
		line := m.AppendLine(nil)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(t.opts.Log, "%s %s", kind, line)
	}
}

// halt stops the workload and the nemesis early.
func (t *test) halt() { t.stopped.Do(func() { close(t.stop) }) }

// execute runs the phases up to teardown; failures end up in t.crash.
func (t *test) execute(genRand, dispatchRand, nemRand *rand.Rand) {
	opts := t.opts
	defer t.teardown()
	// Services outlive the workload: in-flight ops may still need them.
	services := make(chan struct{})
	defer close(services)
	service.Start(t.net, services)
	if err := t.setup(); err != nil {
		t.setCrash(err.Error())
		return
	}
	n := len(opts.Nodes)
	// Setup clients: one per node, open to the end, never sending.
	for i := range n {
		t.net.Register("c" + strconv.Itoa(n+i))
	}
	gen, err := workload.NewGenerator(n, opts.Concurrency, opts.PerKeyLimit, genRand)
	if err != nil {
		t.setCrash(err.Error())
		return
	}
	workers := make([]workload.Doer, opts.Concurrency)
	for th := range workers {
		c := workload.NewClient(t.net, t.clock, "c"+strconv.Itoa(2*n+th), workload.NodeFor(th, opts.Nodes), opts.Timeout())
		c.Judge = t.causal.judge
		workers[th] = c
	}
	// History times count from here, as Jepsen's do (just before the
	// clients open), not from the start of node setup.
	zero := t.clock.Now()
	t.history.SetZero(zero)
	t.zeroTime = t.clock.Start().Add(zero)
	memDone := make(chan struct{})
	memStopped := make(chan struct{})
	go t.sampleMemory(memDone, memStopped)
	progressDone := make(chan struct{})
	go t.progress(progressDone)
	defer close(progressDone)

	var wg sync.WaitGroup
	nemStop := make(chan struct{})
	if len(opts.Nemesis) > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nemesis.Run(nemesis.Config{
				Faults: opts.Nemesis, Nodes: opts.Nodes, Interval: opts.NemesisInterval, Clock: t.clock, Rand: nemRand,
				Net: t.net, Processes: nodeProcesses{t}, History: t.history, Stop: nemStop, OnChange: t.faultChanged, TimeLimit: opts.TimeLimit,
			})
		}()
	}
	workload.Run(workload.RunConfig{
		Generator: gen, Workers: workers, Rate: opts.Rate, TimeLimit: opts.TimeLimit,
		Clock: t.clock, Rand: dispatchRand, History: t.history, Stop: t.stop,
	})
	close(memDone)
	<-memStopped
	close(nemStop)
	wg.Wait()
	t.net.Heal()
}

// memoryInterval is how often sampleMemory reads each node's VmRSS.
const memoryInterval = time.Second

// sampleMemory reads every node's memory at once, then every
// memoryInterval and a last time when done closes; it closes stopped when
// it is finished. A node whose /proc entry cannot be read (it exited, or
// there is no /proc) is skipped for that sample.
func (t *test) sampleMemory(done <-chan struct{}, stopped chan<- struct{}) {
	defer close(stopped)
	tick := time.NewTicker(memoryInterval)
	defer tick.Stop()
	for finished := false; ; {
		at := t.history.Since().Seconds()
		for _, n := range t.processes() {
			mem, err := process.ReadMemory(n.Pid())
			if err != nil {
				continue
			}
			t.mu.Lock()
			if t.memory == nil {
				t.memory = map[string]*results.NodeMemory{}
			}
			m := t.memory[n.ID()]
			if m == nil {
				m = &results.NodeMemory{}
				t.memory[n.ID()] = m
			}
			m.Pid = n.Pid()
			m.Add(at, mem.RSS, mem.HWM)
			t.mu.Unlock()
		}
		if finished {
			return
		}
		select {
		case <-done:
			finished = true
		case <-tick.C:
		}
	}
}

// setup spawns every node in parallel and completes its init handshake.
func (t *test) setup() error {
	opts := t.opts
	bin, err := filepath.Abs(opts.Bin)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(bin); err == nil {
		bin = real
	}
	t.bin = bin
	for _, id := range opts.Nodes {
		t.net.Register(id)
	}
	t.makeSlots()
	errs := make([]error, len(opts.Nodes))
	var wg sync.WaitGroup
	for i, id := range opts.Nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = t.startNode(i, id, "c"+strconv.Itoa(i), false)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// makeSlots makes room for each node's process.
func (t *test) makeSlots() {
	n := len(t.opts.Nodes)
	t.nodes, t.pumped, t.down = make([]*process.Node, n), make([]chan struct{}, n), make([]bool, n)
}

// errTornDown is returned by startNode once teardown has begun, and
// errHalted when the run halted while a node had yet to answer init.
var (
	errTornDown = errors.New("the run is over")
	errHalted   = errors.New("the run halted")
)

// startNode spawns node i's process, starts its stdin pump and its exit
// watch, sends it init from client and waits for init_ok. A restart (after
// a kill) revives the node's inbox with that init, so that the new process
// gets it first. The wait ends early if the process exits or the run halts.
func (t *test) startNode(i int, id, client string, restart bool) error {
	var mirror io.Writer
	if t.opts.LogStderr {
		mirror = t.opts.Log
	}
	node, err := process.Start(process.Config{
		ID: id, Bin: t.bin, Args: t.opts.Args, Dir: os.TempDir(),
		LogPath: t.store.NodeLog(id), Mirror: mirror,
		OnStdout: func(line []byte) { t.route(id, line) },
	})
	if err != nil {
		return err
	}
	pumped := make(chan struct{})
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		node.Kill()
		return errTornDown
	}
	t.nodes[i], t.pumped[i] = node, pumped
	t.mu.Unlock()
	go func() {
		defer close(pumped)
		t.pump(node)
	}()
	go t.watch(node)

	inbox := t.net.Register(client)
	defer t.net.Unregister(client)
	ids, _ := json.Marshal(t.opts.Nodes)
	idJSON, _ := json.Marshal(id)
	body := `{"type":"init","node_id":` + string(idJSON) + `,"node_ids":` + string(ids) + `,"msg_id":1}`
	send := t.net.Send
	if restart {
		send = t.net.Restart
	}
	if _, err := send(net.Message{Src: client, Dest: id, Body: json.RawMessage(body)}); err != nil {
		return err
	}
	return t.awaitInit(node, inbox)
}

// awaitInit waits for node's init_ok on the init client's inbox.
func (t *test) awaitInit(node *process.Node, inbox *net.Inbox) error {
	id := node.ID()
	deadline := t.clock.After(initTimeout)
	for {
		m, err := inbox.Recv(either(node.Exited(), t.stop), deadline, nil)
		if errors.Is(err, net.ErrStopped) {
			select {
			case <-node.Exited():
				return fmt.Errorf("node %s exited (%s) before answering init; stderr tail:\n%s",
					id, waitStatus(node), indent(node.StderrTail(time.Second)))
			default:
				return fmt.Errorf("node %s: %w before it answered init", id, errHalted)
			}
		}
		if err != nil {
			return fmt.Errorf("node %s did not respond to init within %s", id, initTimeout)
		}
		var reply struct {
			Type      string          `json:"type"`
			InReplyTo json.RawMessage `json:"in_reply_to"`
			Code      json.RawMessage `json:"code"`
			Text      string          `json:"text"`
		}
		if json.Unmarshal(m.Body, &reply) != nil || string(reply.InReplyTo) != "1" {
			continue
		}
		switch reply.Type {
		case "init_ok":
			return nil
		case "error":
			return fmt.Errorf("node %s answered init with error %s %q", id, reply.Code, reply.Text)
		default:
			return fmt.Errorf("node %s answered init with %q, expected init_ok", id, reply.Type)
		}
	}
}

// either returns a channel closed as soon as a or b is.
func either(a, b <-chan struct{}) <-chan struct{} {
	c := make(chan struct{})
	go func() {
		defer close(c)
		select {
		case <-a:
		case <-b:
		}
	}()
	return c
}

func waitStatus(n *process.Node) string {
	<-n.Exited()
	return n.Status()
}

func indent(lines []string) string {
	s := ""
	for _, l := range lines {
		s += "    " + l + "\n"
	}
	return s
}

// route handles one stdout line of node: parse, then send. Anything wrong
// is a protocol error; unlike Maelstrom the harness keeps reading the node.
func (t *test) route(node string, line []byte) {
	m, err := net.ParseLine(line)
	if err == nil {
		_, err = t.net.Send(m)
	}
	if err != nil {
		t.mu.Lock()
		t.protocol.Count++
		if len(t.protocol.Errors) < results.MaxProtocolErrors {
			t.protocol.Errors = append(t.protocol.Errors, &results.ProtocolError{Node: node, Line: string(line), Error: err.Error()})
		}
		t.mu.Unlock()
		fmt.Fprintf(t.opts.Log, "harness: protocol error from %s: %v: %q\n", node, err, truncate(string(line), 200))
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// pump delivers node's inbox to its stdin, flushing whenever it would wait.
func (t *test) pump(node *process.Node) {
	ib := t.net.Inbox(node.ID())
	w := bufio.NewWriterSize(node.Stdin(), 64<<10)
	var buf []byte
	flush := func() { w.Flush() }
	for {
		m, err := ib.Recv(node.Exited(), nil, flush)
		if err != nil {
			return
		}
		buf = m.AppendLine(buf[:0])
		if _, err := w.Write(buf); err != nil {
			// The node is gone; its messages are lost, as in Maelstrom.
			w.Reset(node.Stdin())
		}
	}
}

// watch stops the run when node's process exits without the harness having
// killed it (by a kill of the nemesis, or at teardown).
func (t *test) watch(node *process.Node) {
	<-node.Exited()
	if !node.Killed() {
		t.recordExit(node)
		t.halt()
	}
}

// recordExit adds an early exit to the crash report.
func (t *test) recordExit(n *process.Node) {
	at := t.history.Since().Seconds()
	tail := n.StderrTail(time.Second)
	nc := &results.NodeCrash{Node: n.ID(), Status: n.Status(), At: at, StderrTail: tail, StdoutTail: n.StdoutTail()}
	if nc.StderrTail == nil {
		nc.StderrTail = []string{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.crash == nil {
		t.crash = &results.CrashResult{Valid: check.Unknown, Message: "node crashed"}
	}
	for _, c := range t.crash.Nodes {
		if c.Node == nc.Node {
			return
		}
	}
	t.crash.Nodes = append(t.crash.Nodes, nc)
	fmt.Fprintf(t.opts.Log, "harness: node %s exited early (%s) at %.1fs; last stderr lines:\n%s", n.ID(), nc.Status, at, indent(tail))
}

func (t *test) setCrash(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.crash == nil {
		t.crash = &results.CrashResult{Valid: check.Unknown, Message: msg}
	} else {
		t.crash.Message += "; " + msg
	}
	fmt.Fprintln(t.opts.Log, "harness: "+msg)
}

// teardown SIGKILLs every node, noting any that had already exited. A
// paused node dies of SIGKILL as well; nothing is left stopped. A restart
// still in flight finds the run closed and kills its process itself.
func (t *test) teardown() {
	t.halt()
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	for _, n := range t.processes() {
		select {
		case <-n.Exited():
			if !n.Killed() {
				t.recordExit(n)
			}
		default:
		}
		if err := n.Kill(); err != nil {
			fmt.Fprintln(t.opts.Log, "harness:", err)
		}
	}
}

// processes returns each node's current process (none before it started).
func (t *test) processes() []*process.Node {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ps []*process.Node
	for _, n := range t.nodes {
		if n != nil {
			ps = append(ps, n)
		}
	}
	return ps
}

// faultChanged records the faults in effect, for the progress line.
func (t *test) faultChanged(fault string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.fault = fault
}

// progress prints a status line on stderr every second.
func (t *test) progress(done <-chan struct{}) {
	if t.opts.Progress == nil {
		return
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-done:
			return
		case <-tick.C:
		}
		tl := t.history.Tally()
		t.mu.Lock()
		fault := t.fault
		t.mu.Unlock()
		if fault == "" {
			fault = "none"
		}
		fmt.Fprintf(t.opts.Progress, "[%5.1fs] ok %d  fail %d  info %d  fault %s\n",
			t.history.Since().Seconds(), tl.OK, tl.Fail, tl.Info, fault)
	}
}
