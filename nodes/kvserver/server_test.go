package kvserver

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/kv"
)

// fakeMsg is the fake core's peer message.
type fakeMsg struct {
	To string `json:"-"`
	N  int    `json:"n"`
}

func (m fakeMsg) Dest() string { return m.To }

// fakeCore is a core whose decisions the test makes: it leads when leader == id, records what
// it is given, and hands over whatever the test queued in next.
type fakeCore struct {
	id, leader string
	ticks      int
	proposed   [][]byte
	readIDs    []uint64
	stepped    []fakeMsg
	compacted  []uint64
	snapshots  [][]byte
	next       consensus.Ready[fakeMsg]
	pending    bool
	// appendTo, when set, is the follower each accepted proposal is appended to, in the
	// next Ready, as a real leader would.
	appendTo string
}

func (c *fakeCore) Tick()                             { c.ticks++ }
func (c *fakeCore) Step(m fakeMsg)                    { c.stepped = append(c.stepped, m) }
func (c *fakeCore) Leader() string                    { return c.leader }
func (c *fakeCore) HasReady() bool                    { return c.pending }
func (c *fakeCore) leads() bool                       { return c.leader == c.id }
func (c *fakeCore) queue(rd consensus.Ready[fakeMsg]) { c.next, c.pending = rd, true }
func (c *fakeCore) Propose(d []byte) bool {
	if c.leads() {
		c.proposed = append(c.proposed, d)
		if c.appendTo != "" {
			c.next.Messages = append(c.next.Messages, fakeMsg{To: c.appendTo, N: len(c.proposed)})
			c.pending = true
		}
	}
	return c.leads()
}
func (c *fakeCore) ReadIndex(id uint64) bool {
	if c.leads() {
		c.readIDs = append(c.readIDs, id)
	}
	return c.leads()
}
func (c *fakeCore) Compact(i uint64, s []byte) {
	c.compacted = append(c.compacted, i)
	c.snapshots = append(c.snapshots, s)
}
func (c *fakeCore) Ready() consensus.Ready[fakeMsg] {
	rd := c.next
	rd.Leader = c.leader
	c.next, c.pending = consensus.Ready[fakeMsg]{}, false
	return rd
}

// testServer is one server over a fake core, driven by hand.
type testServer struct {
	t    *testing.T
	srv  *Server[fakeMsg]
	core *fakeCore
	now  time.Duration
}

func newTestServer(t *testing.T, id, leader string, compactEvery int) *testServer {
	return newTestServerWith(t, id, leader, Config[fakeMsg]{CompactEvery: compactEvery})
}

// newTestServerWith builds the server from cfg, with the fake core.
func newTestServerWith(t *testing.T, id, leader string, cfg Config[fakeMsg]) *testServer {
	ts := &testServer{t: t}
	cfg.Kind = "fake"
	cfg.NewCore = func(init nodes.Init, _ *consensus.Recovered) consensus.Core[fakeMsg] {
		ts.core = &fakeCore{id: init.NodeID, leader: leader}
		return ts.core
	}
	ts.srv = New(cfg)
	var out nodes.Outbox
	ts.srv.Init(0, nodes.Init{NodeID: id, NodeIDs: []string{"n0", "n1", "n2"}, Rand: rand.New(rand.NewPCG(1, 2))}, &out)
	return ts
}

// sent is one outgoing message, with its body encoded as on the wire.
type sent struct {
	Dest string
	Body map[string]any
}

// deliver hands the server one line and then lets it go idle; it returns everything sent.
func (ts *testServer) deliver(line string) []sent {
	ts.t.Helper()
	return deliverTo(ts.t, ts.srv, ts.now, line)
}

// wait lets d pass on a node that keeps ticking (in steps well under pauseGap), so that a test
// of a time limit is not a test of the pause rule, which drops old work after a long silence.
func (ts *testServer) wait(d time.Duration) {
	for end := ts.now + d; ts.now < end; {
		ts.now = min(ts.now+100*time.Millisecond, end)
		ts.srv.Tick(ts.now, &nodes.Outbox{})
	}
}

func (ts *testServer) idle(out *nodes.Outbox) []sent {
	ts.t.Helper()
	return idleAt(ts.t, ts.srv, ts.now, out)
}

// deliverTo hands srv one line at now and then lets it go idle; it returns everything sent.
func deliverTo[M consensus.Message](t *testing.T, srv *Server[M], now time.Duration, line string) []sent {
	t.Helper()
	msg, err := nodes.ParseMessage([]byte(line))
	require.NoError(t, err)
	var out nodes.Outbox
	if err := srv.Handle(now, msg, &out); err != nil {
		var e *nodes.Error
		require.ErrorAs(t, err, &e, "only *nodes.Error becomes a reply")
		out.ReplyError(msg, e)
	}
	return idleAt(t, srv, now, &out)
}

// idleAt lets srv go idle at now and returns everything sent, decoded as on the wire.
func idleAt[M consensus.Message](t *testing.T, srv *Server[M], now time.Duration, out *nodes.Outbox) []sent {
	t.Helper()
	if out == nil {
		out = &nodes.Outbox{}
	}
	srv.Idle(now, out)
	var res []sent
	for _, o := range out.Take() {
		line, err := nodes.AppendLine(nil, "x", o)
		require.NoError(t, err)
		m, err := nodes.ParseMessage(line)
		require.NoError(t, err)
		var body map[string]any
		require.NoError(t, json.Unmarshal(m.Body, &body))
		res = append(res, sent{Dest: o.Dest, Body: body})
	}
	return res
}

func clientReq(client string, msgID int, body string) string {
	return fmt.Sprintf(`{"src":%q,"dest":"n0","body":{"msg_id":%d,%s}}`, client, msgID, body)
}

// forwardLine is a forward batch from n1 with one request.
func forwardLine(client string, hops int, req string) string {
	return fmt.Sprintf(`{"src":"n1","dest":"n0","body":{"type":"forward","reqs":[{"client":%q,"hops":%d,"req":%s}]}}`, client, hops, req)
}

func TestFollowerForwardsToLeader(t *testing.T) {
	ts := newTestServer(t, "n0", "n1", 0)
	out := ts.deliver(clientReq("c4", 7, `"type":"write","key":0,"value":3`))
	require.Equal(t, []sent{{"n1", map[string]any{"type": "forward", "reqs": []any{map[string]any{
		"client": "c4", "hops": 1.0, "req": map[string]any{"msg_id": 7.0, "type": "write", "key": 0.0, "value": 3.0},
	}}}}}, out)
	require.Empty(t, ts.core.proposed, "a follower proposes nothing")
}

func TestDefiniteErrorsOnlyWhenCertain(t *testing.T) {
	ts := newTestServer(t, "n0", "", 0)
	for _, tc := range []struct {
		name, line string
		code       float64
	}{
		{"write from the client, no leader: never proposed", clientReq("c4", 1, `"type":"write","key":0,"value":3`), 11},
		{"read from the client, no leader", clientReq("c4", 2, `"type":"read","key":0`), 11},
		{"forwarded write, no leader: a copy may be in a log", forwardLine("c4", 1, `{"type":"cas","key":0,"from":1,"to":2,"msg_id":3}`), 13},
		{"forwarded read, no leader: reads may always fail", forwardLine("c4", 1, `{"type":"read","key":0,"msg_id":4}`), 11},
		{"malformed request", clientReq("c4", 5, `"type":"cas","key":0,"to":2`), 12},
		{"unknown type", clientReq("c4", 6, `"type":"append","key":0`), 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := ts.deliver(tc.line)
			if len(out) == 0 { // parked, waiting for a leader
				ts.now += DefaultParkFor
				out = ts.idle(nil)
			}
			require.Len(t, out, 1)
			require.Equal(t, "c4", out[0].Dest, "errors go to the client, even for a forwarded request")
			require.Equal(t, "error", out[0].Body["type"])
			require.Equal(t, tc.code, out[0].Body["code"])
		})
	}
	require.Empty(t, ts.deliver(`{"src":"c4","dest":"n0","body":{"type":"read_ok","in_reply_to":99}}`), "stray replies are ignored")
}

func TestForwardingIsBounded(t *testing.T) {
	ts := newTestServer(t, "n0", "n2", 0)
	out := ts.deliver(forwardLine("c4", 3, `{"type":"write","key":0,"value":1,"msg_id":4}`))
	require.Len(t, out, 1)
	require.Equal(t, "c4", out[0].Dest)
	require.Equal(t, 13.0, out[0].Body["code"], "a loop of stale leader beliefs ends, indefinitely")
}

// commit queues the leader's proposals as committed entries from index first.
func commit(first uint64, data ...[]byte) []consensus.Entry {
	var es []consensus.Entry
	for i, d := range data {
		es = append(es, consensus.Entry{Index: first + uint64(i), Data: d})
	}
	return es
}

func TestProposerAnswersWhenApplied(t *testing.T) {
	leader := newTestServer(t, "n0", "n0", 0)
	follower := newTestServer(t, "n1", "n0", 0)

	require.Empty(t, leader.deliver(clientReq("c4", 1, `"type":"write","key":0,"value":3`)), "no answer before commit")
	require.Empty(t, leader.deliver(clientReq("c5", 1, `"type":"cas","key":0,"from":3,"to":4`)))
	require.Empty(t, leader.deliver(clientReq("c6", 1, `"type":"cas","key":0,"from":3,"to":5`)))
	require.Len(t, leader.core.proposed, 3)

	entries := append([]consensus.Entry{{Index: 1}}, commit(2, leader.core.proposed...)...) // a no-op first
	leader.core.queue(consensus.Ready[fakeMsg]{Committed: entries})
	out := leader.idle(nil)
	require.Equal(t, []sent{
		{"c4", map[string]any{"type": "write_ok", "in_reply_to": 1.0}},
		{"c5", map[string]any{"type": "cas_ok", "in_reply_to": 1.0}},
		{"c6", map[string]any{"type": "error", "in_reply_to": 1.0, "code": 22.0, "text": "kv: precondition failed: current value 4 is not 3"}},
	}, out)

	follower.core.queue(consensus.Ready[fakeMsg]{Committed: entries})
	require.Empty(t, follower.idle(nil), "only the proposer answers")
	require.Equal(t, leader.srv.state.snapshot(), follower.srv.state.snapshot(), "replicas agree")
}

func TestReadsWaitForTheirIndex(t *testing.T) {
	ts := newTestServer(t, "n0", "n0", 0)
	ts.core.queue(consensus.Ready[fakeMsg]{Committed: commit(1, logCommand{Client: "c1", MsgID: 1, Command: cmdWrite(1)}.encode())})
	ts.idle(nil)

	require.Empty(t, ts.deliver(clientReq("c7", 1, `"type":"read","key":0`)))
	require.Len(t, ts.core.readIDs, 1)
	ts.core.queue(consensus.Ready[fakeMsg]{ReadStates: []consensus.ReadState{{ID: ts.core.readIDs[0], Index: 2}}})
	require.Empty(t, ts.idle(nil), "index 2 is not applied yet")

	ts.core.queue(consensus.Ready[fakeMsg]{Committed: commit(2, logCommand{Client: "c1", MsgID: 2, Command: cmdWrite(2)}.encode())})
	require.Equal(t, []sent{{"c7", map[string]any{"type": "read_ok", "value": 2.0, "in_reply_to": 1.0}}}, ts.idle(nil))

	require.Empty(t, ts.deliver(clientReq("c7", 2, `"type":"read","key":5`)))
	ts.core.queue(consensus.Ready[fakeMsg]{ReadStates: []consensus.ReadState{{ID: ts.core.readIDs[1], Index: 2}}})
	out := ts.idle(nil)
	require.Equal(t, 20.0, out[0].Body["code"], "a missing key is error 20")
}

func TestUnconfirmedReadsFailWhenLeadershipIsLost(t *testing.T) {
	ts := newTestServer(t, "n0", "n0", 0)
	ts.idle(nil)
	require.Empty(t, ts.deliver(clientReq("c7", 1, `"type":"read","key":0`)))
	ts.core.leader = "n2"
	ts.core.queue(consensus.Ready[fakeMsg]{})
	out := ts.idle(nil)
	require.Len(t, out, 1)
	require.Equal(t, "c7", out[0].Dest)
	require.Equal(t, 11.0, out[0].Body["code"])
	require.Empty(t, ts.srv.answers.reads)
}

func TestCompactionAndRestore(t *testing.T) {
	a := newTestServer(t, "n0", "n0", 3)
	var data [][]byte
	for i := 1; i <= 7; i++ {
		data = append(data, logCommand{Client: "c1", MsgID: uint64(i), Command: cmdWrite(i)}.encode())
	}
	a.core.queue(consensus.Ready[fakeMsg]{Committed: commit(1, data...)})
	a.idle(nil)
	require.Equal(t, []uint64{3, 6}, a.core.compacted)

	b := newTestServer(t, "n1", "n0", 3)
	b.core.queue(consensus.Ready[fakeMsg]{Snapshot: &consensus.Snapshot{Index: 6, Data: a.core.snapshots[1]}, Committed: commit(5, data[4:]...)})
	b.idle(nil)
	require.Equal(t, a.srv.state.snapshot(), b.srv.state.snapshot(), "snapshot plus the entries after it give the same state")
	require.EqualValues(t, 7, b.srv.state.applied)
}

// TestASnapshotHoldsTheEntryAtItsIndex: whoever restores the snapshot at index i goes on from
// i+1, so the snapshot must hold entry i's effect (it once was taken just before applying it).
func TestASnapshotHoldsTheEntryAtItsIndex(t *testing.T) {
	ts := newTestServer(t, "n0", "n0", 1)
	for i := 1; i <= 3; i++ {
		ts.core.queue(consensus.Ready[fakeMsg]{Committed: commit(uint64(i), logCommand{Client: "c1", MsgID: uint64(i), Command: cmdWrite(10 * i)}.encode())})
		ts.idle(nil)
		_, state := ts.srv.State()
		require.Equal(t, []uint64{uint64(i)}, ts.core.compacted[i-1:], "a snapshot at every entry")
		require.Equal(t, string(state), string(ts.core.snapshots[i-1]), "the snapshot at %d is the state after applying %d", i, i)
	}
}

func TestCoreMessagesAreAddressedAndDecoded(t *testing.T) {
	ts := newTestServer(t, "n0", "n0", 0)
	ts.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n1", N: 1}, {To: "c9", N: 2}, {To: "n0", N: 3}}})
	out := ts.idle(nil)
	require.Equal(t, []sent{{"n1", map[string]any{"type": "fake", "m": map[string]any{"n": 1.0}}}}, out, "never address an unknown id or ourselves")

	require.Empty(t, ts.deliver(`{"src":"n1","dest":"n0","body":{"type":"fake","m":{"n":5}}}`))
	require.Equal(t, []fakeMsg{{N: 5}}, ts.core.stepped)
}

func TestTicksFollowTime(t *testing.T) {
	ts := newTestServer(t, "n0", "n0", 0)
	var out nodes.Outbox
	ts.srv.Tick(25*time.Millisecond+time.Microsecond, &out)
	require.Equal(t, 25, ts.core.ticks)
	ts.now = 40 * time.Millisecond
	ts.deliver(clientReq("c1", 1, `"type":"read","key":0`))
	require.Equal(t, 40, ts.core.ticks, "every event first ticks for the time that passed")
	ts.srv.Tick(40*time.Millisecond+10*time.Minute, &out)
	require.Equal(t, 40+int(maxCatchUp/time.Millisecond), ts.core.ticks, "a long pause is replayed up to the cap")
}

func cmdWrite(v int) kv.Command {
	return kv.Command{Op: "write", Key: json.RawMessage("0"), Value: json.RawMessage(fmt.Sprint(v))}
}

func TestParkedRequestsGoToTheNextLeader(t *testing.T) {
	ts := newTestServer(t, "n0", "", 0)
	require.Empty(t, ts.deliver(clientReq("c4", 1, `"type":"write","key":0,"value":3`)))
	ts.now += DefaultParkFor / 2
	require.Empty(t, ts.deliver(clientReq("c5", 1, `"type":"read","key":0`)))
	require.Empty(t, ts.idle(nil), "still waiting for an election")

	ts.core.leader = "n2"
	ts.core.queue(consensus.Ready[fakeMsg]{})
	out := ts.idle(nil)
	require.Len(t, out, 1, "one forward carries both")
	require.Equal(t, "n2", out[0].Dest)
	require.Equal(t, "forward", out[0].Body["type"])
	reqs := out[0].Body["reqs"].([]any)
	require.Len(t, reqs, 2)
	for i, client := range []string{"c4", "c5"} {
		require.Equal(t, client, reqs[i].(map[string]any)["client"])
	}

	// A request parked at the node that then wins the election is proposed there, after the
	// write it handed to n2 before (which it has not seen applied) and with the read.
	ts.core.leader = ""
	require.Empty(t, ts.deliver(clientReq("c6", 1, `"type":"write","key":0,"value":4`)))
	ts.core.leader = "n0"
	ts.core.queue(consensus.Ready[fakeMsg]{})
	require.Empty(t, ts.idle(nil))
	require.Len(t, ts.core.proposed, 2)
	require.Contains(t, string(ts.core.proposed[0]), `"c":"c4"`)
	require.Contains(t, string(ts.core.proposed[1]), `"c":"c6"`)
	require.Len(t, ts.core.readIDs, 1, "c5's read")
}

func TestParkedRequestsExpireEvenWithALeader(t *testing.T) {
	ts := newTestServer(t, "n0", "n0", 0)
	ts.core.leader = "n0"
	ts.core.id = "n9" // the core believes n0 leads yet refuses, like a full uncommitted tail
	require.Empty(t, ts.deliver(clientReq("c4", 1, `"type":"write","key":0,"value":3`)))
	require.Empty(t, ts.idle(nil))
	ts.now += DefaultParkFor
	out := ts.idle(nil)
	require.Len(t, out, 1)
	require.Equal(t, 11.0, out[0].Body["code"], "never proposed, so definite")
	require.Empty(t, ts.srv.waiting.parked)
}

func busyConfig() Config[fakeMsg] {
	return Config[fakeMsg]{BatchDelay: 10 * time.Millisecond, BatchRate: 1}
}

func TestMalformedForwardItemsAreSkipped(t *testing.T) {
	ts := newTestServer(t, "n0", "n0", 0)
	out := ts.deliver(`{"src":"n1","dest":"n0","body":{"type":"forward","reqs":[` +
		`{"client":"c1","hops":1,"req":[1]},` + // not an object: skipped
		`{"hops":1,"req":{"type":"write","key":0,"value":1,"msg_id":1}},` + // no client: skipped
		`{"client":"c2","hops":1,"req":{"type":"write","key":0,"msg_id":1}},` + // no value: 12 to c2
		`{"client":"c3","hops":1,"req":{"type":"write","key":0,"value":3,"msg_id":1}}]}}`)
	require.Len(t, out, 1)
	require.Equal(t, "c2", out[0].Dest)
	require.Equal(t, 12.0, out[0].Body["code"])
	require.Len(t, ts.core.proposed, 1)
	require.Contains(t, string(ts.core.proposed[0]), `"c":"c3"`)

	var o nodes.Outbox
	msg, err := nodes.ParseMessage([]byte(`{"src":"n1","dest":"n0","body":{"type":"forward","reqs":{}}}`))
	require.NoError(t, err)
	require.Error(t, ts.srv.Handle(ts.now, msg, &o), "a batch that is not an array is refused")
	require.Zero(t, o.Len())
}

// reqsTo returns the clients of the requests forwarded to dest in out, in order.
func reqsTo(t *testing.T, out []sent, dest string) []string {
	t.Helper()
	var clients []string
	for _, o := range out {
		if o.Dest != dest {
			continue
		}
		require.Equal(t, "forward", o.Body["type"])
		for _, r := range o.Body["reqs"].([]any) {
			clients = append(clients, r.(map[string]any)["client"].(string))
		}
	}
	return clients
}

func TestHandedOffRequestsGoToTheNextLeader(t *testing.T) {
	ts := newTestServer(t, "n1", "n0", 0)
	ts.deliver(clientReq("c4", 1, `"type":"write","key":0,"value":3`))
	ts.deliver(clientReq("c5", 1, `"type":"read","key":0`))
	ts.deliver(clientReq("c6", 1, `"type":"cas","key":0,"from":3,"to":4`))

	// n0 is cut off; n2 wins an election: everything goes to n2 as well.
	ts.now += 400 * time.Millisecond
	ts.core.leader = "n2"
	ts.core.queue(consensus.Ready[fakeMsg]{})
	require.Equal(t, []string{"c4", "c5", "c6"}, reqsTo(t, ts.idle(nil), "n2"))

	// c6's cas is applied here; c4's write is not yet. The next leader gets c4 and the read.
	ts.core.leader = "n0"
	ts.core.queue(consensus.Ready[fakeMsg]{Committed: commit(1, logCommand{Client: "c6", MsgID: 1,
		Command: kv.Command{Op: "cas", Key: json.RawMessage("0"), From: json.RawMessage("3"), To: json.RawMessage("4")}}.encode())})
	require.Equal(t, []string{"c4", "c5"}, reqsTo(t, ts.idle(nil), "n0"))

	// Past RetryFor from their arrival the clients have given up: nothing goes again.
	ts.wait(DefaultRetryFor - 400*time.Millisecond)
	ts.core.leader = "n2"
	ts.core.queue(consensus.Ready[fakeMsg]{})
	require.Empty(t, ts.idle(nil))
	require.Empty(t, ts.srv.waiting.handedOff, "forgotten")
}

func TestACopyIsAnsweredLikeTheFirst(t *testing.T) {
	// n1 has just won an election. The log already holds c5's cas (which succeeds) and c6's
	// (which fails), proposed by n0 before it was cut off: n1 applied them as a follower, so
	// it answered nobody.
	ts := newTestServer(t, "n1", "n1", 0)
	cmd := func(client string, from, to int) []byte {
		return logCommand{Client: client, MsgID: 1, Command: kv.Command{Op: "cas", Key: json.RawMessage("0"),
			From: json.RawMessage(fmt.Sprint(from)), To: json.RawMessage(fmt.Sprint(to))}}.encode()
	}
	ts.core.queue(consensus.Ready[fakeMsg]{Committed: commit(1, logCommand{Client: "c0", MsgID: 1, Command: cmdWrite(3)}.encode(),
		cmd("c5", 3, 4), cmd("c6", 7, 8))})
	require.Empty(t, ts.idle(nil))

	// n2, which had forwarded both to n0, hands them to n1 again; n1 proposes the copies.
	cas := func(from, to int) string {
		return fmt.Sprintf(`{"type":"cas","key":0,"from":%d,"to":%d,"msg_id":1}`, from, to)
	}
	ts.deliver(forwardLine("c5", 1, cas(3, 4)))
	ts.deliver(forwardLine("c6", 1, cas(7, 8)))
	require.Len(t, ts.core.proposed, 2)
	ts.core.queue(consensus.Ready[fakeMsg]{Committed: commit(4, ts.core.proposed...)})
	require.Equal(t, []sent{
		{"c5", map[string]any{"type": "cas_ok", "in_reply_to": 1.0}},
		{"c6", map[string]any{"type": "error", "in_reply_to": 1.0, "code": 22.0, "text": "kv: precondition failed: current value 4 is not 7"}},
	}, ts.idle(nil), "answered as the first copies came out (c5's copy alone would fail: the value is 4)")
	v, err := ts.srv.state.store.Read(json.RawMessage("0"))
	require.NoError(t, err)
	require.Equal(t, "4", string(v), "applied once")
}

func TestARetriedRequestNeverFailsDefinitely(t *testing.T) {
	ts := newTestServer(t, "n1", "n0", 0)
	ts.deliver(clientReq("c4", 1, `"type":"write","key":0,"value":3`))
	// n1 believes it leads, but its core refuses the proposal (a full uncommitted tail, say):
	// the request parks and fails after ParkFor. n0 may have it in its log: 13, not 11.
	ts.core.leader, ts.core.id = "n1", "n9"
	ts.core.queue(consensus.Ready[fakeMsg]{})
	require.Empty(t, ts.idle(nil))
	ts.now += DefaultParkFor
	out := ts.idle(nil)
	require.Len(t, out, 1)
	require.Equal(t, "c4", out[0].Dest)
	require.Equal(t, 13.0, out[0].Body["code"])
}

// TestATurnSendsWhatItProposed: whatever a loop turn hands the core (here a parked request,
// proposed once the node learns it leads) leaves in the same turn, not at the next event.
func TestATurnSendsWhatItProposed(t *testing.T) {
	ts := newTestServer(t, "n0", "", 0)
	ts.core.appendTo = "n1"
	require.Empty(t, ts.deliver(clientReq("c4", 1, `"type":"write","key":0,"value":3`)), "parked")
	ts.core.leader = "n0"
	ts.core.queue(consensus.Ready[fakeMsg]{})
	out := ts.idle(nil)
	require.Len(t, ts.core.proposed, 1)
	require.Equal(t, []sent{{"n1", map[string]any{"type": "fake", "m": map[string]any{"n": 1.0}}}}, out)
	require.False(t, ts.core.HasReady())
}
