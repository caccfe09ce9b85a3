package kvserver

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// peerLine is a core message from src to dest with the given deaf list.
func peerLine(t *testing.T, src, dest string, n int, deaf ...string) string {
	t.Helper()
	line, err := nodes.AppendLine(nil, src, nodes.Outgoing{Dest: dest, Body: peerBody[fakeMsg]{Type: "fake", M: fakeMsg{N: n}, Deaf: deaf}})
	require.NoError(t, err)
	return string(line)
}

func TestMessagesGoRoundAPeerThatCannotHearUs(t *testing.T) {
	ts := newTestServer(t, "n0", "n0", 0)
	ts.now = 200 * time.Millisecond
	// n1 has heard nothing from n0 (the link n0 -> n1 is cut); n1 -> n0 works.
	require.Empty(t, ts.deliver(peerLine(t, "n1", "n0", 1, "n0", "n2")))
	ts.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n1", N: 7}, {To: "n2", N: 8}}})
	out := ts.idle(nil)
	direct := map[string]any{"type": "fake", "m": map[string]any{"n": 7.0}} // n2 never heard of: not named
	require.Equal(t, []sent{
		{"n1", direct},
		{"n2", map[string]any{"type": "relay", "from": "n0", "to": "n1", "body": direct}},
		{"n2", map[string]any{"type": "fake", "m": map[string]any{"n": 8.0}}},
	}, out, "to n1 directly and by way of n2; to n2 only directly")

	// Without another notice, the relaying stops after RelayFor.
	ts.now += DefaultRelayFor
	ts.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n1", N: 9}}})
	out = ts.idle(nil)
	require.Len(t, out, 1)
	require.Equal(t, "n1", out[0].Dest)
}

func TestRelaysArePassedOnOnceAndHandledAsFromTheirSender(t *testing.T) {
	inner := `{"type":"fake","m":{"n":5},"deaf":["n0"]}`
	wrapper := func(src, dest string) string {
		return fmt.Sprintf(`{"src":%q,"dest":%q,"body":{"type":"relay","from":"n1","to":"n0","deaf":["n0"],"body":%s}}`, src, dest, inner)
	}
	// n2, in the middle, passes the wrapper on unchanged to n0, and nothing else.
	mid := newTestServer(t, "n2", "n0", 0)
	out := mid.deliver(wrapper("n1", "n2"))
	require.Len(t, out, 1)
	require.Equal(t, "n0", out[0].Dest)
	require.Equal(t, "relay", out[0].Body["type"])
	require.Equal(t, "n0", out[0].Body["to"])
	require.Empty(t, mid.core.stepped, "not for n2's core")

	// n0 steps the body as n1's message, once however many copies come, and from now on
	// relays to n1 (n1 cannot hear it).
	end := newTestServer(t, "n0", "n0", 0)
	end.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n1", N: 4}}})
	require.Len(t, end.idle(nil), 1) // sent to n1 at 0
	end.now = 200 * time.Millisecond
	require.Empty(t, end.deliver(wrapper("n2", "n0")))
	require.Empty(t, end.deliver(wrapper("n2", "n0")))
	require.Equal(t, []fakeMsg{{N: 5}}, end.core.stepped)
	require.Equal(t, []string{"n1"}, end.srv.links.deafList(end.now), "a relayed message is no direct answer: n1 is still named")
	// While n1 relays, a body that came directly is not handled again when its copy comes round.
	direct := peerLine(t, "n1", "n0", 6, "n0")
	require.Empty(t, end.deliver(direct))
	msg, err := nodes.ParseMessage([]byte(direct))
	require.NoError(t, err)
	require.Empty(t, end.deliver(fmt.Sprintf(`{"src":"n2","dest":"n0","body":{"type":"relay","from":"n1","to":"n0","body":%s}}`, msg.Body)))
	require.Equal(t, []fakeMsg{{N: 5}, {N: 6}}, end.core.stepped)
	end.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n1", N: 6}}})
	out = end.idle(nil)
	require.Len(t, out, 2)
	require.Equal(t, "n2", out[1].Dest)
	require.Equal(t, "relay", out[1].Body["type"])

	// Wrappers that name no valid peers, or nest, are refused.
	for _, bad := range []string{
		`{"src":"n1","dest":"n0","body":{"type":"relay","from":"n9","to":"n0","body":{"type":"fake","m":{"n":1}}}}`,
		`{"src":"n1","dest":"n0","body":{"type":"relay","from":"n1","to":"n0"}}`,
		`{"src":"n1","dest":"n0","body":{"type":"relay","from":"n1","to":"n0","body":{"type":"relay","from":"n1","to":"n0","body":{}}}}`,
	} {
		msg, err := nodes.ParseMessage([]byte(bad))
		require.NoError(t, err)
		require.Error(t, end.srv.Handle(end.now, msg, &nodes.Outbox{}), bad)
	}
}

func TestNoRelayingWhenEveryoneHearsTheLeader(t *testing.T) {
	// Followers never hear each other, so each names the other as unheard; that reaches only
	// the leader, which is not named, so nothing is relayed.
	l := newTestServer(t, "n0", "n0", 0)
	for ms := 0; ms < 1000; ms += 50 {
		l.now = time.Duration(ms) * time.Millisecond
		l.deliver(peerLine(t, "n1", "n0", 1, "n2"))
		l.deliver(peerLine(t, "n2", "n0", 1, "n1"))
		l.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n1", N: 2}, {To: "n2", N: 2}}})
		for _, o := range l.idle(nil) {
			require.Equal(t, "fake", o.Body["type"])
			require.NotContains(t, o.Body, "deaf", "the leader hears everyone")
		}
	}
	require.Empty(t, l.srv.links.recent, "nobody relays, so no body was hashed")
}

func TestOnlyPeersThatLeaveUsUnansweredAreNamed(t *testing.T) {
	ts := newTestServer(t, "n1", "", 0)
	send := func() map[string]any {
		ts.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n0", N: 1}, {To: "n2", N: 1}}})
		out := ts.idle(nil)
		require.Len(t, out, 2)
		return out[0].Body
	}
	// A candidate long after the start: it sent its peers nothing before, so its vote
	// requests name nobody, although it has not heard from n2 for 5 s.
	ts.now = 5 * time.Second
	require.NotContains(t, send(), "deaf")
	// n2 answers, n0 does not: after DeafAfter only n0 is named.
	ts.now += 50 * time.Millisecond
	ts.deliver(peerLine(t, "n2", "n1", 2))
	ts.now += DefaultDeafAfter
	send()
	require.Equal(t, []any{"n0"}, send()["deaf"])
	// n0 answers at last: nobody is named.
	ts.deliver(peerLine(t, "n0", "n1", 3))
	require.NotContains(t, send(), "deaf")
}
