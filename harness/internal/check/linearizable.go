package check

import (
	"encoding/json"
	"math"
	"runtime"
	"sort"
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
// per key: :fail ops are removed, :ok reads carry the value read, :info
// ops and invocations left open return at the end of time with an unknown
// output, and :info reads are dropped (a read changes nothing).
func Operations(ops []history.Op) map[int64][]porcupine.Operation {
	byKey := map[int64][]porcupine.Operation{}
	clientIDs := map[int64]map[int]int{}
	add := func(inv history.Op, out Output, ret int64) {
		ids := clientIDs[inv.Key]
		if ids == nil {
			ids = map[int]int{}
			clientIDs[inv.Key] = ids
		}
		id, ok := ids[inv.Process]
		if !ok {
			id = len(ids)
			ids[inv.Process] = id
		}
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
		byKey[inv.Key] = append(byKey[inv.Key], porcupine.Operation{
			ClientId: id, Input: in, Call: int64(inv.Time), Output: out, Return: ret,
		})
	}
	for _, p := range history.ClientPairs(ops) {
		inv, op := p.Invoke, p.Complete
		switch {
		case !p.Done || op.Type == history.Info:
			if inv.F != "read" {
				add(inv, Output{Unknown: true}, math.MaxInt64)
			}
		case op.Type == history.OK:
			out := Output{}
			if op.F == "read" {
				out.Value = Value(op.Value)
			}
			add(inv, out, int64(op.Time))
		}
	}
	return byKey
}

// Linearizable checks every key's subhistory in parallel, each with the
// given timeout (0 means none); a key that times out is unknown.
func Linearizable(ops []history.Op, timeout time.Duration) *LinResult {
	byKey := Operations(ops)
	res := &LinResult{Results: map[string]*KeyResult{}, Failures: []int64{}, keys: map[int64]*KeyResult{}}
	keys := make([]int64, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	results := make([]*KeyResult, len(keys))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, k := range keys {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			results[i] = checkKey(byKey[k], timeout)
		}()
	}
	wg.Wait()
	var vs []Validity
	for i, k := range keys {
		r := results[i]
		res.Results[strconv.FormatInt(k, 10)] = r
		res.keys[k] = r
		vs = append(vs, r.Valid)
		if r.Valid == Invalid {
			res.Failures = append(res.Failures, k)
		}
	}
	res.Valid = Worst(vs...)
	return res
}

func checkKey(ops []porcupine.Operation, timeout time.Duration) *KeyResult {
	r := &KeyResult{Analyzer: "porcupine", OpCount: len(ops), ops: ops}
	for _, op := range ops {
		if op.Output.(Output).Unknown {
			r.InfoCount++
		}
	}
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
