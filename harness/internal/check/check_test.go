package check

import (
	"encoding/json"
	"math/rand/v2"
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

// historyCase is one case of a testdata file of histories: its name, the verdicts it must get
// by check ("maelstrom", "observations"), and its history in parse's format.
type historyCase struct {
	name string
	want map[string]string
	hist string
}

// readCases reads testdata/file: paragraphs, each a case's name, its "<check>: <verdict>"
// lines and its history; a paragraph of "#" lines describes the file. Every case must give a
// verdict for each of checks.
func readCases(t *testing.T, file string, checks ...string) []historyCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", file))
	require.NoError(t, err)
	var cases []historyCase
	for _, para := range strings.Split(strings.TrimSpace(string(b)), "\n\n") {
		if strings.HasPrefix(para, "#") {
			continue
		}
		name, rest, _ := strings.Cut(para, "\n")
		c := historyCase{name: name, want: map[string]string{}}
		var hist []string
		for _, line := range strings.Split(rest, "\n") {
			if check, verdict, ok := strings.Cut(line, ": "); ok && !strings.ContainsAny(check, " ") {
				c.want[check] = verdict
			} else {
				hist = append(hist, line)
			}
		}
		c.hist = strings.Join(hist, "\n")
		for _, check := range checks {
			require.Contains(t, c.want, check, "%s: case %q", file, name)
		}
		cases = append(cases, c)
	}
	require.NotEmpty(t, cases, file)
	return cases
}

// validity reads a verdict as a testdata file writes it.
func validity(t *testing.T, verdict string) Validity {
	t.Helper()
	v, ok := map[string]Validity{"valid": Valid, "invalid": Invalid}[verdict]
	require.True(t, ok, "verdict %q", verdict)
	return v
}

// TestLinearizable: Maelstrom's check on the histories of testdata/linearizable.txt.
func TestLinearizable(t *testing.T) {
	for _, c := range readCases(t, "linearizable.txt", "maelstrom") {
		t.Run(c.name, func(t *testing.T) {
			want := validity(t, c.want["maelstrom"])
			r := Linearizable(parse(t, c.hist), 10*time.Second)
			assert.Equal(t, want, r.Valid)
			if want == Invalid {
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

// TestModelSteps: each register op, Maelstrom's and the observations, legal and illegal, and
// what it leaves.
func TestModelSteps(t *testing.T) {
	for _, tc := range []struct {
		name  string
		state string
		in    Input
		out   Output
		legal bool
		next  string
	}{
		{"read of the value", "3", Input{Op: opRead}, Output{Value: "3"}, true, "3"},
		{"read of another value", "3", Input{Op: opRead}, Output{Value: "4"}, false, "3"},
		{"Maelstrom's read of nil, whatever the state", "3", Input{Op: opRead}, Output{Value: Nil}, true, "3"},
		{"read of unknown outcome", "3", Input{Op: opRead}, Output{Unknown: true}, true, "3"},
		{"write", "3", Input{Op: opWrite, A: "4"}, Output{}, true, "4"},
		{"cas from the value", "3", Input{Op: opCas, A: "3", B: "5"}, Output{}, true, "5"},
		{"cas from another value", "3", Input{Op: opCas, A: "4", B: "5"}, Output{}, false, "3"},
		{"info cas that did not happen", "3", Input{Op: opCas, A: "4", B: "5"}, Output{Unknown: true}, true, "3"},
		{"seen nil on nil", Nil, Input{Op: opReadNil}, Output{Error: "key-does-not-exist"}, true, Nil},
		{"seen nil on a value", "3", Input{Op: opReadNil}, Output{Error: "key-does-not-exist"}, false, "3"},
		{"an :ok read of nil, taken at its word", "3", Input{Op: opReadNil}, Output{Value: Nil}, false, "3"},
		{"cas answered 20 on nil", Nil, Input{Op: opCasNil, A: "3", B: "4"}, Output{Error: "key-does-not-exist"}, true, Nil},
		{"cas answered 20 on a value", "1", Input{Op: opCasNil, A: "3", B: "4"}, Output{Error: "key-does-not-exist"}, false, "1"},
		{"cas answered 22 on another value", "1", Input{Op: opCasFailed, A: "3", B: "4"}, Output{Error: "precondition-failed"}, true, "1"},
		{"cas answered 22 on nil", Nil, Input{Op: opCasFailed, A: "3", B: "4"}, Output{Error: "precondition-failed"}, true, Nil},
		{"cas answered 22 on its from", "3", Input{Op: opCasFailed, A: "3", B: "4"}, Output{Error: "precondition-failed"}, false, "3"},
		{"cas answered 22 on its from, to equal", "3", Input{Op: opCasFailed, A: "3", B: "3"}, Output{Error: "precondition-failed"}, false, "3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			legal, next := Model.Step(tc.state, tc.in, tc.out)
			assert.Equal(t, tc.legal, legal)
			if legal {
				assert.Equal(t, tc.next, next, "the state it leaves")
			}
		})
	}
	assert.Equal(t, "cas(3, 4) -> precondition-failed", describe(Input{Op: opCasFailed, A: "3", B: "4"}, Output{Error: "precondition-failed"}))
	assert.Equal(t, "read() -> key-does-not-exist", describe(Input{Op: opReadNil}, Output{Error: "key-does-not-exist"}))
}

// TestObservations: histories that Maelstrom's check accepts, and what the observations check
// makes of them (testdata/observations.txt).
func TestObservations(t *testing.T) {
	for _, c := range readCases(t, "observations.txt", "maelstrom", "observations") {
		t.Run(c.name, func(t *testing.T) {
			ops := parse(t, c.hist)
			assert.Equal(t, validity(t, c.want["maelstrom"]), Linearizable(ops, 10*time.Second).Valid, "Maelstrom's check")
			verdict, offending, _ := strings.Cut(c.want["observations"], " at ")
			r := Observations(ops, 10*time.Second)
			require.Equal(t, validity(t, verdict), r.Valid)
			if r.Valid != Invalid {
				assert.Empty(t, r.Failures)
				assert.Empty(t, r.Ops)
				return
			}
			assert.Equal(t, []int64{0}, r.Failures)
			k := r.Key(0)
			if offending == "none" {
				assert.Nil(t, k.Offending)
				assert.Contains(t, k.Note, "without its observations")
				assert.Empty(t, r.Ops)
				return
			}
			index, err := strconv.Atoi(offending)
			require.NoError(t, err, "the first offending observation's index")
			require.NotNil(t, k.Offending)
			assert.Equal(t, index, *k.Offending)
			require.Len(t, r.Ops, 1)
			assert.Equal(t, index, r.Ops[0].Index)
			assert.Equal(t, ops[index].Process, r.Ops[0].Process)
		})
	}
}

// TestObservationCounts: what is counted as an observation, by kind, and what the results
// say of the offending op.
func TestObservationCounts(t *testing.T) {
	r := Observations(parse(t, `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 ok read 0 1
1 invoke read 0 _
1 ok read 0 _
2 invoke cas 0 [3,4]
2 fail cas 0 [3,4] 22
2 invoke cas 1 [3,4]
2 fail cas 1 [3,4] 20
3 invoke read 1 _
3 fail read 1 _ 20
3 invoke read 1 _
3 fail read 1 _ 11
3 invoke read 1 _
3 fail read 1 _ 22
3 invoke write 1 3
3 fail write 1 3 22
3 invoke cas 1 [3,4]
3 info cas 1 [3,4]`), 0)
	assert.Equal(t, 4, r.Checked, "not the read answered 11, nor a read or a write answered 22")
	assert.Equal(t, map[string]int{SawReadNil: 1, SawCasFailed: 1, SawCasMissing: 1, SawReadMissing: 1}, r.ByKind)
	assert.Equal(t, Invalid, r.Valid, "the :ok read of nil follows the write of 1")
	assert.Equal(t, 4, r.Key(0).OpCount, "the write, two reads, the cas")
	assert.Equal(t, 2, r.Key(0).Observations, "the read of nil and the cas")
	assert.Equal(t, Valid, r.Key(1).Valid)
	assert.Equal(t, 1, r.Key(1).InfoCount)
	require.Len(t, r.Ops, 1)
	b, err := json.Marshal(r.Ops[0])
	require.NoError(t, err)
	assert.JSONEq(t, `{"key":0,"index":5,"process":1,"f":"read","value":[0,null],"saw":"nil"}`, string(b))
}

// TestObservationVisualization: porcupine's page of an invalid key marks the first offending
// observation.
func TestObservationVisualization(t *testing.T) {
	r := Observations(parse(t, `
0 invoke write 7 1
0 ok write 7 1
1 invoke cas 7 [1,2]
1 fail cas 7 [1,2] 22`), 0)
	require.Equal(t, []int64{7}, r.Failures)
	path := filepath.Join(t.TempDir(), "observations.html")
	require.NoError(t, r.Key(7).Visualize(path))
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	page := string(b)
	// The data is embedded as JSON, where > is escaped.
	assert.True(t, strings.Contains(page, `cas(1, 2) -\u003e precondition-failed`), "the observation is described")
	assert.Contains(t, page, "first offending")
	assert.Contains(t, page, "history index 3")
}

// TestCheckIsBothChecks: Check returns what Linearizable and Observations return, on random
// histories of which some keys break Maelstrom's rules, some only the observations, and some
// neither.
func TestCheckIsBothChecks(t *testing.T) {
	onlyObservations, both := 0, 0
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 9))
		ops := corrupt(synthetic(600, 30, 3, 0.05, rng), 0.01, rng)
		lin, obs := Check(ops, 10*time.Second)
		wantLin, wantObs := Linearizable(ops, 10*time.Second), Observations(ops, 10*time.Second)
		require.Equal(t, wantLin.Valid, lin.Valid, "seed %d", seed)
		require.Equal(t, wantLin.Failures, lin.Failures, "seed %d", seed)
		require.Equal(t, len(wantLin.Results), len(lin.Results), "seed %d", seed)
		for k, want := range wantLin.Results {
			got := lin.Results[k]
			require.Equal(t, [3]any{want.Valid, want.OpCount, want.InfoCount}, [3]any{got.Valid, got.OpCount, got.InfoCount}, "seed %d key %s", seed, k)
			if o := wantObs.Results[k]; o.Valid == Invalid && want.Valid == Valid {
				onlyObservations++
			} else if o.Valid == Invalid {
				both++
			}
		}
		require.Equal(t, wantObs.Failures, obs.Failures, "seed %d", seed)
		require.Equal(t, wantObs.Checked, obs.Checked, "seed %d", seed)
	}
	require.Positive(t, onlyObservations, "some keys fail the observations check alone")
	require.Positive(t, both, "some keys fail both")
}

// corrupt makes a fraction p of a history's completions lie: a read returns another value, a
// read answered 20 returns one, a cas's success and failure swap, a write ends :info.
func corrupt(ops []history.Op, p float64, rng *rand.Rand) []history.Op {
	for i := range ops {
		op := &ops[i]
		if op.Type == history.Invoke || rng.Float64() >= p {
			continue
		}
		switch {
		case op.F == "read":
			op.Type, op.Error = history.OK, nil
			op.Value = json.RawMessage([]string{"0", "1", "2", "3", "4", "null"}[rng.IntN(6)])
		case op.F == "cas" && op.Type == history.OK:
			op.Type, op.Error = history.Fail, json.RawMessage(`["precondition-failed","x"]`)
		case op.F == "cas" && op.Type == history.Fail:
			op.Type, op.Error = history.OK, nil
		case op.F == "write" && op.Type == history.OK:
			op.Type = history.Info
		}
	}
	return ops
}

// TestErrorCode: the code of a recorded error is its name's, whatever the text beside it.
func TestErrorCode(t *testing.T) {
	for raw, want := range map[string]int{
		`["key-does-not-exist","key does not exist"]`:      20,
		`["precondition-failed",null]`:                     22,
		`["precondition-failed",{"current":3}]`:            22,
		`["temporarily-unavailable","key-does-not-exist"]`: -1,
		`["unknown","precondition-failed"]`:                -1,
		`"net-timeout"`:                                    -1,
		`[]`:                                               -1,
		`[20,"key does not exist"]`:                        -1,
		``:                                                 -1,
	} {
		code, ok := errorCode(json.RawMessage(raw))
		if want < 0 {
			assert.False(t, ok, raw)
			continue
		}
		assert.True(t, ok, raw)
		assert.Equal(t, want, int(code), raw)
	}
}
