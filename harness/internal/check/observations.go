package check

import (
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/nodes"
)

// MaxOffendingOps caps the offending ops listed in an ObservationsResult.
const MaxOffendingOps = 100

// The kinds of observation, as ObservationsResult.ByKind counts them.
const (
	// SawReadMissing is a read answered error 20 (key does not exist): it saw nil.
	SawReadMissing = "read-20"
	// SawReadNil is an :ok read of nil, which Maelstrom always accepts: it saw nil too.
	SawReadNil = "read-nil"
	// SawCasMissing is a cas answered error 20: it saw nil.
	SawCasMissing = "cas-20"
	// SawCasFailed is a cas answered error 22 (precondition failed): it saw a value other than
	// its from.
	SawCasFailed = "cas-22"
)

// ObsKeyResult is the observations check of one key: its KeyResult, over Maelstrom's
// operations and the key's observations together.
type ObsKeyResult struct {
	KeyResult
	// Observations is how many of the key's operations are observations.
	Observations int `json:"observations"`
	// Offending is the history index of the key's first offending observation: the first, in
	// completion order, that cannot be linearized with the key's operations as Maelstrom's check
	// sees them (but its :ok reads of nil, which are observations here) and the observations
	// that completed before it. It is absent when the key is valid, and otherwise Note says
	// why: the operations are not linearizable even without observations, or the search for it
	// timed out.
	Offending *int   `json:"offending,omitempty"`
	Note      string `json:"note,omitempty"`

	offending int // the position of Offending among the key's observations
}

// OffendingOp is a key's first offending observation, as the history has it.
type OffendingOp struct {
	// Key is the op's key; Index, Process and F are its completion's.
	Key     int64  `json:"key"`
	Index   int    `json:"index"`
	Process int    `json:"process"`
	F       string `json:"f"`
	// Value is the op's [key value], as in the history: [k nil] for a read that failed.
	Value json.RawMessage `json:"value"`
	// Error is the completion's error, as in the history (absent for an :ok read of nil).
	Error json.RawMessage `json:"error,omitempty"`
	// Saw says what the op observed of the register: "nil" or "not <from>".
	Saw string `json:"saw"`
	// Visualization is the key's picture, relative to the store directory, once written.
	Visualization string `json:"visualization,omitempty"`
}

// ObservationsResult is the observations section. Maelstrom drops every definite failure from
// the history it checks, as an operation that did not happen; but some of them read the
// register on the way. A read answered 20 saw nil, and so did a cas answered 20; a cas answered
// 22 saw a value other than its from. A cluster that lost its data answers 20 to every read,
// which Maelstrom never sees. This check keeps those completions, and takes an :ok read of nil
// at its word (Maelstrom accepts it whatever the state), in a second history per key, checked
// with the same model (Model) and value equality; the error's code decides, never its text.
type ObservationsResult struct {
	// Valid is false when some key's observations cannot be linearized with its operations,
	// unknown when some key timed out, and true otherwise.
	Valid Validity `json:"valid?"`
	// Checked counts the observations; ByKind counts them by kind (SawReadMissing, ...).
	Checked int            `json:"checked"`
	ByKind  map[string]int `json:"by-kind"`
	// Failures are the keys found invalid; Results has every key.
	Failures []int64                  `json:"failures"`
	Results  map[string]*ObsKeyResult `json:"results"`
	// Ops lists the first offending observation of each failing key (of the first
	// MaxOffendingOps keys).
	Ops  []*OffendingOp `json:"ops"`
	keys map[int64]*ObsKeyResult
}

// Key returns the result for key k, or nil.
func (r *ObservationsResult) Key(k int64) *ObsKeyResult { return r.keys[k] }

// observedKey is one key's history for the observations check: Maelstrom's operations but
// its :ok reads of nil, and the observations, in completion order, with their completions.
type observedKey struct {
	ops  []porcupine.Operation
	seen []porcupine.Operation
	from []seenOp
}

// seenOp is an observation's completion, and what it saw.
type seenOp struct {
	history.Op
	saw string
}

// Observations checks, key by key and in parallel, each key's operations as Maelstrom's
// check sees them together with its observations, each key within timeout (0: none).
func Observations(ops []history.Op, timeout time.Duration) *ObservationsResult {
	return observations(history.ClientPairs(ops), timeout)
}

// observations is Observations over a history's client pairs.
func observations(pairs []history.Pair, timeout time.Duration) *ObservationsResult {
	byKey, byKind := observedHistories(pairs)
	res := &ObservationsResult{ByKind: byKind, Ops: []*OffendingOp{}}
	for _, n := range byKind {
		res.Checked += n
	}
	res.Results, res.keys, res.Failures, res.Valid = judgeKeys(slices.Sorted(maps.Keys(byKey)),
		func(k int64) *ObsKeyResult { return checkObserved(byKey[k], timeout) },
		func(r *ObsKeyResult) Validity { return r.Valid })
	for _, key := range res.Failures {
		if r := res.keys[key]; r.Offending != nil && len(res.Ops) < MaxOffendingOps {
			c := byKey[key].from[r.offending]
			res.Ops = append(res.Ops, &OffendingOp{Key: key, Index: c.Index, Process: c.Process, F: c.F,
				Value: c.ValueJSON(), Error: c.Error, Saw: c.saw})
		}
	}
	return res
}

// observedHistories splits a history's client ops by key into what the observations check
// reads, and counts the observations by kind.
func observedHistories(pairs []history.Pair) (map[int64]*observedKey, map[string]int) {
	byKey := map[int64]*observedKey{}
	byKind := map[string]int{}
	h := newRegisterHistory()
	for _, p := range pairs {
		kind, in, out, saw := observation(p)
		var key int64
		var op porcupine.Operation
		if kind == "" {
			var ok bool
			if key, op, ok = h.maelstrom(p); !ok {
				continue
			}
		} else {
			key, op = h.operation(p.Invoke, in, out, int64(p.Complete.Time), p.Complete.Index)
			byKind[kind]++
		}
		k := byKey[key]
		if k == nil {
			k = &observedKey{}
			byKey[key] = k
		}
		if kind == "" {
			k.ops = append(k.ops, op)
		} else {
			k.seen = append(k.seen, op)
			k.from = append(k.from, seenOp{p.Complete, saw})
		}
	}
	return byKey, byKind
}

// observation says whether the op of p is an observation: its kind, its register op and what
// it saw ("nil", "not 3"). kind is "" for any other op.
func observation(p history.Pair) (kind string, in Input, out Output, saw string) {
	c := p.Complete
	switch {
	case !p.Done || (c.F != "read" && c.F != "cas"):
		return "", in, out, ""
	case c.Type == history.OK && c.F == "read" && Value(c.Value) == Nil:
		return SawReadNil, Input{Op: opReadNil}, Output{Value: Nil}, "nil"
	case c.Type != history.Fail:
		return "", in, out, ""
	}
	code, ok := errorCode(c.Error)
	switch {
	case !ok || (c.F == "read" && code != nodes.KeyDoesNotExist):
		return "", in, out, ""
	case c.F == "read":
		return SawReadMissing, Input{Op: opReadNil}, Output{Error: code.Name()}, "nil"
	}
	in = input(p.Invoke)
	if code == nodes.KeyDoesNotExist {
		in.Op = opCasNil
		return SawCasMissing, in, Output{Error: code.Name()}, "nil"
	}
	in.Op = opCasFailed
	return SawCasFailed, in, Output{Error: code.Name()}, "not " + in.A
}

// errorCode is the code of a completion's error, [name, text] as the harness records it
// (workload.Classify names the code with the one error table, nodes.Code): the name is the
// code's, and the node's text is not looked at. Only the two codes that observe the register
// are recognized.
func errorCode(raw json.RawMessage) (nodes.Code, bool) {
	var e [1]string // the name; the text that follows is skipped
	if json.Unmarshal(raw, &e) != nil {
		return 0, false
	}
	name := e[0]
	for _, c := range []nodes.Code{nodes.KeyDoesNotExist, nodes.PreconditionFailed} {
		if name == c.Name() {
			return c, true
		}
	}
	return 0, false
}

// checkObserved checks one key's operations and observations together; when they are not
// linearizable, it finds the first offending observation and keeps porcupine's explanation,
// with that observation marked, for the picture.
func checkObserved(k *observedKey, timeout time.Duration) *ObsKeyResult {
	all := make([]porcupine.Operation, 0, len(k.ops)+len(k.seen))
	all = append(append(all, k.ops...), k.seen...)
	r := &ObsKeyResult{KeyResult: *checkKey(all, timeout), Observations: len(k.seen)}
	if r.Valid != Invalid {
		return r
	}
	i, known := firstOffending(k, timeout)
	switch {
	case !known:
		r.Note = "the search for the first offending observation timed out"
	case i < 0:
		r.Note = "not linearizable without its observations either (see the workload section)"
	default:
		op := k.seen[i]
		r.Offending, r.offending = &k.from[i].Index, i
		end := op.Return
		r.info.AddAnnotations([]porcupine.Annotation{{Tag: "first offending", Start: op.Call, End: end,
			Description:     describe(op.Input, op.Output),
			Details:         "history index " + strconv.Itoa(k.from[i].Index) + ": the first observation, in completion order, that no linearization of the key's other operations and earlier observations explains",
			BackgroundColor: "#f8b4b4"}})
	}
	return r
}

// firstOffending finds, by bisection, the first observation of k (in completion order) that
// cannot be linearized with k's operations and the observations before it. Observations
// change nothing, so a history that is not linearizable stays so when more are added, and the
// search is sound. It returns -1 when k's operations alone are not linearizable, and known
// false when a check timed out.
func firstOffending(k *observedKey, timeout time.Duration) (int, bool) {
	illegal := func(n int) (bool, bool) {
		h := make([]porcupine.Operation, 0, len(k.ops)+n)
		h = append(append(h, k.ops...), k.seen[:n]...)
		switch porcupine.CheckOperationsTimeout(Model, h, timeout) {
		case porcupine.Illegal:
			return true, true
		case porcupine.Ok:
			return false, true
		}
		return false, false
	}
	bad, known := illegal(0)
	if !known || bad {
		return -1, known
	}
	// illegal(lo) is false and illegal(hi) true.
	lo, hi := 0, len(k.seen)
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		bad, known := illegal(mid)
		if !known {
			return -1, false
		}
		if bad {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi - 1, true
}
