package simnet

import (
	"fmt"
	"testing"
)

// benchMsg is the size of a consensus message (a raft.Message is about 180 bytes).
type benchMsg struct {
	kind           uint8
	from, to       string
	term, index    uint64
	logTerm, commt uint64
	entries        []byte
	pad            [96]byte
}

// BenchmarkSendDeliver is the cost of one message through the network, sent and delivered,
// with a steady number of messages in flight (10 sent per millisecond, so the queue holds
// about 10 x the mean latency), perfect or under a swarm fault model. One op is one message.
func BenchmarkSendDeliver(b *testing.B) {
	for _, tc := range []struct {
		name string
		f    Faults
	}{
		{"perfect/inflight=10", Faults{Latency: Latency{Dist: Constant, Mean: 1}}},
		{"uniform/inflight=1000", Faults{Latency: Latency{Dist: Uniform, Max: 199}}},
		{"exponential/inflight=1000", Faults{Latency: Latency{Dist: Exponential, Mean: 100}}},
		{"swarm", Swarm(seeded(7), 300)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			n := New[benchMsg](five, seeded(1), tc.f)
			delivered := 0
			n.Deliver = func(*Envelope[benchMsg]) { delivered++ }
			m := benchMsg{kind: 1, term: 3, index: 9}
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				n.Send(five[i%5], five[(i+1)%5], m)
				i++
				if i%10 == 0 {
					n.Step()
				}
			}
			b.ReportMetric(float64(delivered)/float64(b.N), "delivered/op")
			if testing.Verbose() {
				b.Log(fmt.Sprintf("%s: %d in flight", tc.f, n.Len()))
			}
		})
	}
}
