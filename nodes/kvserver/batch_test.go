package kvserver

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// busyConfig lingers from the first request on: the arrival threshold is one per window.

func TestForwardsLeaveTogetherUnderLoad(t *testing.T) {
	ts := newTestServerWith(t, "n1", "n0", busyConfig())
	ts.now = time.Second
	for i, c := range []string{"c2", "c3", "c4"} {
		require.Empty(t, ts.deliver(clientReq(c, 1, `"type":"read","key":0`)), "request %d waits for company", i)
		ts.now += 2 * time.Millisecond
	}
	ts.now = time.Second + 9*time.Millisecond
	require.Empty(t, ts.idle(nil))
	ts.now = time.Second + 10*time.Millisecond
	out := ts.idle(nil)
	require.Len(t, out, 1, "all leave once the oldest waited BatchDelay")
	require.Equal(t, "n0", out[0].Dest)
	var clients []string
	for _, r := range out[0].Body["reqs"].([]any) {
		clients = append(clients, r.(map[string]any)["client"].(string))
	}
	require.Equal(t, []string{"c2", "c3", "c4"}, clients)
}

func TestProposalsLeaveTogetherUnderLoad(t *testing.T) {
	ts := newTestServerWith(t, "n0", "n0", busyConfig())
	ts.now = time.Second
	ts.deliver(clientReq("c1", 1, `"type":"write","key":0,"value":1`))
	require.Len(t, ts.core.proposed, 1)
	ts.now += 3 * time.Millisecond
	ts.deliver(clientReq("c2", 1, `"type":"cas","key":0,"from":1,"to":2`))
	ts.deliver(forwardLine("c3", 1, `{"type":"write","key":0,"value":3,"msg_id":1}`))
	require.Len(t, ts.core.proposed, 1, "held for BatchDelay")

	// The node loses leadership while they wait: they were in no log, so they are forwarded
	// (a write from the client directly may still fail definitely later).
	ts.core.leader = "n2"
	ts.now += 7 * time.Millisecond
	require.Empty(t, ts.idle(nil), "forwards wait in their turn")
	require.Len(t, ts.core.proposed, 1)
	ts.now += 10 * time.Millisecond
	out := ts.idle(nil)
	require.Len(t, out, 1)
	require.Equal(t, "n2", out[0].Dest)
	reqs := out[0].Body["reqs"].([]any)
	require.Len(t, reqs, 2)
	require.Equal(t, map[string]any{"client": "c2", "hops": 1.0, "req": map[string]any{"type": "cas", "key": 0.0, "from": 1.0, "to": 2.0, "msg_id": 1.0}}, reqs[0])
	require.Equal(t, "c3", reqs[1].(map[string]any)["client"])
	require.Equal(t, 2.0, reqs[1].(map[string]any)["hops"], "a forwarded request counts its hops on")
}

func TestNoLingeringWhenLightlyLoaded(t *testing.T) {
	ts := newTestServer(t, "n1", "n0", 0) // the defaults: linger above 150 requests/s
	for i := range 30 {
		ts.now += 20 * time.Millisecond // 50 requests/s
		require.Len(t, ts.deliver(clientReq("c1", i+1, `"type":"read","key":0`)), 1, "request %d left at once", i)
	}
	for i := range 30 {
		ts.now += time.Millisecond // 1000/s: lingering starts within a window
		ts.deliver(clientReq("c2", i+1, `"type":"read","key":0`))
	}
	require.NotZero(t, ts.srv.forwards.len(), "under load requests wait for company")
	ts.now += DefaultBatchDelay
	require.Len(t, ts.idle(nil), 1)
	require.Empty(t, ts.srv.forwards.reqs)
}

func TestForwardsRideOnCoreMessagesToTheLeader(t *testing.T) {
	cfg := busyConfig()
	cfg.DeafAfter = -1 // n1 heard nobody for a second: no deaf list here
	f := newTestServerWith(t, "n1", "n0", cfg)
	f.now = time.Second
	require.Empty(t, f.deliver(clientReq("c2", 1, `"type":"write","key":0,"value":2`)), "waits for company")

	// The core answers the leader (an append's ack, say): the request goes with it.
	f.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n2", N: 1}, {To: "n0", N: 2}}})
	out := f.idle(nil)
	require.Len(t, out, 2)
	require.Equal(t, map[string]any{"type": "fake", "m": map[string]any{"n": 1.0}}, out[0].Body, "nothing rides to a follower")
	require.Equal(t, "n0", out[1].Dest)
	require.Equal(t, []any{map[string]any{"client": "c2", "hops": 1.0, "req": map[string]any{"type": "write", "key": 0.0, "value": 2.0, "msg_id": 1.0}}}, out[1].Body["reqs"])
	f.now += 2 * DefaultBatchDelay // past any batch delay, well short of a pause
	require.Empty(t, f.idle(nil), "and is not sent again")

	// The leader steps the core message and serves what rides on it.
	l := newTestServer(t, "n0", "n0", 0)
	line, err := nodes.AppendLine(nil, "n1", nodes.Outgoing{Dest: "n0", Body: peerBody[fakeMsg]{Type: "fake", M: fakeMsg{N: 2}, Reqs: json.RawMessage(`[{"client":"c2","hops":1,"req":{"type":"write","key":0,"value":2,"msg_id":1}}]`)}})
	require.NoError(t, err)
	require.Empty(t, l.deliver(string(line)))
	require.Equal(t, []fakeMsg{{N: 2}}, l.core.stepped)
	require.Len(t, l.core.proposed, 1)
	require.Contains(t, string(l.core.proposed[0]), `"c":"c2"`)
}

func TestAFullBatchLeavesAtOnce(t *testing.T) {
	cfg := busyConfig()
	cfg.BatchSize = 3
	ts := newTestServerWith(t, "n0", "n0", cfg)
	ts.now = time.Second
	ts.deliver(clientReq("c0", 1, `"type":"write","key":0,"value":0`))
	require.Len(t, ts.core.proposed, 1, "the first after a quiet spell goes at once")
	ts.now += time.Millisecond
	for i, c := range []string{"c1", "c2"} {
		ts.deliver(clientReq(c, 1, `"type":"write","key":0,"value":1`))
		require.Len(t, ts.core.proposed, 1, "request %d waits", i)
	}
	ts.deliver(clientReq("c3", 1, `"type":"write","key":0,"value":1`))
	require.Len(t, ts.core.proposed, 4, "the third waiting request fills the batch: no need to wait for BatchDelay")
}
