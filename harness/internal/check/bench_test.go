package check

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// synthetic builds a linearizable lin-kv history of n client ops spread
// over keys of opsPerKey ops, each key worked by procs concurrent processes.
// Every op takes effect at a random point inside its interval; a fraction
// infoRate of writes and cas's end :info (with their effect applied). As
// with the nodes, a read of a missing key fails with 20, and a cas fails
// with 20 on a missing key and 22 on another value.
func synthetic(n, opsPerKey, procs int, infoRate float64, rng *rand.Rand) []history.Op {
	type op struct {
		proc          int
		f             string
		key           int64
		value         string
		call, lp, ret time.Duration
		typ           history.Type
		err           string
	}
	var all []op
	for key := int64(0); int(key)*opsPerKey < n; key++ {
		count := min(opsPerKey, n-int(key)*opsPerKey)
		free := make([]time.Duration, procs)
		var ops []op
		for i := range count {
			p := i % procs
			call := free[p] + time.Duration(rng.IntN(1000))*time.Microsecond
			dur := time.Duration(100+rng.IntN(3000)) * time.Microsecond
			o := op{proc: int(key)*procs + p, key: key, call: call, ret: call + dur,
				lp: call + time.Duration(rng.Int64N(int64(dur)))}
			free[p] = o.ret
			switch rng.IntN(3) {
			case 0:
				o.f = "read"
			case 1:
				o.f, o.value = "write", strconv.Itoa(rng.IntN(5))
			default:
				o.f, o.value = "cas", fmt.Sprintf("[%d,%d]", rng.IntN(5), rng.IntN(5))
			}
			ops = append(ops, o)
		}
		sort.Slice(ops, func(i, j int) bool { return ops[i].lp < ops[j].lp })
		state := "null"
		for i := range ops {
			o := &ops[i]
			o.typ = history.OK
			switch o.f {
			case "read":
				o.value = state
				if state == "null" {
					o.typ, o.err = history.Fail, `["key-does-not-exist","key does not exist"]`
				}
			case "write":
				state = o.value
			case "cas":
				var ft [2]json.RawMessage
				json.Unmarshal([]byte(o.value), &ft)
				switch {
				case state == "null":
					o.typ, o.err = history.Fail, `["key-does-not-exist","key does not exist"]`
				case string(ft[0]) == state:
					state = string(ft[1])
				default:
					o.typ, o.err = history.Fail, `["precondition-failed","current value is not from"]`
				}
			}
			if o.f != "read" && o.typ == history.OK && rng.Float64() < infoRate {
				o.typ = history.Info
			}
		}
		all = append(all, ops...)
	}
	type event struct {
		at time.Duration
		op history.Op
	}
	var evs []event
	for _, o := range all {
		inv := "null"
		if o.f != "read" {
			inv = o.value
		}
		evs = append(evs,
			event{o.call, history.Op{Type: history.Invoke, F: o.f, Process: o.proc, Key: o.key, Value: json.RawMessage(inv)}},
			event{o.ret, history.Op{Type: o.typ, F: o.f, Process: o.proc, Key: o.key, Value: json.RawMessage(o.value)}})
		if o.err != "" {
			evs[len(evs)-1].op.Error = json.RawMessage(o.err)
		}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
	ops := make([]history.Op, len(evs))
	for i, e := range evs {
		e.op.Index, e.op.Time = i, e.at
		ops[i] = e.op
	}
	return ops
}

func TestSyntheticHistoriesAreLinearizable(t *testing.T) {
	ops := synthetic(2000, 100, 5, 0.02, rand.New(rand.NewPCG(1, 2)))
	r := Linearizable(ops, 10*time.Second)
	if r.Valid != Valid {
		t.Fatalf("synthetic history judged %v", r.Valid)
	}
	if len(r.Results) != 20 {
		t.Fatalf("want 20 keys, got %d", len(r.Results))
	}
	o := Observations(ops, 10*time.Second)
	if o.Valid != Valid {
		t.Fatalf("synthetic history's observations judged %v", o.Valid)
	}
	if o.ByKind[SawCasFailed] == 0 || o.ByKind[SawReadMissing] == 0 {
		t.Fatalf("synthetic history has observations of every kind, got %v", o.ByKind)
	}
}

// BenchmarkLinearizable100k checks a 100,000-op history split over keys of
// the given size (what --per-key-limit produces), with 1% :info ops, with
// Maelstrom's check and with the observations check.
func BenchmarkLinearizable100k(b *testing.B) {
	for _, perKey := range []int{100, 1000, 10000, 100000} {
		ops := synthetic(100000, perKey, 5, 0.01, rand.New(rand.NewPCG(3, 4)))
		b.Run(fmt.Sprintf("per-key=%d", perKey), func(b *testing.B) { benchChecks(b, ops) })
	}
}

// historyFile is a history.jsonl to benchmark the checks on, e.g. one a make check run left.
var historyFile = flag.String("check.history", "", "history.jsonl for BenchmarkHistoryFile")

// BenchmarkHistoryFile checks the history of -check.history with Maelstrom's check and with the
// observations check.
func BenchmarkHistoryFile(b *testing.B) {
	if *historyFile == "" {
		b.Skip("no -check.history")
	}
	f, err := os.Open(*historyFile)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	ops, err := readJSONL(f)
	if err != nil {
		b.Fatal(err)
	}
	benchChecks(b, ops)
}

// benchChecks runs Maelstrom's check, the observations check, and both as Check runs them, on
// ops, which must pass them.
func benchChecks(b *testing.B, ops []history.Op) {
	b.Run("maelstrom", func(b *testing.B) {
		for b.Loop() {
			if r := Linearizable(ops, 60*time.Second); r.Valid != Valid {
				b.Fatalf("judged %v", r.Valid)
			}
		}
	})
	b.Run("observations", func(b *testing.B) {
		for b.Loop() {
			if r := Observations(ops, 60*time.Second); r.Valid != Valid {
				b.Fatalf("judged %v", r.Valid)
			}
		}
	})
	b.Run("both", func(b *testing.B) {
		for b.Loop() {
			if lin, obs := Check(ops, 60*time.Second); lin.Valid != Valid || obs.Valid != Valid {
				b.Fatalf("judged %v and %v", lin.Valid, obs.Valid)
			}
		}
	})
}

// readJSONL reads a history.jsonl as the harness writes it.
func readJSONL(r io.Reader) ([]history.Op, error) {
	var ops []history.Op
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var line struct {
			Index   int             `json:"index"`
			Type    history.Type    `json:"type"`
			F       string          `json:"f"`
			Value   json.RawMessage `json:"value"`
			Process json.RawMessage `json:"process"`
			Time    int64           `json:"time"`
			Error   json.RawMessage `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, err
		}
		op := history.Op{Index: line.Index, Type: line.Type, F: line.F, Time: time.Duration(line.Time), Error: line.Error}
		if json.Unmarshal(line.Process, &op.Process) != nil {
			op.Process, op.Value = history.NemesisProcess, line.Value
			ops = append(ops, op)
			continue
		}
		var kv [2]json.RawMessage
		if err := json.Unmarshal(line.Value, &kv); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(kv[0], &op.Key); err != nil {
			return nil, err
		}
		op.Value = kv[1]
		ops = append(ops, op)
	}
	return ops, sc.Err()
}
