package nodes_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/quorumkit/quorumkit/nodes"
)

// countingWriter counts output lines without keeping them.
type countingWriter struct{ lines int }

func (c *countingWriter) Write(p []byte) (int, error) {
	c.lines += bytes.Count(p, []byte{'\n'})
	return len(p), nil
}

// BenchmarkRuntimeSoloKV measures decode -> step -> encode through the whole runtime (reader
// goroutine, event loop, buffered writer) for the one-node kv server: one op is one client
// message in and its reply out, alternating writes and reads over 16 keys.
func BenchmarkRuntimeSoloKV(b *testing.B) {
	var in bytes.Buffer
	in.WriteString(initLine + "\n")
	for i := range b.N {
		if i%2 == 0 {
			fmt.Fprintf(&in, `{"id":%d,"src":"c%d","dest":"n0","body":{"type":"write","key":%d,"value":%d,"msg_id":%d}}`+"\n", i, i%8, i%16, i, i+1)
		} else {
			fmt.Fprintf(&in, `{"id":%d,"src":"c%d","dest":"n0","body":{"type":"read","key":%d,"msg_id":%d}}`+"\n", i, i%8, i%16, i+1)
		}
	}
	out := &countingWriter{}
	b.SetBytes(int64(in.Len() / (b.N + 1)))
	b.ResetTimer()
	err := nodes.Run(soloServer(), nodes.Config{Stdin: &in, Stdout: out, Stderr: io.Discard, Seed: 1})
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	if out.lines != b.N+1 {
		b.Fatalf("%d replies to %d requests", out.lines-1, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
