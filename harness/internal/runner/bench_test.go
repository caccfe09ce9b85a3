package runner

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/harness/internal/report"
	"github.com/quorumkit/quorumkit/harness/internal/results"
	"github.com/quorumkit/quorumkit/harness/internal/service"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
)

var (
	fixtureOnce sync.Once
	fixtureBin  string
	fixtureErr  error
)

// fixture builds harness/testdata/fixture once per test binary.
func fixture(tb testing.TB) string {
	tb.Helper()
	fixtureOnce.Do(func() {
		dir, err := os.MkdirTemp("", "runner-fixture-")
		if err != nil {
			fixtureErr = err
			return
		}
		_, file, _, _ := runtime.Caller(0)
		src := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "fixture")
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "fixture"), src).CombinedOutput()
		if err != nil {
			fixtureErr = err
			tb.Log(string(out))
		}
		fixtureBin = filepath.Join(dir, "fixture")
	})
	if fixtureErr != nil {
		tb.Fatal(fixtureErr)
	}
	return fixtureBin
}

// TestMain removes the fixture built for the benchmarks.
func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureBin != "" {
		os.RemoveAll(filepath.Dir(fixtureBin))
	}
	os.Exit(code)
}

// startFixture spawns n fixtures in mode behind a fresh network and returns
// the test, torn down (every process killed) when tb ends.
func startFixture(tb testing.TB, mode string, n int) *test {
	tb.Helper()
	bin := fixture(tb)
	clk := clock.NewReal()
	store, err := report.NewStore(tb.TempDir(), "bench", clk.Start())
	if err != nil {
		tb.Fatal(err)
	}
	opts := &Options{Options: results.Options{Args: []string{mode}, Concurrency: 2 * n}, Log: io.Discard}
	for i := range n {
		opts.Nodes = append(opts.Nodes, "n"+strconv.Itoa(i))
	}
	t := &test{opts: opts, clock: clk, store: store, history: history.New(clk), stop: make(chan struct{})}
	// Every message feeds the quorum-witness tracker, as in a real run.
	t.causal = &causality{w: witness.New(opts.Nodes, service.IDs)}
	t.net = net.New(net.Config{Clock: clk, Trace: t.causal})
	for _, id := range opts.Nodes {
		t.net.Register(id)
	}
	t.bin = bin
	t.makeSlots()
	for i, id := range opts.Nodes {
		if err := t.startNode(i, id, "c"+strconv.Itoa(i), false); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Cleanup(t.teardown)
	return t
}

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
