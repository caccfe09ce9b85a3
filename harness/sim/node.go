package sim

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/wal"
)

// This file is the nodes' side of the simulation: the network (simnet) hands them their
// lines and their milliseconds, and they hand their output back as encoded lines, exactly as
// on stdio.

// node is one simulated node: its process (machine, nil while it is down) and its disk.
type node struct {
	machine nodes.Machine
	// disk is the node's simulated disk (nil for memory-only nodes); incarnation counts its
	// processes, so that each draws its own random numbers.
	disk        *wal.MemFS
	incarnation uint64
	// nextTick is when the machine's ticker fires next, as a runtime ticks every TickPeriod.
	nextTick time.Duration
	// dirty is set when the node handled input since its last Idle.
	dirty bool
	// waiting are client requests that arrived while the node was paused, in arrival order:
	// clients are outside the network, so the network does not queue them.
	waiting [][]byte
}

// leaderOf is what a machine may offer to say whom it takes for the leader; the kvserver
// does. Pauses aimed at the leader need it.
type leaderOf interface{ Leader() string }

// stateOf is what a machine may offer to show its replicated state; the kvserver does. The
// replicas' agreement needs it.
type stateOf interface {
	State() (applied uint64, state []byte)
}

// ConvergeWithin is how long the replicas have, once the clients stopped, to reach the same
// applied index: a few heartbeat rounds would do, the rest is room for the slow links a fault
// mix may leave behind.
const ConvergeWithin = 2 * time.Second

// converge lets the cluster run on, without clients and with the calm network, until every
// replica that shows its state has applied the same index, for at most ConvergeWithin; they
// must then hold the same state. It says what went wrong, or "". A replica that lags for
// good (a follower that refuses its leader's entries, say) or that diverged (one that
// applied an entry the others did not) is caught here even when no client happened to read
// the difference.
func (s *simulation) converge() string {
	limit := s.now + ConvergeWithin
	for {
		applied, states, ids := s.states(false)
		if len(ids) < 2 {
			return ""
		}
		if slices.Min(applied) == slices.Max(applied) {
			_, states, _ = s.states(true)
			for i := 1; i < len(ids); i++ {
				if !bytes.Equal(states[i], states[0]) {
					return fmt.Sprintf("replicas diverge: %s and %s applied %d but hold different states:\n    %s: %s\n    %s: %s",
						ids[0], ids[i], applied[0], ids[0], states[0], ids[i], states[i])
				}
			}
			return ""
		}
		if s.now >= limit {
			return fmt.Sprintf("replicas did not converge within %v after the clients stopped: applied %v by %v",
				ConvergeWithin, applied, ids)
		}
		for range 10 {
			s.advance(s.now + time.Millisecond)
			s.net.Step()
		}
	}
}

// states is every replica's applied index and, when withState, its state, with its id.
func (s *simulation) states(withState bool) (applied []uint64, states [][]byte, ids []string) {
	for i := range s.nodes {
		if m, ok := s.nodes[i].machine.(stateOf); ok {
			a, st := m.State()
			applied, ids = append(applied, a), append(ids, s.ids[i])
			if withState {
				states = append(states, st)
			}
		}
	}
	return applied, states, ids
}

// startNodes builds and inits every machine, each with its ticker's own phase, and gives
// each node its disk when the nodes keep state on disk.
func (s *simulation) startNodes() {
	tickRand := rand.New(rand.NewPCG(s.cfg.Seed, 0x71c))
	period := max(s.cfg.TickPeriod.Milliseconds(), 1)
	s.nodes = make([]node, s.cfg.Nodes)
	s.diskRand = rand.New(rand.NewPCG(s.cfg.Seed, 0xd15c))
	for i := range s.nodes {
		s.nodes[i].nextTick = time.Duration(tickRand.Int64N(period)) * time.Millisecond
		if s.cfg.NewDurable != nil {
			s.nodes[i].disk = wal.NewMemFS(rand.New(rand.NewPCG(s.cfg.Seed, 0xd15c+uint64(i)+1)))
		}
		s.start(i)
	}
}

// start builds node i's process and inits it, as Maelstrom does at the start and after a
// restart: the process starts from what its disk kept, if it has one, and nothing else.
func (s *simulation) start(i int) {
	nd := &s.nodes[i]
	if nd.disk != nil {
		nd.machine = s.cfg.NewDurable(nd.disk)
	} else {
		nd.machine = s.cfg.NewMachine()
	}
	nd.incarnation++
	var out nodes.Outbox
	nd.machine.Init(s.now, nodes.Init{
		NodeID:  s.ids[i],
		NodeIDs: append([]string(nil), s.ids...),
		Rand:    rand.New(rand.NewPCG(s.cfg.Seed, uint64(i)+1+(nd.incarnation-1)<<32)),
		Logger:  s.logger(s.ids[i]),
	}, &out)
	s.route(i, &out)
	nd.dirty = true
}

// crash kills node i's process: it is gone with everything it held in memory, the client
// requests that waited for it are lost, and its disk loses what a crash may lose.
func (s *simulation) crash(i int) {
	nd := &s.nodes[i]
	nd.machine, nd.waiting, nd.dirty = nil, nil, false
	if nd.disk == nil {
		return
	}
	what := nd.disk.Crash()
	if s.cfg.Corrupt > 0 && !s.corrupted && s.diskRand.Float64() < s.cfg.Corrupt {
		if where, ok := nd.disk.Corrupt(); ok {
			what += "; " + where
			s.corrupted = true
		}
	}
	s.faults.log = append(s.faults.log, fmt.Sprintf("%v %s disk: %s", s.now, s.ids[i], what))
}

// tick is the network giving node i one millisecond: its ticker fires when due (at once
// after a pause, with all the time it missed), the client requests that waited for it are
// handled, and it goes idle once its input has run dry. The network calls it after every
// message of the millisecond has arrived.
func (s *simulation) tick(i int) {
	nd := &s.nodes[i]
	if s.now >= nd.nextTick {
		var out nodes.Outbox
		nd.machine.Tick(s.now, &out)
		s.route(i, &out)
		nd.nextTick = s.now + s.cfg.TickPeriod
		nd.dirty = true
	}
	if waiting := nd.waiting; len(waiting) > 0 {
		nd.waiting = nil
		for _, line := range waiting {
			s.deliver(i, witness.Stamp{}, line)
		}
	}
	if nd.dirty {
		s.idle(i)
	}
}

// idle tells node i that its input has run dry, as the runtime does before it flushes.
func (s *simulation) idle(i int) {
	nd := &s.nodes[i]
	nd.dirty = false
	var out nodes.Outbox
	nd.machine.Idle(s.now, &out)
	s.route(i, &out)
}

// deliver hands a line to node i. cause is the sender's vector clock (zero from a client);
// the witness hears of the delivery before the machine sees the line.
func (s *simulation) deliver(i int, cause witness.Stamp, line []byte) {
	msg, err := nodes.ParseMessage(line)
	if err != nil {
		s.problem(s.ids[i], string(line), "unparseable line: %v", err)
		return
	}
	s.witness.Delivered(s.ids[i], msg.Src, cause, msg.Body)
	nd := &s.nodes[i]
	var out nodes.Outbox
	if err := nd.machine.Handle(s.now, msg, &out); err != nil {
		if e, ok := err.(*nodes.Error); ok {
			out.ReplyError(msg, e)
		}
	}
	s.route(i, &out)
	nd.dirty = true
}

// route sends what node from queued: to clients at once, to nodes through the network. Each
// line carries the sender's vector clock, which covers every input it handled so far.
func (s *simulation) route(from int, out *nodes.Outbox) {
	src := s.ids[from]
	for _, o := range out.Take() {
		line, err := nodes.AppendLine(nil, src, o)
		if err != nil {
			s.problem(src, "", "unencodable body to %s: %v", o.Dest, err)
			continue
		}
		stamp := s.witness.Sent(src)
		if c, ok := s.clientAt[o.Dest]; ok {
			s.reply(src, &s.threads[c], stamp, line)
			continue
		}
		if to, ok := s.index[o.Dest]; !ok || to == from {
			s.problem(src, string(line), "sent to unknown id %q", o.Dest)
			continue
		}
		s.net.Send(src, o.Dest, wire{line: line, cause: stamp})
	}
}

// leader is the node most nodes take for the leader, provided it takes itself for one, or
// "" when there is none (or the machines do not say): the node a pause aimed at the leader
// strikes.
func (s *simulation) leader() string {
	counts := make([]int, len(s.nodes))
	for i := range s.nodes {
		if l, ok := s.nodes[i].machine.(leaderOf); ok {
			if j, ok := s.index[l.Leader()]; ok {
				counts[j]++
			}
		}
	}
	best := -1
	for j, n := range counts {
		if l, ok := s.nodes[j].machine.(leaderOf); ok && l.Leader() == s.ids[j] && (best < 0 || n > counts[best]) {
			best = j
		}
	}
	if best < 0 {
		return ""
	}
	return s.ids[best]
}

// faultRecord is what the faults did: a log for the failure report, and intervals to shade
// on the plots.
type faultRecord struct {
	healed bool
	log    []string
	// intervals are the partitions, pauses and crashes; partition, paused and down index
	// the open ones (-1: none).
	intervals    []history.Interval
	partition    int
	paused, down []int
	current      string // the open partition's blocked links
}

// faultChanged is the network's fault log: it records the line, then opens and closes
// intervals from the network's state, which the network has already changed.
func (s *simulation) faultChanged(format string, args ...any) {
	f := &s.faults
	if f.paused == nil {
		f.partition, f.current = -1, "none"
		f.paused, f.down = make([]int, len(s.ids)), make([]int, len(s.ids))
		for i := range f.paused {
			f.paused[i], f.down[i] = -1, -1
		}
	}
	f.log = append(f.log, fmt.Sprintf("%v %s", s.now, fmt.Sprintf(format, args...)))
	if p := s.net.Partition(); p != f.current {
		f.current = p
		f.close(&f.partition, s.now)
		if p != "none" {
			f.open(&f.partition, s.now, "partition", "partition "+p)
		}
	}
	for i, id := range s.ids {
		switch paused := s.net.Paused(id); {
		case paused && f.paused[i] < 0:
			f.open(&f.paused[i], s.now, "pause", "pause "+id)
		case !paused:
			f.close(&f.paused[i], s.now)
		}
		switch down := s.net.Down(id); {
		case down && f.down[i] < 0:
			f.open(&f.down[i], s.now, "kill", "kill "+id)
		case !down:
			f.close(&f.down[i], s.now)
		}
	}
}

func (f *faultRecord) open(at *int, now time.Duration, kind, label string) {
	*at = len(f.intervals)
	f.intervals = append(f.intervals, history.Interval{Start: now, End: -1, Label: label, Kind: kind})
}

func (f *faultRecord) close(at *int, now time.Duration) {
	if *at >= 0 {
		f.intervals[*at].End = now
		*at = -1
	}
}
