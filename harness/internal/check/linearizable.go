package check

import (
	"encoding/json"
	"maps"
	"math"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// KeyResult is the linearizability verdict for one key.
type KeyResult struct {
	Valid Validity `json:"valid?"`
	// Analyzer names the checker ("porcupine").
	Analyzer string `json:"analyzer"`
	// OpCount is the number of operations checked (fails removed).
	OpCount int `json:"op-count"`
	// InfoCount is how many of them are indeterminate.
	InfoCount int `json:"info-count"`
	// Visualization is the path, relative to the store directory, of the
	// HTML page that shows the violation, if any.
	Visualization string `json:"visualization,omitempty"`
	// Error explains an unknown verdict.
	Error string `json:"error,omitempty"`

	ops  []porcupine.Operation
	info porcupine.LinearizationInfo
}

// Visualize writes porcupine's HTML visualization of this key to path. It
// only has linearization data for keys that were found invalid.
func (k *KeyResult) Visualize(path string) error {
	return porcupine.VisualizePath(Model, k.info, path)
}

// LinResult is the workload checker's result: one KeyResult per key.
type LinResult struct {
	Valid    Validity              `json:"valid?"`
	Results  map[string]*KeyResult `json:"results"`
	Failures []int64               `json:"failures"`
	keys     map[int64]*KeyResult
}

// Key returns the result for key k, or nil.
func (r *LinResult) Key(k int64) *KeyResult { return r.keys[k] }

// Operations turns the client ops of a history into porcupine operations
// per key, as Maelstrom's check sees them: :fail ops are removed, :ok reads
// carry the value read, :info ops and invocations left open return at the
// end of time with an unknown output, and :info reads are dropped (a read
// changes nothing). Each operation's Metadata is its completion's index in
// the history (its invocation's, when it never completed).
func Operations(ops []history.Op) map[int64][]porcupine.Operation {
	return operations(history.ClientPairs(ops))
}

// operations is Operations over a history's client pairs.
func operations(pairs []history.Pair) map[int64][]porcupine.Operation {
	h := newRegisterHistory()
	for _, p := range pairs {
		if key, op, ok := h.maelstrom(p); ok {
			h.byKey[key] = append(h.byKey[key], op)
		}
	}
	return h.byKey
}

// registerHistory builds per-key porcupine histories, numbering each key's
// processes from 0 as porcupine's pictures want them.
type registerHistory struct {
	byKey     map[int64][]porcupine.Operation
	clientIDs map[int64]map[int]int
}

func newRegisterHistory() *registerHistory {
	return &registerHistory{byKey: map[int64][]porcupine.Operation{}, clientIDs: map[int64]map[int]int{}}
}

// maelstrom is the op of p as Maelstrom's check sees it, with its key; ok is false when the
// check does not see it.
func (h *registerHistory) maelstrom(p history.Pair) (key int64, op porcupine.Operation, ok bool) {
	inv, c := p.Invoke, p.Complete
	switch {
	case !p.Done || c.Type == history.Info:
		if inv.F == "read" {
			return 0, op, false
		}
		index := inv.Index
		if p.Done {
			index = c.Index
		}
		key, op = h.operation(inv, input(inv), Output{Unknown: true}, math.MaxInt64, index)
		return key, op, true
	case c.Type == history.OK:
		out := Output{}
		if c.F == "read" {
			out.Value = Value(c.Value)
		}
		key, op = h.operation(inv, input(inv), out, int64(c.Time), c.Index)
		return key, op, true
	}
	return 0, op, false
}

// operation is the porcupine operation of inv that returned out at ret; index is its
// completion's index in the history.
func (h *registerHistory) operation(inv history.Op, in Input, out Output, ret int64, index int) (int64, porcupine.Operation) {
	ids := h.clientIDs[inv.Key]
	if ids == nil {
		ids = map[int]int{}
		h.clientIDs[inv.Key] = ids
	}
	id, ok := ids[inv.Process]
	if !ok {
		id = len(ids)
		ids[inv.Process] = id
	}
	return inv.Key, porcupine.Operation{ClientId: id, Input: in, Call: int64(inv.Time), Output: out, Return: ret, Metadata: index}
}

// input is the register op an invocation asks for.
func input(inv history.Op) Input {
	in := Input{}
	switch inv.F {
	case "read":
		in.Op = opRead
	case "write":
		in.Op = opWrite
		in.A = Value(inv.Value)
	case "cas":
		in.Op = opCas
		var ft [2]json.RawMessage
		json.Unmarshal(inv.Value, &ft)
		in.A, in.B = Value(ft[0]), Value(ft[1])
	}
	return in
}

// Linearizable checks every key's subhistory in parallel, each with the
// given timeout (0 means none); a key that times out is unknown.
func Linearizable(ops []history.Op, timeout time.Duration) *LinResult {
	return linearizable(history.ClientPairs(ops), timeout, func(int64) bool { return false })
}

// Check runs Maelstrom's check (Linearizable) and the observations check
// (Observations) on ops, each key within timeout, and returns what each
// returns, at about the cost of the second alone. A key whose observations
// check passes is linearizable by Maelstrom's rules too: its operations are
// the same but for the :ok reads of nil, which Maelstrom's rules accept at any
// point, and the observations, which change nothing and can be taken out of
// a linearization. So porcupine only runs Maelstrom's check on the keys that
// failed (or timed out) the observations check.
func Check(ops []history.Op, timeout time.Duration) (*LinResult, *ObservationsResult) {
	pairs := history.ClientPairs(ops)
	obs := observations(pairs, timeout)
	lin := linearizable(pairs, timeout, func(k int64) bool {
		r := obs.Key(k)
		return r != nil && r.Valid == Valid
	})
	return lin, obs
}

// linearizable is Linearizable, with the keys known to be linearizable
// judged valid without porcupine.
func linearizable(pairs []history.Pair, timeout time.Duration, known func(key int64) bool) *LinResult {
	byKey := operations(pairs)
	res := &LinResult{}
	res.Results, res.keys, res.Failures, res.Valid = judgeKeys(slices.Sorted(maps.Keys(byKey)), func(k int64) *KeyResult {
		if known(k) {
			r := newKeyResult(byKey[k])
			r.Valid = Valid
			return r
		}
		return checkKey(byKey[k], timeout)
	}, func(r *KeyResult) Validity { return r.Valid })
	return res
}

// judgeKeys checks every key in parallel and gathers what both history checks report of their
// keys: each key's result (by its decimal name for results.json, and by key), the keys that
// are invalid, in order, and the worst verdict.
func judgeKeys[R any](keys []int64, check func(key int64) R, validity func(R) Validity) (map[string]R, map[int64]R, []int64, Validity) {
	results := make([]R, len(keys))
	inParallel(len(keys), func(i int) { results[i] = check(keys[i]) })
	named, byKey, failures := make(map[string]R, len(keys)), make(map[int64]R, len(keys)), []int64{}
	vs := make([]Validity, len(keys))
	for i, k := range keys {
		named[strconv.FormatInt(k, 10)], byKey[k], vs[i] = results[i], results[i], validity(results[i])
		if vs[i] == Invalid {
			failures = append(failures, k)
		}
	}
	return named, byKey, failures, Worst(vs...)
}

// newKeyResult is the result of a key's ops before porcupine has judged them.
func newKeyResult(ops []porcupine.Operation) *KeyResult {
	r := &KeyResult{Analyzer: "porcupine", OpCount: len(ops), ops: ops}
	for _, op := range ops {
		if op.Output.(Output).Unknown {
			r.InfoCount++
		}
	}
	return r
}

// checkKey judges a key's ops with porcupine.
func checkKey(ops []porcupine.Operation, timeout time.Duration) *KeyResult {
	r := newKeyResult(ops)
	switch porcupine.CheckOperationsTimeout(Model, ops, timeout) {
	case porcupine.Ok:
		r.Valid = Valid
	case porcupine.Illegal:
		r.Valid = Invalid
		// Check again, verbosely, for the partial linearizations that the
		// visualization draws; bounded, since it only serves the picture.
		vt := timeout
		if vt <= 0 {
			vt = time.Minute
		}
		_, r.info = porcupine.CheckOperationsVerbose(Model, ops, vt)
	default:
		r.Valid = Unknown
		r.Error = "porcupine timed out after " + timeout.String()
	}
	return r
}

// inParallel calls f(0) ... f(n-1), as many at once as there are
// processors: keys are independent, so each key's check runs on its own.
func inParallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}
