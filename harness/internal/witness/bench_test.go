package witness

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// benchTraffic is a cluster's traffic in the shape of a leader-based node
// under load: the leader sends to every follower and each answers, every
// 20th message is a client request at a random node, and every request is
// judged by its client when it sends its next one. Messages are delivered
// out of order from a pool of up to 64 in flight.
func benchTraffic(b *testing.B, n int) {
	var ids []string
	for i := range n {
		ids = append(ids, "n"+strconv.Itoa(i))
	}
	w := New(ids, []string{"lin-kv", "seq-kv", "lww-kv", "lin-tso"})
	clients := make([]string, 2*n)
	for i := range clients {
		clients[i] = "c" + strconv.Itoa(n+i)
	}
	bodies := make([][]byte, 1<<10)
	for i := range bodies {
		bodies[i] = []byte(`{"type":"write","key":3,"value":4,"msg_id":` + strconv.Itoa(i+1) + `}`)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type inFlight struct {
		src, dest string
		stamp     Stamp
	}
	var pool []inFlight
	judged := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%20 == 0 {
			// Each client judges its previous request, 20 x len(clients)
			// messages after it arrived, then sends the next.
			round, c := i/20/len(clients), clients[(i/20)%len(clients)]
			if round > 0 && w.Judge(c, int64((round-1)%len(bodies)+1), ids[0], w.Sent(ids[0])).Witnessed {
				judged++
			}
			w.Delivered(ids[rng.IntN(n)], c, Stamp{}, bodies[round%len(bodies)])
		}
		var src, dest string
		if k := rng.IntN(n - 1); i%2 == 0 {
			src, dest = ids[0], ids[1+k]
		} else {
			src, dest = ids[1+k], ids[0]
		}
		pool = append(pool, inFlight{src, dest, w.Sent(src)})
		if len(pool) >= 64 || i == b.N-1 {
			for range len(pool) / 2 {
				k := rng.IntN(len(pool))
				m := pool[k]
				pool[k] = pool[len(pool)-1]
				pool = pool[:len(pool)-1]
				w.Delivered(m.dest, m.src, m.stamp, nil)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/msg")
	if b.N > 1000 && judged == 0 {
		b.Fatal("no request was ever witnessed: the traffic exercises nothing")
	}
}

// BenchmarkTracker3 and BenchmarkTracker5 are the tracker's cost per routed
// message (one Sent and one Delivered, plus the share of requests and
// verdicts), for 3 and 5 nodes.
func BenchmarkTracker3(b *testing.B) { benchTraffic(b, 3) }
func BenchmarkTracker5(b *testing.B) { benchTraffic(b, 5) }
