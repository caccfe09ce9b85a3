package raft

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDefaultTimingAcrossLatencies runs a 3-node cluster with the default timing for 20
// simulated seconds under Maelstrom's latency distributions (means 0..100 ms) with a steady
// trickle of proposals, and checks that the first leader keeps its place (no spurious
// elections), that proposals keep committing, and that a failover after isolating the leader
// completes well within the client's 1 s timeout where the latency allows it.
func TestDefaultTimingAcrossLatencies(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lat      func(c *cluster) uint64
		failover uint64 // upper bound on isolation -> a new leader committed its no-op, in ticks
	}{
		{"constant-0", func(*cluster) uint64 { return 0 }, 1000},
		{"constant-10", func(*cluster) uint64 { return 10 }, 1000},
		{"constant-100", func(*cluster) uint64 { return 100 }, 1700},
		{"uniform-100", func(c *cluster) uint64 { return c.rnd.Uint64N(200) }, 2000},
		{"exponential-10", func(c *cluster) uint64 { return uint64(c.rnd.ExpFloat64() * 10) }, 1000},
		{"exponential-100", func(c *cluster) uint64 { return uint64(c.rnd.ExpFloat64() * 100) }, 4000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, 3, 21, func(cfg *Config) { cfg.LeaseReads = true })
			c.latencyFn = func() uint64 { return tc.lat(c) }
			require.True(t, c.runUntil(5000, func() bool { return c.stableLeader() != "" }))
			l := c.stableLeader()
			term := c.node(l).Term()
			proposed := 0
			for range 20000 {
				c.step()
				if c.now%10 == 0 && c.node(l).Propose([]byte(fmt.Sprint(c.now))) {
					proposed++
				}
			}
			require.Equal(t, l, c.leader(), "no spurious election")
			require.Equal(t, term, c.node(l).Term())
			require.Greater(t, c.node(l).CommitIndex(), uint64(proposed-100))
			timeouts := []int{}
			for _, id := range c.ids {
				timeouts = append(timeouts, c.node(id).ElectionTimeout())
			}

			c.isolate(l)
			cut := c.now
			require.True(t, c.runUntil(10000, func() bool {
				nl := c.leader()
				return nl != "" && nl != l && c.node(nl).ownTermCommitted()
			}))
			t.Logf("election timeouts %v; failover took %d ticks", timeouts, c.now-cut)
			require.Less(t, c.now-cut, tc.failover)
		})
	}
}

// TestAdaptiveTimeoutOnlyRises: the measured timeout never drops below the floor and follows
// the round trip upward.
func TestAdaptiveTimeoutOnlyRises(t *testing.T) {
	c := newCluster(t, 3, 22, nil)
	c.latencyFn = func() uint64 { return 1 }
	require.True(t, c.runUntil(3000, func() bool { return c.stableLeader() != "" }))
	c.run(2000)
	for _, id := range c.ids {
		require.Equal(t, DefaultElectionTicks, c.node(id).ElectionTimeout(), id)
	}
	c.latencyFn = func() uint64 { return uint64(c.rnd.ExpFloat64() * 100) }
	c.run(1000)
	// The timeout follows a noisy estimate (and a follower takes it from whichever append or
	// heartbeat arrived last), so it may touch the floor at moments: most samples are above.
	above := map[string]int{}
	for range 40 {
		c.run(100)
		for _, id := range c.ids {
			et := c.node(id).ElectionTimeout()
			if et > DefaultElectionTicks {
				above[id]++
			}
			require.LessOrEqual(t, et, DefaultMaxElectionTicksFactor*DefaultElectionTicks, id)
		}
	}
	for _, id := range c.ids {
		require.Greater(t, above[id], 20, "%s: %d of 40 samples above the floor", id, above[id])
	}
}
