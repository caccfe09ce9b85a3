package runner

import (
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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

// TestMain removes the fixture built for the tests and benchmarks.
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

// echoClient sends echo requests to one node and gathers the replies.
type echoClient struct {
	t     *testing.T
	net   *net.Network
	id    string
	inbox *net.Inbox
}

func newEchoClient(t *testing.T, nw *net.Network, id string) *echoClient {
	return &echoClient{t: t, net: nw, id: id, inbox: nw.Register(id)}
}

// send sends echo requests with msg_ids from..to-1 to node.
func (c *echoClient) send(node string, from, to int) {
	c.t.Helper()
	for i := from; i < to; i++ {
		body := `{"type":"echo","value":"` + strings.Repeat("x", 64) + `","msg_id":` + strconv.Itoa(i) + `}`
		_, err := c.net.Send(net.Message{Src: c.id, Dest: node, Body: json.RawMessage(body)})
		require.NoError(c.t, err)
	}
}

// replies gathers the in_reply_to of every echo_ok that arrives within d,
// or until want have arrived.
func (c *echoClient) replies(d time.Duration, want int) map[int]bool {
	got := map[int]bool{}
	deadline := time.After(d)
	for len(got) < want {
		m, err := c.inbox.Recv(nil, deadline, nil)
		if err != nil {
			break
		}
		var b struct {
			Type      string `json:"type"`
			InReplyTo int    `json:"in_reply_to"`
		}
		require.NoError(c.t, json.Unmarshal(m.Body, &b))
		if b.Type == "echo_ok" {
			got[b.InReplyTo] = true
		}
	}
	return got
}

// startEcho starts n echo fixtures and returns the test and its nodes as the nemesis acts on
// them.
func startEcho(t *testing.T, n int) (*test, nodeProcesses) {
	tt := startFixture(t, "echo", n)
	return tt, nodeProcesses{tt}
}
