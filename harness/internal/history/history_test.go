package history

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
)

func TestFormats(t *testing.T) {
	h := New(clock.NewManual())
	h.Append(Op{Type: Invoke, F: "cas", Process: 3, Key: 0, Value: json.RawMessage(`[1,2]`)})
	h.Append(Op{Type: Fail, F: "cas", Process: 3, Key: 0, Value: json.RawMessage(`[1,2]`), Error: json.RawMessage(`["precondition-failed","no"]`)})
	h.Append(Op{Type: Invoke, F: "read", Process: 0, Key: 0, Value: json.RawMessage(`null`)})
	h.Append(Op{Type: Fail, F: "read", Process: 0, Key: 0, Value: json.RawMessage(`null`), Error: json.RawMessage(`"net-timeout"`)})
	h.Append(Op{Type: Info, F: "start-partition", Process: NemesisProcess, Value: json.RawMessage(`["isolated",{"n0":["n1"]}]`)})
	ops := h.Ops()
	assert.Equal(t, 4, ops[4].Index)
	assert.Equal(t, Tally{Fail: 2}, h.Tally())

	var txt strings.Builder
	require.NoError(t, WriteText(&txt, ops))
	assert.Equal(t, strings.Join([]string{
		"3\t:invoke\t:cas\t[0 [1 2]]",
		"3\t:fail\t:cas\t[0 [1 2]]\t[:precondition-failed \"no\"]",
		"0\t:invoke\t:read\t[0 nil]",
		"0\t:fail\t:read\t[0 nil]\t:net-timeout",
		":nemesis\t:info\t:start-partition\t[:isolated {\"n0\" [\"n1\"]}]",
	}, "\n")+"\n", txt.String())

	var edn strings.Builder
	require.NoError(t, WriteEDN(&edn, ops))
	el := strings.Split(strings.TrimSpace(edn.String()), "\n")
	assert.Equal(t, `{:type :fail, :f :read, :value [0 nil], :process 0, :time 0, :index 3, :error :net-timeout}`, el[3])
	assert.Equal(t, `{:type :info, :f :start-partition, :value [:isolated {"n0" ["n1"]}], :process :nemesis, :time 0, :index 4}`, el[4])

	var jl strings.Builder
	require.NoError(t, WriteJSONL(&jl, ops))
	lines := strings.Split(strings.TrimSpace(jl.String()), "\n")
	require.Len(t, lines, 5)
	assert.JSONEq(t, `{"index":1,"type":"fail","f":"cas","value":[0,[1,2]],"process":3,"time":0,"error":["precondition-failed","no"]}`, lines[1])
	assert.JSONEq(t, `{"index":4,"type":"info","f":"start-partition","value":["isolated",{"n0":["n1"]}],"process":"nemesis","time":0}`, lines[4])
}

func TestClientPairs(t *testing.T) {
	op := func(i int, typ Type, proc int, f string) Op {
		return Op{Index: i, Type: typ, Process: proc, F: f, Time: time.Duration(i)}
	}
	ops := []Op{
		op(0, Invoke, 0, "read"),
		op(1, Invoke, 1, "write"),
		op(2, Info, NemesisProcess, "start-partition"),
		op(3, OK, 1, "write"),
		op(4, Invoke, 2, "cas"),
		op(5, Fail, 7, "cas"), // no invocation: left out
		op(6, Info, 0, "read"),
		op(7, Invoke, 1, "write"),
	}
	pairs := ClientPairs(ops)
	require.Len(t, pairs, 4)
	require.Equal(t, []int{1, 0, 4, 7}, []int{pairs[0].Invoke.Index, pairs[1].Invoke.Index, pairs[2].Invoke.Index, pairs[3].Invoke.Index},
		"completed pairs in completion order, then open invocations in invocation order")
	require.True(t, pairs[0].Done)
	require.Equal(t, 3, pairs[0].Complete.Index)
	require.Equal(t, 6, pairs[1].Complete.Index)
	require.False(t, pairs[2].Done)
	require.False(t, pairs[3].Done)
}

// TestEDNMapOrder: a nemesis completion's map (what each node went through)
// keeps its keys in the JSON's order in history.edn and history.txt, so that
// one history always gives the same files. Maps used to come out in Go's
// random map order.
func TestEDNMapOrder(t *testing.T) {
	ops := []Op{{Type: Info, F: "kill", Process: NemesisProcess, Value: json.RawMessage(`{"n0":"killed","n1":"not-running","n2":"killed","n3":"killed"}`)}}
	for range 20 {
		var edn, txt strings.Builder
		require.NoError(t, WriteEDN(&edn, ops))
		require.NoError(t, WriteText(&txt, ops))
		assert.Equal(t, `{:type :info, :f :kill, :value {"n0" "killed", "n1" "not-running", "n2" "killed", "n3" "killed"}, :process :nemesis, :time 0, :index 0}`+"\n", edn.String())
		assert.Equal(t, ":nemesis\t:info\t:kill\t{\"n0\" \"killed\", \"n1\" \"not-running\", \"n2\" \"killed\", \"n3\" \"killed\"}\n", txt.String())
	}
}
