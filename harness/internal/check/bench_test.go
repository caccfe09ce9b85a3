package check

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// synthetic builds a linearizable lin-kv history of n client ops spread
// over keys of opsPerKey ops, each key worked by procs concurrent processes.
// Every op takes effect at a random point inside its interval; a fraction
// infoRate of writes and cas's end :info (with their effect applied).
func synthetic(n, opsPerKey, procs int, infoRate float64, rng *rand.Rand) []history.Op {
	type op struct {
		proc          int
		f             string
		key           int64
		value         string
		call, lp, ret time.Duration
		typ           history.Type
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
			case "write":
				state = o.value
			case "cas":
				var ft [2]json.RawMessage
				json.Unmarshal([]byte(o.value), &ft)
				if string(ft[0]) == state {
					state = string(ft[1])
				} else {
					o.typ = history.Fail
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
}

// BenchmarkLinearizable100k checks a 100,000-op history split over keys of
// the given size (what --per-key-limit produces), with 1% :info ops.
func BenchmarkLinearizable100k(b *testing.B) {
	for _, perKey := range []int{100, 1000, 10000, 100000} {
		ops := synthetic(100000, perKey, 5, 0.01, rand.New(rand.NewPCG(3, 4)))
		b.Run(fmt.Sprintf("per-key=%d", perKey), func(b *testing.B) {
			for b.Loop() {
				r := Linearizable(ops, 60*time.Second)
				if r.Valid != Valid {
					b.Fatalf("judged %v", r.Valid)
				}
			}
		})
	}
}
