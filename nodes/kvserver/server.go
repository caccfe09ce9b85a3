package kvserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/kv"
	"github.com/quorumkit/quorumkit/nodes/nodelog"
	"github.com/quorumkit/quorumkit/nodes/wal"
)

// Defaults of [Config].
const (
	DefaultCompactEvery = 4096
	// DefaultMaxHops bounds how often a client request is forwarded before a node gives up.
	DefaultMaxHops = 3
	// DefaultParkFor is how long a request waits for a leader to be elected.
	DefaultParkFor = 400 * time.Millisecond
	// DefaultRetryFor is how long a request handed to a leader stays eligible to be handed to
	// the next one: Maelstrom's client timeout at its default latencies (max(10 x latency, 1 s)).
	DefaultRetryFor = time.Second
	// tick is the core's unit of time.
	tick = time.Millisecond
	// maxCatchUp bounds the ticks replayed at once after a pause; every timer of either core
	// is far shorter, so the core is in the same state as if it got them all.
	maxCatchUp = time.Minute
	// pendingTTL is how long an unanswered request is remembered. Maelstrom's clients give
	// up long before (after max(10 x latency, 1 s)).
	pendingTTL = 60 * time.Second
)

// Config builds a [Server].
type Config[M consensus.Message] struct {
	// Kind is the body type of peer messages ("raft", "paxos").
	Kind string
	// NewCore builds the core once init names the node and its peers. rec is what the node's
	// storage held at init, nil for a node without storage or with none saved yet.
	NewCore func(init nodes.Init, rec *consensus.Recovered) consensus.Core[M]
	// Storage, when set, opens the node's stable storage at init and reads back what it
	// holds; nil runs the node memory-only. See [Storage].
	Storage OpenStorage
	// CompactEvery is how many applied entries pass between snapshots (default 4096).
	CompactEvery int
	// MaxHops bounds forwarding chains (default 3).
	MaxHops int
	// ParkFor is how long a request waits for a leader to be known before it fails
	// (default 400 ms: well inside Maelstrom's 1 s client timeout, and longer than a typical
	// election). MaxParked bounds the waiting requests (default 4096).
	ParkFor   time.Duration
	MaxParked int
	// RetryFor is how long this node remembers the requests it handed to a leader (forwarded
	// or proposed) to hand them again to the next leader it learns of, unless it has applied
	// them by then (default DefaultRetryFor; negative: never).
	RetryFor time.Duration
	// DeafAfter and RelayFor shape relaying around one-way links (relay.go): a node names the
	// peers that have left what it sent them unanswered for DeafAfter, and a peer so told
	// sends it copies of its messages by way of the others for RelayFor after the last notice
	// (defaults DefaultDeafAfter and DefaultRelayFor; a negative DeafAfter turns relaying off
	// at this node, both ways).
	DeafAfter, RelayFor time.Duration
	// BatchDelay and BatchRate shape batching under load (see batchQueue): while more than
	// BatchRate requests per second arrive at this node's proposals (or its forwards), they
	// leave at most once per BatchDelay, so many requests share one append and one forward.
	// Defaults 10 ms and 150/s; a negative value of either turns the lingering off, leaving
	// only what one burst of input batches.
	BatchDelay time.Duration
	BatchRate  float64
	// BatchSize is how many waiting requests make a batch leave at once (default 8;
	// negative: no limit).
	BatchSize int
}

// Server is the lin-kv server every binary shares: it implements [nodes.Machine] on top of a
// consensus [Core]. See the package documentation for the request paths.
type Server[M consensus.Message] struct {
	cfg     Config[M]
	self    string
	peers   map[string]bool
	core    consensus.Core[M]
	storage Storage // nil: memory-only
	// storageStats are the storage's counters as last logged, at storageLogged.
	storageStats  wal.Stats
	storageLogged time.Duration
	log           *slog.Logger
	ticked        time.Duration // monotonic time already ticked into the core
	leader        string        // leader seen in the last Ready
	swepted       time.Duration
	// others are the peers but this node, sorted; selfJSON is this node's id as JSON.
	others   []string
	selfJSON []byte
	// unanswered is, per peer, when this node first sent it something since the last direct
	// message from it; deafTo when each peer last said it could not hear this node (relay.go).
	unanswered, deafTo map[string]time.Duration
	// recent are the hashes of the bodies lately handled from each peer, to drop relayed
	// copies of them; relayedBy is when each peer's last relayed message arrived.
	recent    map[string]*recent
	relayedBy map[string]time.Duration

	// The replicated state: the store and, per client, the last request applied and its
	// outcome. Both are in every snapshot.
	store    *kv.Store
	sessions map[string]session
	applied  uint64
	// sinceCompact counts entries applied since the last snapshot.
	sinceCompact int

	// writes are the commands this node proposed, by (client, msg_id); whoever proposed a
	// command replies when it applies it.
	writes map[requestKey]pendingWrite
	// reads wait for a read point; confirmed reads wait for the state machine to catch up.
	nextRead  uint64
	reads     map[uint64]pendingRead
	confirmed []pendingRead
	// parked are requests that arrived while no leader was known, oldest first.
	parked []parkedRequest
	// handedOff are the requests this node forwarded or proposed within RetryFor, roughly in
	// the order it took them: when a leader is learned, those not applied go to it again.
	handedOff []queuedRequest
	// proposals wait to be handed to the core, forwards to be sent to the leader, each as one
	// batch when its queue says so.
	proposals, forwards batchQueue
}

type parkedRequest struct {
	queuedRequest
	parkedAt time.Duration
}

// requestKey identifies a client request: msg_ids are per client, and clients reuse them.
type requestKey struct {
	client string
	msgID  uint64
}

type pendingWrite struct {
	op kv.Op
	at time.Duration
}

type pendingRead struct {
	client string
	msgID  uint64
	key    json.RawMessage
	at     time.Duration
	index  uint64 // read point, once confirmed
}

// New returns a server that builds its core at init.
func New[M consensus.Message](cfg Config[M]) *Server[M] {
	if cfg.CompactEvery <= 0 {
		cfg.CompactEvery = DefaultCompactEvery
	}
	if cfg.MaxHops <= 0 {
		cfg.MaxHops = DefaultMaxHops
	}
	if cfg.ParkFor <= 0 {
		cfg.ParkFor = DefaultParkFor
	}
	if cfg.MaxParked <= 0 {
		cfg.MaxParked = 4096
	}
	if cfg.RetryFor == 0 {
		cfg.RetryFor = DefaultRetryFor
	}
	if cfg.DeafAfter == 0 {
		cfg.DeafAfter = DefaultDeafAfter
	}
	if cfg.RelayFor <= 0 {
		cfg.RelayFor = DefaultRelayFor
	}
	if cfg.BatchDelay == 0 {
		cfg.BatchDelay = DefaultBatchDelay
	}
	if cfg.BatchRate == 0 {
		cfg.BatchRate = DefaultBatchRate
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	return &Server[M]{
		cfg:        cfg,
		store:      kv.New(),
		sessions:   make(map[string]session),
		writes:     make(map[requestKey]pendingWrite),
		reads:      make(map[uint64]pendingRead),
		unanswered: make(map[string]time.Duration),
		deafTo:     make(map[string]time.Duration),
		recent:     make(map[string]*recent),
		relayedBy:  make(map[string]time.Duration),
		proposals:  newBatchQueue(cfg.BatchDelay, cfg.BatchRate, cfg.BatchSize, false),
		forwards:   newBatchQueue(cfg.BatchDelay, cfg.BatchRate, cfg.BatchSize, true),
	}
}

// Init implements [nodes.Machine].
func (s *Server[M]) Init(now time.Duration, init nodes.Init, out *nodes.Outbox) {
	s.self = init.NodeID
	s.log = init.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.peers = make(map[string]bool, len(init.NodeIDs))
	for _, id := range init.NodeIDs {
		s.peers[id] = true
		if id != s.self {
			s.others = append(s.others, id)
		}
	}
	slices.Sort(s.others)
	s.selfJSON = nodes.AppendString(nil, s.self)
	s.core = s.cfg.NewCore(init, s.openStorage(init))
	s.ticked = now
}

// Tick implements [nodes.Machine].
func (s *Server[M]) Tick(now time.Duration, out *nodes.Outbox) {
	s.advance(now)
	s.forgetHandedOff(now)
	if now-s.swepted >= time.Second {
		s.swepted = now
		s.sweep(now)
	}
}

// Leader is the node this server last learned leads ("" while it knows none), as its core's
// last Ready said: a simulator aims faults at the leader through it.
func (s *Server[M]) Leader() string { return s.leader }

// State is the index of the last command this replica applied and the replicated state after
// it (the store and the sessions, encoded as a snapshot encodes them): replicas that applied
// the same index must hold the same bytes, which a simulator checks.
func (s *Server[M]) State() (applied uint64, state []byte) { return s.applied, s.snapshot() }

// advance ticks the core for the time elapsed since the last call.
func (s *Server[M]) advance(now time.Duration) {
	if now-s.ticked > pauseGap {
		s.forgetStale(now)
	}
	if now-s.ticked > maxCatchUp {
		s.ticked = now - maxCatchUp
	}
	for now-s.ticked >= tick {
		s.core.Tick()
		s.ticked += tick
	}
}

// sweep forgets requests whose clients gave up long ago, so memory stays bounded.
func (s *Server[M]) sweep(now time.Duration) {
	s.logStorage(now)
	for k, w := range s.writes {
		if now-w.at > pendingTTL {
			delete(s.writes, k)
		}
	}
	for id, r := range s.reads {
		if now-r.at > pendingTTL {
			delete(s.reads, id)
		}
	}
}

// peerBody is the body of a core message on the wire. Reqs, when present, are forwarded
// client requests riding along to the leader (see batch.go); Deaf names the peers that have
// left what the sender sent them unanswered lately (see relay.go).
type peerBody[M consensus.Message] struct {
	Type string          `json:"type"`
	M    M               `json:"m"`
	Reqs json.RawMessage `json:"reqs,omitempty"`
	Deaf []string        `json:"deaf,omitempty"`
}

// Handle implements [nodes.Machine].
func (s *Server[M]) Handle(now time.Duration, msg *nodes.Message, out *nodes.Outbox) error {
	s.advance(now)
	s.heardFrom(now, msg)
	return s.dispatch(now, msg, out)
}

// dispatch handles a message that arrived directly or relayed.
func (s *Server[M]) dispatch(now time.Duration, msg *nodes.Message, out *nodes.Outbox) error {
	switch msg.Type {
	case "read", "write", "cas":
		return s.handleClient(now, queuedRequest{msg: msg, at: now}, out)
	case s.cfg.Kind:
		// Only the core's part is decoded: the runtime has scanned the body already.
		var m M
		raw := msg.Fields.Get("m")
		if raw == nil {
			return fmt.Errorf("kvserver: %s message from %s has no m", s.cfg.Kind, msg.Src)
		}
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("kvserver: bad %s message from %s: %w", s.cfg.Kind, msg.Src, err)
		}
		s.noteDeaf(now, msg.Src, msg.Fields.Get("deaf"))
		s.core.Step(m)
		if reqs := msg.Fields.Get("reqs"); reqs != nil {
			return s.handleForwarded(now, msg.Src, reqs, out)
		}
		return nil
	case forwardType:
		return s.handleForward(now, msg, out)
	case relayType:
		return s.handleRelay(now, msg, out)
	}
	if msg.HasInReplyTo {
		return nil // a reply nobody waits for: duplicates and late answers are normal
	}
	return nodes.Errorf(nodes.NotSupported, "unsupported message type %q", msg.Type)
}

// serve is handleClient for a request that came another way than from its client: an error
// is the client's answer.
func (s *Server[M]) serve(now time.Duration, r queuedRequest, out *nodes.Outbox) {
	var e *nodes.Error
	if err := s.handleClient(now, r, out); errors.As(err, &e) {
		out.ReplyError(r.msg, e)
	} else if err != nil {
		s.log.Warn("request dropped", "client", r.msg.Src, "err", err)
	}
}

// handleClient serves a client request that arrived directly (hops 0) or forwarded, or one
// taken again from the parked or handed-off requests. r's msg, hops, at and retry are set.
func (s *Server[M]) handleClient(now time.Duration, r queuedRequest, out *nodes.Outbox) error {
	msg := r.msg
	if !msg.HasMsgID {
		return nodes.Errorf(nodes.MalformedRequest, "%s needs a msg_id", msg.Type)
	}
	f := msg.Fields
	cmd := kv.Command{Op: kv.Op(msg.Type), Key: f.Get("key"), Value: f.Get("value"), From: f.Get("from"), To: f.Get("to")}
	if err := cmd.Validate(); err != nil {
		return nodes.Errorf(nodes.MalformedRequest, "%v", err)
	}
	r.op = cmd.Op
	if cmd.Op == kv.OpRead {
		id := s.nextRead
		s.nextRead++
		if s.core.ReadIndex(id) {
			s.reads[id] = pendingRead{client: msg.Src, msgID: msg.MsgID, key: cmd.Key, at: now}
			return nil
		}
	} else if s.core.Leader() == s.self {
		// Handed to the core now, or when the batch leaves if the leader lingers (at the
		// latest BatchDelay from now). The core sends nothing before the next Ready, so
		// everything proposed in this burst of input leaves together either way.
		r.data = logCommand{Client: msg.Src, MsgID: msg.MsgID, Command: cmd}.encode()
		s.proposals.push(now, r)
		s.flushProposals(now, out)
		return nil
	}
	if e := s.forward(now, r); e != nil {
		return e // not a nil *nodes.Error in a non-nil error
	}
	return nil
}

// forward queues a request this node cannot serve for the leader it knows of. With no leader
// known (an election is under way), the request is parked until one is, for at most ParkFor.
func (s *Server[M]) forward(now time.Duration, r queuedRequest) *nodes.Error {
	leader := s.core.Leader()
	if leader != "" && leader != s.self && s.peers[leader] && r.hops < s.cfg.MaxHops {
		s.forwards.push(now, r)
		return nil
	}
	if r.hops < s.cfg.MaxHops && len(s.parked) < s.cfg.MaxParked {
		s.parked = append(s.parked, parkedRequest{queuedRequest: r, parkedAt: now})
		return nil
	}
	return unavailable(s.self, r)
}

// unavailable is the answer to a request no leader could take. The node that took it from the
// client knows it was never handed to any log (11, definite), unless it handed it on before
// (a retry); a later hop cannot rule out that a copy of the request reached a log (13,
// indefinite); reads are always safe to fail.
func unavailable(self string, r queuedRequest) *nodes.Error {
	switch {
	case r.op == kv.OpRead || r.hops == 0 && !r.retry:
		return nodes.Errorf(nodes.TemporarilyUnavailable, "no leader known to %s", self)
	case r.retry:
		return nodes.Errorf(nodes.Crash, "no leader known to %s to hand the request to again", self)
	}
	return nodes.Errorf(nodes.Crash, "forwarded request found no leader after %d hops", r.hops)
}

// retryParked fails the requests parked for ParkFor, and hands the others to the leader once
// one is known.
func (s *Server[M]) retryParked(now time.Duration, out *nodes.Outbox) {
	n := 0
	for n < len(s.parked) && now-s.parked[n].parkedAt >= s.cfg.ParkFor {
		p := s.parked[n]
		out.ReplyError(p.msg, unavailable(s.self, p.queuedRequest))
		n++
	}
	s.parked = slices.Delete(s.parked, 0, n)
	if len(s.parked) == 0 || s.core.Leader() == "" {
		return
	}
	parked := s.parked
	s.parked = nil
	for _, p := range parked {
		// The request goes through the whole path again. It parks anew if the core refuses
		// it although it believes it leads (a full uncommitted tail, say), and then keeps
		// its original arrival time, so it still fails after ParkFor.
		before := len(s.parked)
		s.serve(now, p.queuedRequest, out)
		if len(s.parked) > before {
			s.parked[len(s.parked)-1].parkedAt = p.parkedAt
		}
	}
}

// Idle implements [nodes.Machine]: everything the burst of events produced leaves as one
// batch.
func (s *Server[M]) Idle(now time.Duration, out *nodes.Outbox) {
	s.advance(now)
	for s.core.HasReady() {
		s.process(now, s.core.Ready(), out)
	}
	s.retryParked(now, out)
	s.flush(now, out)
	for s.core.HasReady() { // what was just proposed leaves in this batch too
		s.process(now, s.core.Ready(), out)
	}
}

// process handles one Ready in the order its fields require.
func (s *Server[M]) process(now time.Duration, rd consensus.Ready[M], out *nodes.Outbox) {
	s.save(rd.Stable)
	if rd.Snapshot != nil && rd.Snapshot.Index > s.applied {
		s.restore(rd.Snapshot)
	}
	for _, e := range rd.Committed {
		s.apply(e, out)
	}
	for _, rs := range rd.ReadStates {
		if r, ok := s.reads[rs.ID]; ok {
			delete(s.reads, rs.ID)
			r.index = rs.Index
			s.confirmed = append(s.confirmed, r)
		}
	}
	s.serveReads(out)
	if rd.Leader != s.leader {
		s.log.Info(nodelog.LeaderChanged, nodelog.From, s.leader, nodelog.To, rd.Leader)
		s.leader = rd.Leader
		if s.leader != "" {
			s.retryHandedOff(now, out)
		}
	}
	if s.leader != s.self {
		// The core dropped every read it had not confirmed. Failing a read is always safe.
		// Sorted, so that the output, like everything else, is a function of the input.
		for _, id := range slices.Sorted(maps.Keys(s.reads)) {
			r := s.reads[id]
			delete(s.reads, id)
			out.Send(r.client, nodes.NewErrorBody(r.msgID, nodes.Errorf(nodes.TemporarilyUnavailable, "%s lost leadership", s.self)))
		}
	}
	var deaf []string
	if len(rd.Messages) > 0 {
		deaf = s.deafList(now)
	}
	for _, m := range rd.Messages {
		to := m.Dest()
		if !s.peers[to] || to == s.self {
			s.log.Error("core addressed an unknown peer; dropped", "to", to)
			continue
		}
		body := peerBody[M]{Type: s.cfg.Kind, M: m, Deaf: deaf}
		if len(s.forwards.reqs) > 0 && to == s.core.Leader() {
			// The queued forwards ride along: under load, followers answer the leader's
			// appends all the time, so most forwards cost no message of their own.
			reqs := s.forwards.takeAll()
			body.Reqs = appendRequests(nil, reqs)
			s.handOff(reqs...)
		}
		s.sendPeer(now, out, to, body)
	}
}

// apply runs one committed entry on the state machine and answers the client if this node
// proposed it.
func (s *Server[M]) apply(e consensus.Entry, out *nodes.Outbox) {
	if e.Index <= s.applied {
		return // covered by a snapshot
	}
	if e.Index != s.applied+1 {
		panic(fmt.Sprintf("kvserver: %s: committed index %d after %d: the core skipped entries", s.self, e.Index, s.applied))
	}
	s.applied = e.Index
	s.applyCommand(e, out)
	// Only now: the snapshot at e.Index must hold e's effect, since whoever restores it
	// (a lagging follower, this node after a restart) goes on from e.Index+1.
	s.maybeCompact()
}

// applyCommand runs the command of the entry just counted as applied.
func (s *Server[M]) applyCommand(e consensus.Entry, out *nodes.Outbox) {
	if e.Data == nil {
		return
	}
	c, err := decodeLogCommand(e.Data)
	if err != nil {
		panic(fmt.Sprintf("kvserver: %s: undecodable command at %d: %v", s.self, e.Index, err))
	}
	key := requestKey{c.Client, c.MsgID}
	last, seen := s.sessions[c.Client]
	if seen && c.MsgID <= last.MsgID {
		// A copy of a request applied before (handed again to a new leader, or a duplicated
		// forward), or one its client abandoned for a later request: applied once only. A
		// copy of the last one this node proposed is answered with the first copy's outcome.
		if _, ok := s.writes[key]; ok && c.MsgID == last.MsgID {
			delete(s.writes, key)
			out.Send(c.Client, outcomeBody(c.Op, c.MsgID, last.Code, last.Text))
		}
		return
	}
	res := s.store.Apply(c.Command)
	code, text := outcome(res)
	s.sessions[c.Client] = session{MsgID: c.MsgID, Code: code, Text: text}
	if _, ok := s.writes[key]; ok {
		delete(s.writes, key)
		out.Send(c.Client, outcomeBody(c.Op, c.MsgID, code, text))
	}
}

// maybeCompact hands the core a snapshot every CompactEvery applied entries.
func (s *Server[M]) maybeCompact() {
	s.sinceCompact++
	if s.sinceCompact < s.cfg.CompactEvery {
		return
	}
	s.sinceCompact = 0
	s.core.Compact(s.applied, s.snapshot())
}

// serveReads answers the confirmed reads the state machine has caught up with.
func (s *Server[M]) serveReads(out *nodes.Outbox) {
	kept := s.confirmed[:0]
	for _, r := range s.confirmed {
		if r.index > s.applied {
			kept = append(kept, r)
			continue
		}
		v, err := s.store.Read(r.key)
		if err != nil {
			code, text := outcome(kv.Result{Err: err})
			out.Send(r.client, outcomeBody(kv.OpRead, r.msgID, code, text))
			continue
		}
		if v == nil {
			v = json.RawMessage("null")
		}
		out.Send(r.client, readOK{value: v, inReplyTo: r.msgID})
	}
	clear(s.confirmed[len(kept):])
	s.confirmed = kept
}

// session is the last request of one client that was applied, and its outcome, so that a
// copy of it applied later is answered the same way.
type session struct {
	MsgID uint64 `json:"id"`
	Code  int    `json:"code,omitempty"` // 0: ok; else the Maelstrom error code
	Text  string `json:"text,omitempty"`
}

// stateSnapshot is the encoded replicated state.
type stateSnapshot struct {
	KV       json.RawMessage    `json:"kv"`
	Sessions map[string]session `json:"sessions"`
}

func (s *Server[M]) snapshot() []byte {
	b, err := json.Marshal(stateSnapshot{KV: s.store.Snapshot(), Sessions: s.sessions})
	if err != nil {
		panic(fmt.Sprintf("kvserver: snapshot: %v", err))
	}
	return b
}

func (s *Server[M]) restore(snap *consensus.Snapshot) {
	var st stateSnapshot
	if err := json.Unmarshal(snap.Data, &st); err != nil {
		panic(fmt.Sprintf("kvserver: %s: undecodable snapshot at %d: %v", s.self, snap.Index, err))
	}
	if err := s.store.Restore(st.KV); err != nil {
		panic(fmt.Sprintf("kvserver: %s: %v", s.self, err))
	}
	if st.Sessions == nil {
		st.Sessions = make(map[string]session)
	}
	s.sessions = st.Sessions
	s.applied = snap.Index
	s.sinceCompact = 0
	s.log.Info("restored snapshot", "index", snap.Index, "keys", s.store.Len())
}

// readOK and writeOK are the reply bodies, with exactly the keys Maelstrom's closed schemas
// allow. They encode themselves: replies are the hot path.
type readOK struct {
	value     json.RawMessage // valid JSON: it comes from the store
	inReplyTo uint64
}

func (r readOK) AppendBody(dst []byte) []byte {
	dst = append(dst, `{"type":"read_ok","value":`...)
	dst = append(dst, r.value...)
	dst = append(dst, `,"in_reply_to":`...)
	dst = strconv.AppendUint(dst, r.inReplyTo, 10)
	return append(dst, '}')
}

type writeOK struct {
	op        kv.Op
	inReplyTo uint64
}

func (w writeOK) AppendBody(dst []byte) []byte {
	dst = append(dst, `{"type":"`...)
	dst = append(dst, w.op...)
	dst = append(dst, `_ok","in_reply_to":`...)
	dst = strconv.AppendUint(dst, w.inReplyTo, 10)
	return append(dst, '}')
}

// outcome maps an update's result to its Maelstrom answer: code 0 (ok) or an error code and
// text.
func outcome(res kv.Result) (code int, text string) {
	switch {
	case res.Err == nil:
		return 0, ""
	case errors.Is(res.Err, kv.ErrKeyNotFound):
		return int(nodes.KeyDoesNotExist), "key does not exist"
	case errors.Is(res.Err, kv.ErrPreconditionFailed):
		return int(nodes.PreconditionFailed), res.Err.Error()
	}
	return int(nodes.MalformedRequest), res.Err.Error()
}

// outcomeBody is the answer to a client for a write's or cas's outcome, or a failed read's.
func outcomeBody(op kv.Op, msgID uint64, code int, text string) any {
	if code == 0 {
		return writeOK{op: op, inReplyTo: msgID}
	}
	return nodes.NewErrorBody(msgID, &nodes.Error{Code: nodes.Code(code), Text: text})
}
