package kvserver

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// TestNoAnswerToClientsThatGaveUpDuringAPause: a write taken before a 2 s pause commits after
// it, and its client, who gave up after 1 s and may be gone, gets no reply; the same write
// without a pause, committed 1.5 s later on a node that kept ticking, is answered.
func TestNoAnswerToClientsThatGaveUpDuringAPause(t *testing.T) {
	for _, paused := range []bool{false, true} {
		ts := newTestServer(t, "n0", "n0", 0)
		require.Empty(t, ts.deliver(clientReq("c1", 1, `"type":"write","key":1,"value":5`)))
		require.Len(t, ts.core.proposed, 1)
		if !paused {
			for ts.now < 1500*time.Millisecond {
				ts.now += 100 * time.Millisecond
				ts.srv.Tick(ts.now, &nodes.Outbox{})
			}
		} else {
			ts.now = 2 * time.Second
		}
		ts.core.queue(consensus.Ready[fakeMsg]{Committed: commit(1, ts.core.proposed...)})
		out := ts.idle(nil)
		require.EqualValues(t, 1, ts.srv.state.applied, "the write applies either way")
		if paused {
			require.Empty(t, out, "no reply to a client that gave up during the pause")
		} else {
			require.Len(t, out, 1)
			require.Equal(t, "write_ok", out[0].Body["type"])
		}
	}
}
