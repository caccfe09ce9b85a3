package paxos

import (
	"fmt"
	"testing"
)

// BenchmarkCommit3Nodes measures a 3-node in-memory cluster choosing
// proposals, batch proposals per event-loop iteration; msgs/op counts the
// messages sent per chosen command.
func BenchmarkCommit3Nodes(b *testing.B) {
	for _, batch := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			nw := newNetwork(b, 3, nil)
			for _, r := range nw.nodes {
				r.node.cfg.Logger = nil
			}
			nw.elect("n0")
			data := []byte("write k=1 v=2")
			sent := 0
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				for range min(batch, b.N-i) {
					if !nw.node("n0").Propose(data) {
						b.Fatal("proposal refused")
					}
				}
				// Take every Ready and deliver, until nothing is left to say.
				for first := true; first || nw.net.Len() > 0; first = false {
					nw.deliverAll()
					for _, id := range nw.ids {
						if n := nw.node(id); n.HasReady() {
							rd := n.Ready()
							sent += len(rd.Messages)
							nw.enqueue(rd.Messages)
						}
					}
				}
				if i%4096 < batch {
					applied := nw.node("n0").log.applied
					for _, id := range nw.ids {
						// Compact keeps memory flat, as the server does.
						n := nw.node(id)
						n.Compact(min(applied, n.log.applied), nil)
					}
				}
			}
			b.ReportMetric(float64(sent)/float64(b.N), "msgs/op")
		})
	}
}
