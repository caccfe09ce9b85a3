package net

import (
	"encoding/json"
	"testing"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
)

// BenchmarkParseLine is the per-message parsing cost of routing.
func BenchmarkParseLine(b *testing.B) {
	line := []byte(`{"src":"n0","dest":"n1","body":{"type":"append_entries","term":3,"entries":[{"k":1,"v":[1,2]}],"msg_id":12}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLine(line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSendRecv is one message through a delay queue at latency 0,
// without processes.
func BenchmarkSendRecv(b *testing.B) {
	n := New(Config{Clock: clock.NewReal()})
	n.Register("n0")
	ib := n.Register("n1")
	body := json.RawMessage(`{"type":"x"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := n.Send(Message{Src: "n0", Dest: "n1", Body: body}); err != nil {
			b.Fatal(err)
		}
		if _, err := ib.Recv(nil, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
