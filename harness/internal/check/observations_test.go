package check

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

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
// makes of them. Every case is valid for Linearizable, unless maelstrom says otherwise.
func TestObservations(t *testing.T) {
	for _, tc := range []struct {
		name      string
		hist      string
		valid     Validity
		offending int // the history index of the first offending observation, when invalid
		maelstrom Validity
	}{
		{"a read answered 20 before any write saw nil", `
1 invoke read 0 _
1 fail read 0 _ 20
0 invoke write 0 1
0 ok write 0 1`, Valid, 0, Valid},
		{"a read answered 20 after a write lost it", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 fail read 0 _ 20`, Invalid, 3, Valid},
		{"a read answered 20 concurrent with the write", `
0 invoke write 0 1
1 invoke read 0 _
1 fail read 0 _ 20
0 ok write 0 1`, Valid, 0, Valid},
		{"an :info write may not have happened", `
0 invoke write 0 1
0 info write 0 1
1 invoke read 0 _
1 fail read 0 _ 20`, Valid, 0, Valid},
		{"an :ok read of nil after a write lost it", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 ok read 0 _`, Invalid, 3, Valid},
		{"a cas answered 22 whose from held", `
0 invoke write 0 1
0 ok write 0 1
1 invoke cas 0 [1,2]
1 fail cas 0 [1,2] 22`, Invalid, 3, Valid},
		{"a cas answered 22 whose from did not hold", `
0 invoke write 0 1
0 ok write 0 1
1 invoke cas 0 [3,2]
1 fail cas 0 [3,2] 22`, Valid, 0, Valid},
		{"a cas answered 22 on nil", `
1 invoke cas 0 [3,2]
1 fail cas 0 [3,2] 22`, Valid, 0, Valid},
		{"a cas answered 22 concurrent with the cas that made its from", `
0 invoke write 0 1
0 ok write 0 1
2 invoke cas 0 [1,2]
1 invoke cas 0 [2,3]
1 fail cas 0 [2,3] 22
2 ok cas 0 [1,2]`, Valid, 0, Valid},
		{"a cas answered 20 after a write", `
0 invoke write 0 1
0 ok write 0 1
1 invoke cas 0 [1,2]
1 fail cas 0 [1,2] 20`, Invalid, 3, Valid},
		{"a cas answered 20 on nil", `
1 invoke cas 0 [1,2]
1 fail cas 0 [1,2] 20`, Valid, 0, Valid},
		{"3 is not 3.0: a cas from 3.0 may fail on 3", `
0 invoke write 0 3
0 ok write 0 3
1 invoke cas 0 [3.0,5]
1 fail cas 0 [3.0,5] 22`, Valid, 0, Valid},
		{"3.0 is 3.00: a cas from 3.00 may not fail on 3.0", `
0 invoke write 0 3.0
0 ok write 0 3.0
1 invoke cas 0 [3.00,5]
1 fail cas 0 [3.00,5] 22`, Invalid, 3, Valid},
		{"other definite errors stay dropped", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 fail read 0 _ 11
1 invoke cas 0 [1,2]
1 fail cas 0 [1,2] 11
1 invoke write 0 2
1 fail write 0 2 20`, Valid, 0, Valid},
		{"an unknown code is no observation", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 fail read 0 _ 1020`, Valid, 0, Valid},
		{"the first offending observation is named", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 ok read 0 1
1 invoke cas 0 [1,3]
1 fail cas 0 [1,3] 22
2 invoke read 0 _
2 fail read 0 _ 20`, Invalid, 5, Valid},
		{"keys are independent", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 1 _
1 fail read 1 _ 20`, Valid, 0, Valid},
		{"a key that fails without observations", `
0 invoke write 0 1
0 ok write 0 1
1 invoke read 0 _
1 ok read 0 2
1 invoke read 0 _
1 fail read 0 _ 20`, Invalid, -1, Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ops := parse(t, tc.hist)
			assert.Equal(t, tc.maelstrom, Linearizable(ops, 10*time.Second).Valid, "Maelstrom's check")
			r := Observations(ops, 10*time.Second)
			require.Equal(t, tc.valid, r.Valid)
			if tc.valid != Invalid {
				assert.Empty(t, r.Failures)
				assert.Empty(t, r.Ops)
				return
			}
			assert.Equal(t, []int64{0}, r.Failures)
			k := r.Key(0)
			if tc.offending < 0 {
				assert.Nil(t, k.Offending)
				assert.Contains(t, k.Note, "without its observations")
				assert.Empty(t, r.Ops)
				return
			}
			require.NotNil(t, k.Offending)
			assert.Equal(t, tc.offending, *k.Offending)
			require.Len(t, r.Ops, 1)
			assert.Equal(t, tc.offending, r.Ops[0].Index)
			assert.Equal(t, ops[tc.offending].Process, r.Ops[0].Process)
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
