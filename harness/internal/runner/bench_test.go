package runner

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/net"
)

// BenchmarkRouting measures how many node-to-node messages per second the
// harness routes: K bounce messages circulate between two echo fixtures,
// each hop being parsed from a node's stdout, queued, and written to the
// other node's stdin.
func BenchmarkRouting(b *testing.B) {
	t := startFixture(b, "echo", 2)
	t.net.Register("c100")
	const inFlight = 256
	start := t.net.Stats().Servers.SendCount
	for range inFlight {
		if _, err := t.net.Send(net.Message{Src: "c100", Dest: "n0", Body: json.RawMessage(`{"type":"bounce","ttl":1}`)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	began := time.Now()
	for t.net.Stats().Servers.SendCount-start < int64(b.N) {
		time.Sleep(time.Millisecond)
	}
	elapsed := time.Since(began)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// BenchmarkHopLatency measures a client's round trip to an echo fixture at
// latency 0: two hops through the harness plus the node's own work. The
// added per-hop figure is half the round trip.
func BenchmarkHopLatency(b *testing.B) {
	t := startFixture(b, "echo", 1)
	inbox := t.net.Register("c100")
	body := []byte(`{"type":"echo","value":1,"msg_id":`)
	b.ResetTimer()
	for i := range b.N {
		msg := append(append([]byte(nil), body...), strconv.Itoa(i+1)+"}"...)
		if _, err := t.net.Send(net.Message{Src: "c100", Dest: "n0", Body: msg}); err != nil {
			b.Fatal(err)
		}
		if _, err := inbox.Recv(nil, time.After(time.Second), nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/2, "us/hop")
}
