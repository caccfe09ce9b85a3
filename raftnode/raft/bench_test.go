package raft

import (
	"fmt"
	"testing"
)

// BenchmarkCommit measures a 3-node in-memory cluster (no latency, every message delivered)
// committing proposals that arrive in bursts of the given size, as the server's event loop
// would hand them over. It reports entries committed per second (the test network's delivery included) and messages per
// entry; run with go test -bench Commit ./raftnode/raft.
func BenchmarkCommit(b *testing.B) {
	for _, burst := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("burst=%d", burst), func(b *testing.B) {
			c := newCluster(b, 3, 1, nil)
			c.compactEvery = 4096
			c.elect("n0")
			c.bench = true
			l := c.node("n0")
			data := []byte("write k=1 v=1")
			sent := c.net.Stats().Sent
			b.ResetTimer()
			for i := 0; i < b.N; i += burst {
				for range min(burst, b.N-i) {
					if !l.Propose(data) {
						b.Fatal("proposal refused")
					}
				}
				c.stabilize()
			}
			b.StopTimer()
			if got := l.log.committed; got < uint64(b.N) {
				b.Fatalf("committed %d of %d", got, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			b.ReportMetric(float64(c.net.Stats().Sent-sent)/float64(b.N), "msgs/entry")
		})
	}
}
