package nodes_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
)

// countingWriter counts output lines without keeping them, and closes done once it has
// counted want of them.
type countingWriter struct {
	lines, want int
	done        chan struct{}
}

func (c *countingWriter) Write(p []byte) (int, error) {
	before := c.lines
	c.lines += bytes.Count(p, []byte{'\n'})
	if before < c.want && c.lines >= c.want {
		close(c.done)
	}
	return len(p), nil
}

// BenchmarkRuntimeSoloKV measures decode -> step -> encode through the whole runtime (reader
// goroutine, event loop, buffered writer) for the one-node kv server: one op is one client
// message in and its reply out, alternating a write of one of 16 keys and a read of it.
//
// Stdin stays open until every request is answered, as a Maelstrom client waits for its
// replies: under this flood the server lets its proposals linger for company (batching), and
// a node whose stdin ends drops what it has not proposed yet, which Maelstrom allows.
func BenchmarkRuntimeSoloKV(b *testing.B) {
	var in bytes.Buffer
	in.WriteString(initLine + "\n")
	for i := range b.N {
		key := i / 2 % 16
		if i%2 == 0 {
			fmt.Fprintf(&in, `{"id":%d,"src":"c%d","dest":"n0","body":{"type":"write","key":%d,"value":%d,"msg_id":%d}}`+"\n", i, i%8, key, i, i+1)
		} else {
			fmt.Fprintf(&in, `{"id":%d,"src":"c%d","dest":"n0","body":{"type":"read","key":%d,"msg_id":%d}}`+"\n", i, i%8, key, i+1)
		}
	}
	out := &countingWriter{want: b.N + 1, done: make(chan struct{})}
	stdin, feed := io.Pipe()
	b.SetBytes(int64(in.Len() / (b.N + 1)))
	b.ResetTimer()
	go func() {
		_, _ = feed.Write(in.Bytes())
		// A lost reply must fail the benchmark, not hang it.
		select {
		case <-out.done:
		case <-time.After(10 * time.Second):
		}
		_ = feed.Close()
	}()
	err := nodes.Run(soloServer(), nodes.Config{Stdin: stdin, Stdout: out, Stderr: io.Discard, Seed: 1})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if out.lines != b.N+1 {
		b.Fatalf("%d replies to %d requests", out.lines-1, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
