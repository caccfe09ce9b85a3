package check

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/net"
	"github.com/quorumkit/quorumkit/nodes"
)

// parse reads a compact history, one op per line:
//
//	<process> <type> <f> <key> <value> [<code>]
//
// with values as JSON ("_" for null), times in ms (the line number), and an optional error
// code, recorded as the harness records it: ["<the code's name>", text]. The text is a decoy
// that names another error, since the checker must go by the code alone.
func parse(t *testing.T, text string) []history.Op {
	t.Helper()
	var ops []history.Op
	for i, line := range strings.Split(strings.TrimSpace(text), "\n") {
		f := strings.Fields(line)
		require.GreaterOrEqual(t, len(f), 5, line)
		op := history.Op{Index: i, Type: history.Type(f[1]), F: f[2], Time: time.Duration(i) * time.Millisecond}
		if f[0] == "nemesis" {
			op.Process = history.NemesisProcess
		} else {
			require.NoError(t, json.Unmarshal([]byte(f[0]), &op.Process))
		}
		require.NoError(t, json.Unmarshal([]byte(f[3]), &op.Key))
		if f[4] == "_" {
			f[4] = "null"
		}
		op.Value = json.RawMessage(f[4])
		if len(f) > 5 {
			code, err := strconv.Atoi(f[5])
			require.NoError(t, err, line)
			name, _ := json.Marshal(nodes.Code(code).Name())
			op.Error = json.RawMessage(`[` + string(name) + `,"key does not exist: precondition failed"]`)
		}
		ops = append(ops, op)
	}
	return ops
}

func TestLinearizable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hist  string
		valid Validity
	}{
		{"write then read", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 ok read 0 1`, Valid},
		{"stale read", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 ok read 0 2`, Invalid},
		{"read of nil is always legal", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 ok read 0 _`, Valid},
		{"concurrent write may be seen", `
0 invoke write 0 1
1 invoke read 0 _
1 ok read 0 1
0 ok write 0 1`, Valid},
		{"failed write never happened", `
0 invoke write 0 2
0 fail write 0 2
1 invoke read 0 _
1 ok read 0 2`, Invalid},
		{"info write may happen later", `
0 invoke write 0 3
0 info write 0 3
1 invoke read 0 _
1 ok read 0 _
1 invoke read 0 _
1 ok read 0 3`, Valid},
		{"info write may never happen", `
2 invoke write 0 1
2 ok write 0 1
0 invoke write 0 3
0 info write 0 3
1 invoke read 0 _
1 ok read 0 1`, Valid},
		{"info write cannot happen before its invocation", `
2 invoke write 0 1
2 ok write 0 1
1 invoke read 0 _
1 ok read 0 3
0 invoke write 0 3
0 info write 0 3`, Invalid},
		{"open invocation counts as info", `
0 invoke write 0 4
1 invoke read 0 _
1 ok read 0 4`, Valid},
		{"cas needs its from", `
0 invoke write 0 1
0 ok write 0 1
0 invoke cas 0 [2,3]
0 ok cas 0 [2,3]`, Invalid},
		{"cas ok", `
0 invoke write 0 1
0 ok write 0 1
0 invoke cas 0 [1,3]
0 ok cas 0 [1,3]
1 invoke read 0 _
1 ok read 0 3`, Valid},
		{"info cas with wrong from is harmless", `
0 invoke write 0 1
0 ok write 0 1
0 invoke cas 0 [2,3]
0 info cas 0 [2,3]
1 invoke read 0 _
1 ok read 0 1`, Valid},
		{"3 is not 3.0", `
0 invoke write 0 3
0 ok write 0 3
1 invoke read 0 _
1 ok read 0 3.0`, Invalid},
		{"3.0 is 3.00", `
0 invoke write 0 3.0
0 ok write 0 3.0
1 invoke read 0 _
1 ok read 0 3.00`, Valid},
		{"member order is irrelevant", `
0 invoke write 0 {"a":1,"b":2}
0 ok write 0 {"a":1,"b":2}
0 invoke cas 0 [{"b":2,"a":1},5]
0 ok cas 0 [{"b":2,"a":1},5]
1 invoke read 0 _
1 ok read 0 5`, Valid},
		{"a failed read is dropped", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 fail read 0 2`, Valid},
		{"keys are independent", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 1 _
1 ok read 1 _
1 invoke write 1 2
1 ok write 1 2
2 invoke read 0 _
2 ok read 0 1`, Valid},
		{"nemesis ops are ignored", `
nemesis info start-partition 0 "one"
0 invoke write 0 1
0 ok write 0 1
nemesis info start-partition 0 ["isolated",{}]
1 invoke read 0 _
1 ok read 0 1`, Valid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Linearizable(parse(t, tc.hist), 10*time.Second)
			assert.Equal(t, tc.valid, r.Valid)
			if tc.valid == Invalid {
				assert.NotEmpty(t, r.Failures)
			}
		})
	}
}

func TestInvalidKeyVisualization(t *testing.T) {
	r := Linearizable(parse(t, `
0 invoke write 5 1
0 ok write 5 1
1 invoke read 5 _
1 ok read 5 2`), 0)
	require.Equal(t, []int64{5}, r.Failures)
	path := filepath.Join(t.TempDir(), "linear.html")
	require.NoError(t, r.Key(5).Visualize(path))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	// The data is embedded as JSON, where > is escaped.
	assert.True(t, strings.Contains(string(b), `read() -\u003e 2`), "the illegal read is described")
}

// TestValue: register values are kv.Canonical's texts (whose table is in nodes/kv), with nil
// for an absent value and garbage kept apart from every JSON value.
func TestValue(t *testing.T) {
	assert.Equal(t, "3", Value([]byte(" 3 ")))
	assert.Equal(t, "3.0", Value([]byte("3.00")))
	assert.Equal(t, `{"a":1,"b":2}`, Value([]byte(`{"b": 2, "a": 1}`)))
	assert.Equal(t, Nil, Value(nil))
	assert.NotEqual(t, Value([]byte("{")), Value([]byte(`"{"`)))
}

func TestStats(t *testing.T) {
	ops := parse(t, `
0 invoke read 0 _
0 ok read 0 _
1 invoke write 0 1
1 info write 0 1
3 invoke cas 0 [1,2]
3 fail cas 0 [1,2]
nemesis info start-partition 0 "one"`)
	s := Stats(ops)
	assert.Equal(t, Invalid, s.Valid, "no cas succeeded, no write succeeded")
	assert.Equal(t, 3, s.Count)
	assert.Equal(t, Counts{Valid: Valid, Count: 1, OKCount: 1}, *s.ByF["read"])
	assert.Equal(t, Counts{Valid: Invalid, Count: 1, InfoCount: 1}, *s.ByF["write"])
	assert.Equal(t, Counts{Valid: Invalid, Count: 1, FailCount: 1}, *s.ByF["cas"])
	assert.Equal(t, Valid, Stats(nil).Valid, "no client ops: valid")

	a := Availability(ops, -1)
	assert.Equal(t, Valid, a.Valid)
	assert.InDelta(t, 1.0/3, a.OKFraction, 1e-9)
	assert.Equal(t, Invalid, Availability(ops, 1).Valid)
	assert.Equal(t, Valid, Availability(ops, 0.3).Valid)
	assert.Equal(t, 1.0, Availability(nil, 1).OKFraction)

	n := Net(net.Stats{All: net.Counts{MsgCount: 12}, Servers: net.Counts{MsgCount: 6}}, ops)
	assert.Equal(t, 4.0, *n.All.MsgsPerOp)
	assert.Equal(t, 2.0, *n.Servers.MsgsPerOp)
	assert.Nil(t, n.Clients.MsgsPerOp)
	assert.Nil(t, Net(net.Stats{}, nil).All.MsgsPerOp)
}

func TestWorst(t *testing.T) {
	assert.Equal(t, Valid, Worst())
	assert.Equal(t, Unknown, Worst(Valid, Unknown))
	assert.Equal(t, Invalid, Worst(Unknown, Invalid, Valid))
	b, _ := json.Marshal([]Validity{Valid, Invalid, Unknown})
	assert.Equal(t, `[true,false,"unknown"]`, string(b))
}
