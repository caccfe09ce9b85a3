package history

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/edn"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
)

// Type is an op's :type.
type Type string

// The op types of a Jepsen history.
const (
	Invoke Type = "invoke"
	OK     Type = "ok"
	Fail   Type = "fail"
	Info   Type = "info"
)

// NemesisProcess is the Process of nemesis ops (Jepsen's :nemesis).
const NemesisProcess = -1

// Op is one history entry.
type Op struct {
	// Index is the op's position in the history, from 0.
	Index int
	// Type is invoke, ok, fail or info.
	Type Type
	// F is read, write or cas for clients; start-partition,
	// stop-partition, kill, start, pause or resume for the nemesis.
	F string
	// Process is the Jepsen process, or NemesisProcess.
	Process int
	// Time is nanoseconds since the run's clock started.
	Time time.Duration
	// Key is the client op's key (the k of [k v]).
	Key int64
	// Value is the v of [k v] as raw JSON: nil for a read invocation, the
	// value read, the value written, or [from, to] for a cas. For nemesis ops
	// it is the whole value.
	Value json.RawMessage
	// Error is the completion's error as raw JSON, e.g. "net-timeout" or
	// ["precondition-failed", "text"].
	Error json.RawMessage
	// Exception describes the exception behind an indeterminate :info.
	Exception string
	// Witness is the quorum-witness verdict on the reply that completed a
	// client op, nil when there was none. It is the harness's own and not
	// part of the history's JSON or EDN.
	Witness *witness.Verdict
}

// IsClient reports whether op was issued by a client worker.
func (op *Op) IsClient() bool { return op.Process != NemesisProcess }

// MarshalJSON writes op in Jepsen's shape: value is [k v] for client ops
// and process is "nemesis" for the nemesis.
func (op Op) MarshalJSON() ([]byte, error) {
	b := []byte(`{"index":`)
	b = strconv.AppendInt(b, int64(op.Index), 10)
	b = append(b, `,"type":"`...)
	b = append(b, op.Type...)
	b = append(b, `","f":`...)
	b = strconv.AppendQuote(b, op.F)
	b = append(b, `,"value":`...)
	b = append(b, op.ValueJSON()...)
	b = append(b, `,"process":`...)
	if op.IsClient() {
		b = strconv.AppendInt(b, int64(op.Process), 10)
	} else {
		b = append(b, `"nemesis"`...)
	}
	b = append(b, `,"time":`...)
	b = strconv.AppendInt(b, int64(op.Time), 10)
	if len(op.Error) > 0 {
		b = append(b, `,"error":`...)
		b = append(b, op.Error...)
	}
	if op.Exception != "" {
		b = append(b, `,"exception":`...)
		e, _ := json.Marshal(op.Exception)
		b = append(b, e...)
	}
	return append(b, '}'), nil
}

// ValueJSON is op's :value as JSON: [k v] for client ops.
func (op *Op) ValueJSON() []byte {
	v := op.Value
	if len(v) == 0 {
		v = json.RawMessage("null")
	}
	if !op.IsClient() {
		return v
	}
	b := []byte{'['}
	b = strconv.AppendInt(b, op.Key, 10)
	b = append(b, ',')
	b = append(b, v...)
	return append(b, ']')
}

// History is an append-only, concurrency-safe list of ops.
type History struct {
	clock clock.Clock
	mu    sync.Mutex
	zero  time.Duration
	ops   []Op
	tally Tally
}

// SetZero makes op times count from the clock time zero; set it once,
// before the first op.
func (h *History) SetZero(zero time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.zero = zero
}

// Since is the current time on the history's scale.
func (h *History) Since() time.Duration {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.clock.Now() - h.zero
}

// New returns an empty history timed by clk.
func New(clk clock.Clock) *History { return &History{clock: clk} }

// Append stamps op with the next index and the current time, stores it and
// returns the stamped copy.
func (h *History) Append(op Op) Op {
	h.mu.Lock()
	defer h.mu.Unlock()
	op.Index = len(h.ops)
	op.Time = h.clock.Now() - h.zero
	h.ops = append(h.ops, op)
	if op.IsClient() {
		switch op.Type {
		case OK:
			h.tally.OK++
		case Fail:
			h.tally.Fail++
		case Info:
			h.tally.Info++
		}
	}
	return op
}

// Ops returns a copy of the ops so far.
func (h *History) Ops() []Op {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Op(nil), h.ops...)
}

// WriteJSONL writes one JSON op per line.
func WriteJSONL(w io.Writer, ops []Op) error {
	return writeLines(w, ops, func(bw *bufio.Writer, op Op) {
		b, _ := op.MarshalJSON()
		bw.Write(b)
	})
}

// WriteText writes Maelstrom's history.txt: process, type, f, value and
// error separated by tabs, values in EDN-like notation.
func WriteText(w io.Writer, ops []Op) error {
	return writeLines(w, ops, func(bw *bufio.Writer, op Op) {
		fmt.Fprintf(bw, "%s\t:%s\t:%s\t%s", op.ednProcess(), op.Type, op.F, toEDN(ednValue, op.ValueJSON()))
		if len(op.Error) > 0 {
			fmt.Fprintf(bw, "\t%s", toEDN(ednNamed, op.Error))
		}
	})
}

// WriteEDN writes history.edn, one Jepsen op map per line, e.g.
// {:type :invoke, :f :read, :value [0 nil], :process 0, :time 12, :index 0}.
func WriteEDN(w io.Writer, ops []Op) error {
	return writeLines(w, ops, func(bw *bufio.Writer, op Op) {
		value := toEDN(ednValue, op.ValueJSON())
		if !op.IsClient() {
			value = toEDN(ednNamed, op.Value)
		}
		fmt.Fprintf(bw, "{:type :%s, :f :%s, :value %s, :process %s, :time %d, :index %d",
			op.Type, op.F, value, op.ednProcess(), int64(op.Time), op.Index)
		if len(op.Error) > 0 {
			fmt.Fprintf(bw, ", :error %s", toEDN(ednNamed, op.Error))
		}
		if op.Exception != "" {
			fmt.Fprintf(bw, ", :exception %s", strconv.Quote(op.Exception))
		}
		bw.WriteByte('}')
	})
}

// writeLines writes each op as one line, which line writes without its
// newline.
func writeLines(w io.Writer, ops []Op, line func(*bufio.Writer, Op)) error {
	bw := bufio.NewWriter(w)
	for _, op := range ops {
		line(bw, op)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// ednProcess is op's :process in EDN: the worker's number, or :nemesis.
func (op *Op) ednProcess() string {
	if op.IsClient() {
		return strconv.Itoa(op.Process)
	}
	return ":nemesis"
}

// ednValue writes values as history.txt and history.edn do: maps on one line
// with string keys, and the first string of a top-level vector (an error name
// or a nemesis tag, as in [:isolated ...] or [:precondition-failed "text"]) a
// keyword.
var ednValue = edn.Style{Keyword: func(s string, at edn.Place) bool {
	return at.Depth == 1 && at.Index == 0 && s != "" && !strings.ContainsAny(s, " \t\n\"")
}}

// ednNamed writes an error or a nemesis value as ednValue does, but a bare
// name such as "net-timeout" or "one" is a keyword too.
var ednNamed = edn.Style{Keyword: func(s string, at edn.Place) bool {
	return at.Depth == 0 && s != "" && !strings.ContainsAny(s, " \t\n\":") || ednValue.Keyword(s, at)
}}

// toEDN renders a small JSON value in style, or as it is when it is not
// JSON.
func toEDN(style edn.Style, raw []byte) string {
	out, err := style.Encode(raw)
	if err != nil {
		return string(raw)
	}
	return out
}

// Tally counts client completions by type, for the progress line.
type Tally struct {
	OK, Fail, Info int
}

// Tally returns the completion counts so far.
func (h *History) Tally() Tally {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tally
}

// Pair is one client operation: its invocation and, when Done, its completion.
type Pair struct {
	Invoke, Complete Op
	Done             bool
}

// ClientPairs matches each client completion with its process's open
// invocation, in completion order; invocations that never completed follow,
// in invocation order, with Done false. Nemesis ops and completions without
// an invocation are left out. Every checker and plot reads ops this way.
func ClientPairs(ops []Op) []Pair {
	open := map[int]Op{}
	pairs := make([]Pair, 0, len(ops)/2)
	for _, op := range ops {
		if !op.IsClient() {
			continue
		}
		if op.Type == Invoke {
			open[op.Process] = op
			continue
		}
		if inv, ok := open[op.Process]; ok {
			delete(open, op.Process)
			pairs = append(pairs, Pair{Invoke: inv, Complete: op, Done: true})
		}
	}
	var pending []Pair
	for _, inv := range open {
		pending = append(pending, Pair{Invoke: inv})
	}
	slices.SortFunc(pending, func(a, b Pair) int { return a.Invoke.Index - b.Invoke.Index })
	return append(pairs, pending...)
}
