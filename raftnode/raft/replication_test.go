package raft

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOneLostAppendWithOneSlot: with a window of one append, a lost append used to freeze the
// follower for as long as new entries kept arriving. Each heartbeat answer freed the slot, the
// next append went out with an empty window and restarted the retransmission clock, and the
// follower's "log too short" rejections were ignored as reordering. The clock now starts only
// when nothing sent is unacknowledged, so the follower is probed again within a retransmission
// timeout.
func TestOneLostAppendWithOneSlot(t *testing.T) {
	c := newCluster(t, 3, 44, func(cfg *config) { cfg.Timing.MaxInflight = 1 })
	c.setLatency(2, 2)
	c.elect("n0")
	l := c.node("n0")
	dropped := false
	c.filter = func(m *Message) bool {
		if !dropped && m.Type == MsgApp && m.To == "n1" && len(m.Entries) > 0 && m.Entries[0].Index > 20 {
			dropped = true
			return false
		}
		return true
	}
	lag := func() uint64 { return l.log.committed - c.sms["n1"].applied }
	worst, repaired := uint64(0), uint64(0)
	for i := range 4000 {
		c.step()
		require.True(t, l.Propose([]byte(fmt.Sprint("v", i))))
		if dropped && repaired == 0 && c.sms["n1"].applied > 30 {
			repaired = c.now()
		}
		if c.now() > 1000 {
			worst = max(worst, lag())
		}
	}
	t.Logf("worst lag after 1 s: %d, repaired at %d", worst, repaired)
	require.True(t, dropped)
	// Within a second of the loss n1 is repaired; from then on it trails the leader's commit by
	// at most the entries of a few round trips.
	require.Less(t, worst, uint64(100), "n1 stopped following: applied %d, leader commit %d (%s)",
		c.sms["n1"].applied, l.log.committed, l.progress("n1"))
}
