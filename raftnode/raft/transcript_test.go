package raft

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the golden transcripts in testdata/")

// TestTranscripts replays short scenarios and compares every delivered message, in Describe
// form, with the golden files in testdata/. They document the protocol's exchanges; after an
// intended change, regenerate them with go test ./raftnode/raft -run TestTranscripts -rewrite
// and read the diff.
func TestTranscripts(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(c *cluster, note func(string))
	}{
		{"election-and-propose", func(c *cluster, note func(string)) {
			note("n0 campaigns: pre-vote, vote, then its no-op goes out as a probe")
			c.elect("n0")
			note("two proposals in one burst: one append per follower")
			c.node("n0").Propose([]byte("a"))
			c.node("n0").Propose([]byte("b"))
			c.stabilize()
			note("a read: one heartbeat round confirms leadership")
			c.read("n0")
			c.stabilize()
		}},
		{"stale-leader", func(c *cluster, note func(string)) {
			c.elect("n0")
			c.isolate("n0")
			c.expireLeases("n1", "n2")
			note("n1 wins term 2 while n0 is cut off")
			c.elect("n1")
			c.heal()
			note("n0 still believes it leads; its append is answered with term 2 and it steps down")
			c.node("n0").Propose([]byte("stale"))
			c.stabilize()
			note("n1's next round repairs n0's log")
			c.run(defaultHeartbeatTicks)
			c.stabilize()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCluster(t, 3, 42, nil)
			var lines []string
			c.recording = &lines
			tc.run(c, func(s string) { lines = append(lines, "# "+s) })
			got := strings.Join(lines, "\n") + "\n"
			path := filepath.Join("testdata", tc.name+".txt")
			if *rewrite {
				require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			require.Equal(t, string(want), got)
		})
	}
}
