package check

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// at builds an op at ms milliseconds; value is raw JSON ("" for none).
func at(ms float64, process int, typ history.Type, f, value string) history.Op {
	op := history.Op{Type: typ, F: f, Process: process, Time: time.Duration(ms * float64(time.Millisecond))}
	if value != "" {
		op.Value = json.RawMessage(value)
	}
	return op
}

func TestQuantileIsNearestRank(t *testing.T) {
	s := make([]float64, 100)
	for i := range s {
		s[i] = float64(i + 1)
	}
	assert.Equal(t, 50.0, Quantile(s, 0.5))
	assert.Equal(t, 95.0, Quantile(s, 0.95))
	assert.Equal(t, 99.0, Quantile(s, 0.99))
	assert.Equal(t, 100.0, Quantile(s, 1))
	assert.Equal(t, 7.0, Quantile([]float64{7}, 0.99))
	assert.Equal(t, 1.0, Quantile([]float64{1, 2}, 0.5))
}

func TestPerfCountsOnlyOKOps(t *testing.T) {
	ops := []history.Op{
		at(0, 0, history.Invoke, "write", "1"),
		at(1, 1, history.Invoke, "read", ""),
		at(4, 1, history.OK, "read", "1"),   // 3 ms
		at(10, 0, history.OK, "write", "1"), // 10 ms
		at(10, history.NemesisProcess, history.Info, "start-partition", `"one"`),
		at(11, 1, history.Invoke, "cas", "[1,2]"),
		at(12, 0, history.Invoke, "read", ""),
		at(14, 0, history.Fail, "read", ""), // not ok: no latency
		at(20, 1, history.Info, "cas", "[1,2]"),
		at(20, 0, history.Invoke, "write", "2"),
		at(25, 0, history.OK, "write", "2"), // 5 ms
	}
	p := Perf(ops)
	assert.Equal(t, Valid, p.Valid)
	assert.Equal(t, Latency{Count: 3, Mean: 6, P50: 5, P95: 10, P99: 10, Max: 10}, p.All)
	require.Contains(t, p.ByF, "write")
	assert.Equal(t, Latency{Count: 2, Mean: 7.5, P50: 5, P95: 10, P99: 10, Max: 10}, *p.ByF["write"])
	assert.Equal(t, 1, p.ByF["read"].Count)
	assert.NotContains(t, p.ByF, "cas", "no cas was ok")
	assert.InDelta(t, 0.025, p.Span, 1e-9)
	assert.InDelta(t, 120, p.OKRate, 1e-6)

	// The first ok completes at 4 ms: the write invoked at 0 is start-up.
	assert.InDelta(t, 0.004, p.Steady.From, 1e-9)
	assert.Equal(t, Latency{Count: 1, Mean: 5, P50: 5, P95: 5, P99: 5, Max: 5}, p.Steady.All)
	assert.Equal(t, 1, p.Steady.ByF["write"].Count)
	assert.NotContains(t, p.Steady.ByF, "read")

	empty := Perf(nil)
	assert.Equal(t, Latency{}, empty.All)
	assert.Zero(t, empty.OKRate)
}

func TestIsolated(t *testing.T) {
	nodes := []string{"n0", "n1", "n2", "n3", "n4"}
	for _, tc := range []struct {
		name   string
		grudge map[string][]string
		want   []string
	}{
		{"healed", map[string][]string{}, []string{}},
		{"one", map[string][]string{"n2": {"n0", "n1", "n3", "n4"}, "n0": {"n2"}, "n1": {"n2"}, "n3": {"n2"}, "n4": {"n2"}}, []string{"n2"}},
		{"majority 2|3", map[string][]string{
			"n0": {"n1", "n3", "n4"}, "n2": {"n1", "n3", "n4"},
			"n1": {"n0", "n2"}, "n3": {"n0", "n2"}, "n4": {"n0", "n2"}}, []string{"n0", "n2"}},
		{"ring: everyone hears two neighbours", map[string][]string{
			"n0": {"n2", "n3"}, "n1": {"n3", "n4"}, "n2": {"n4", "n0"}, "n3": {"n0", "n1"}, "n4": {"n1", "n2"}}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Isolated(nodes, tc.grudge))
			assert.True(t, QuorumReachable(nodes, tc.grudge), "each leaves a two-way majority")
		})
	}
	// The 3-node ring is one-directional: each node ignores one peer, so
	// every pair still has a working direction, but none works both ways.
	ring := map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}}
	assert.Equal(t, []string{}, Isolated([]string{"a", "b", "c"}, ring))
	assert.False(t, QuorumReachable([]string{"a", "b", "c"}, ring))
	// 2 of 4 is no majority.
	assert.False(t, QuorumReachable([]string{"a", "b", "c", "d"}, map[string][]string{
		"a": {"c", "d"}, "b": {"c", "d"}, "c": {"a", "b"}, "d": {"a", "b"}}))
}

func TestRecovery(t *testing.T) {
	nodes := []string{"n0", "n1", "n2"}
	cut := `["isolated",{"n0":["n1","n2"],"n1":["n0"],"n2":["n0"]}]`
	nem := history.NemesisProcess
	ops := []history.Op{
		at(0, 0, history.Invoke, "write", "1"), // invoked before the cut: does not count
		at(100, nem, history.Info, "start-partition", `"one"`),
		at(100, nem, history.Info, "start-partition", cut),
		at(150, 1, history.Invoke, "read", ""),
		at(160, 1, history.OK, "read", "1"), // a read: does not count
		at(200, 2, history.Invoke, "cas", "[1,2]"),
		at(300, 0, history.OK, "write", "1"),
		at(400, 3, history.Invoke, "write", "3"),
		at(500, 3, history.OK, "write", "3"), // ok at 500: the first after 100
		at(900, 2, history.OK, "cas", "[1,2]"),
		at(1000, nem, history.Info, "stop-partition", "null"),
		at(1000, nem, history.Info, "stop-partition", `"network-healed"`),
		at(2000, nem, history.Info, "start-partition", `"majorities-ring"`),
		at(2000, nem, history.Info, "start-partition", `["isolated",{"n0":["n1"],"n1":["n2"],"n2":["n0"]}]`),
		at(2500, nem, history.Info, "stop-partition", "null"),
		at(2500, nem, history.Info, "stop-partition", `"network-healed"`),
		at(2600, 0, history.Invoke, "write", "4"),
		at(2700, 0, history.OK, "write", "4"), // after the heal
		at(3000, nem, history.Info, "start-partition", `"one"`),
		at(3000, nem, history.Info, "start-partition", cut), // never recovers
	}
	r := Recovery(ops, nodes)
	require.NotNil(t, r)
	require.Len(t, r.Partitions, 3)
	p := r.Partitions[0]
	assert.Equal(t, "one", p.Shape)
	assert.Equal(t, []string{"n0"}, p.Isolated)
	assert.True(t, p.Quorum)
	require.NotNil(t, p.End)
	assert.InDelta(t, 1.0, *p.End, 1e-9)
	require.NotNil(t, p.Recovery)
	assert.InDelta(t, 0.4, *p.Recovery, 1e-9)
	assert.False(t, p.AfterHeal)

	q := r.Partitions[1]
	assert.Equal(t, "majorities-ring", q.Shape)
	assert.Equal(t, []string{}, q.Isolated)
	assert.False(t, q.Quorum)
	require.NotNil(t, q.Recovery)
	assert.InDelta(t, 0.7, *q.Recovery, 1e-9)
	assert.True(t, q.AfterHeal)

	assert.Nil(t, r.Partitions[2].Recovery)
	assert.Nil(t, r.Partitions[2].End)
	assert.Equal(t, 2, r.Count)
	assert.InDelta(t, 0.55, *r.Median, 1e-9)
	assert.InDelta(t, 0.7, *r.Max, 1e-9)

	assert.Nil(t, Recovery(ops[:1], nodes), "no nemesis, no section")
}
