package raft

import (
	"github.com/quorumkit/quorumkit/nodes/consensus"

	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/simnet"
)

// TestDefaultTimingAcrossLatencies runs a 3-node cluster with the default timing for 20
// simulated seconds under Maelstrom's latency distributions (means 0..100 ms) with a steady
// trickle of proposals, and checks that the first leader keeps its place (no spurious
// elections), that proposals keep committing, and that a failover after isolating the leader
// completes well within the client's 1 s timeout where the latency allows it.
func TestDefaultTimingAcrossLatencies(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lat      simnet.Latency
		failover uint64 // upper bound on isolation -> a new leader committed its no-op, in ticks
	}{
		{"constant-0", maelstrom("constant", 0), 1000},
		{"constant-10", maelstrom("constant", 10), 1000},
		{"constant-100", maelstrom("constant", 100), 1700},
		{"uniform-100", maelstrom("uniform", 100), 2000},
		{"exponential-10", maelstrom("exponential", 10), 1000},
		{"exponential-100", maelstrom("exponential", 100), 4000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, 3, 21, func(cfg *config) { cfg.LeaseReads = true })
			c.net.Faults.Latency = tc.lat
			require.True(t, c.runUntil(5000, func() bool { return c.stableLeader() != "" }))
			l := c.stableLeader()
			term := c.node(l).term
			proposed := 0
			for range 20000 {
				c.step()
				if c.now()%10 == 0 && c.node(l).Propose([]byte(fmt.Sprint(c.now()))) {
					proposed++
				}
			}
			require.Equal(t, l, c.leader(), "no spurious election")
			require.Equal(t, term, c.node(l).term)
			require.Greater(t, c.node(l).log.committed, uint64(proposed-100))
			timeouts := []int{}
			for _, id := range c.ids {
				timeouts = append(timeouts, c.node(id).electionTimeout)
			}

			c.isolate(l)
			cut := c.now()
			require.True(t, c.runUntil(10000, func() bool {
				nl := c.leader()
				return nl != "" && nl != l && c.node(nl).ownTermCommitted()
			}))
			t.Logf("election timeouts %v; failover took %d ticks", timeouts, c.now()-cut)
			require.Less(t, c.now()-cut, tc.failover)
		})
	}
}

// TestAdaptiveTimeoutOnlyRises: the measured timeout never drops below the floor and follows
// the round trip upward.
func TestAdaptiveTimeoutOnlyRises(t *testing.T) {
	c := newCluster(t, 3, 22, nil)
	c.net.Faults.Latency = constantLatency(1)
	require.True(t, c.runUntil(3000, func() bool { return c.stableLeader() != "" }))
	c.run(2000)
	for _, id := range c.ids {
		require.Equal(t, defaultElectionTicks, c.node(id).electionTimeout, id)
	}
	c.net.Faults.Latency = maelstrom("exponential", 100)
	c.run(1000)
	// The timeout follows a noisy estimate (and a follower takes it from whichever append or
	// heartbeat arrived last), so it may touch the floor at moments: most samples are above.
	above := map[string]int{}
	for range 40 {
		c.run(100)
		for _, id := range c.ids {
			et := c.node(id).electionTimeout
			if et > defaultElectionTicks {
				above[id]++
			}
			require.LessOrEqual(t, et, consensus.DefaultTiming.MaxElectionTicks, id)
		}
	}
	for _, id := range c.ids {
		require.Greater(t, above[id], 20, "%s: %d of 40 samples above the floor", id, above[id])
	}
}

// maelstrom is the latency Maelstrom draws for --latency-dist dist and --latency mean.
func maelstrom(dist string, mean float64) simnet.Latency {
	l, err := simnet.Maelstrom(dist, mean)
	if err != nil {
		panic(err)
	}
	return l
}
