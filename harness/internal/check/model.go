package check

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/anishathalye/porcupine"

	"github.com/quorumkit/quorumkit/nodes/kv"
)

// Register op kinds. The first three are Maelstrom's; the others are observations that only the
// observations check (Observations) puts in its histories: completions that Maelstrom drops,
// yet which saw the register. None of them changes the register.
const (
	// opRead is an :ok read of Output.Value, judged by Maelstrom's rule (readLegal).
	opRead byte = iota
	// opWrite writes A.
	opWrite
	// opCas is an :ok (or, Output.Unknown, an :info) cas from A to B.
	opCas
	// opReadNil is a read that saw nil: answered error 20 (key does not exist), or an :ok read
	// of nil, which the observations check takes at its word.
	opReadNil
	// opCasNil is a cas answered error 20: it saw nil.
	opCasNil
	// opCasFailed is a cas answered error 22 (precondition failed): it saw a value other than
	// A, which nil also is.
	opCasFailed
)

// Input is a register op as the model sees it. Values are register values
// (see Value), so equality is Clojure's: 3 and 3.0 differ.
type Input struct {
	Op   byte
	A, B string
}

// Output is what the op returned: the value read, or Unknown for an op
// whose outcome is indeterminate (:info). Error names the error code of an
// observation that a definite error ended (Maelstrom's name of the code),
// for the pictures only.
type Output struct {
	Value   string
	Unknown bool
	Error   string
}

// Nil is the canonical form of JSON null, the register's initial state.
const Nil = "null"

// Model is the cas-register over canonical JSON values, starting at nil. It
// knows Maelstrom's read, write and cas, and the observations: a read or a
// cas that saw nil, and a cas that saw something other than its from. An
// operation's Metadata, when set, is its completion's index in the history.
var Model = porcupine.Model{
	Init: func() any { return Nil },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(string), input.(Input), output.(Output)
		switch in.Op {
		case opRead:
			return readLegal(s, out), s
		case opWrite:
			return true, in.A
		case opCas:
			if s == in.A {
				return true, in.B
			}
			// A cas that may not have happened leaves the state alone.
			return out.Unknown, s
		case opReadNil, opCasNil:
			return s == Nil, s
		case opCasFailed:
			return s != in.A, s
		}
		panic(fmt.Sprintf("check: unknown register op %d", in.Op))
	},
	DescribeOperation: describe,
	DescribeState:     func(state any) string { return state.(string) },
	DescribeOperationMetadata: func(info any) string {
		if i, ok := info.(int); ok {
			return "history index " + strconv.Itoa(i)
		}
		return ""
	},
}

// describe is an op as the pictures show it, e.g. "cas(1, 2) -> precondition-failed".
func describe(input, output any) string {
	in, out := input.(Input), output.(Output)
	suffix := ""
	if out.Unknown {
		suffix = " (info)"
	}
	switch in.Op {
	case opRead:
		return "read() -> " + out.Value + suffix
	case opReadNil:
		if out.Error != "" {
			return "read() -> " + out.Error
		}
		return "read() -> " + Nil
	case opWrite:
		return "write(" + in.A + ")" + suffix
	case opCasNil, opCasFailed:
		return fmt.Sprintf("cas(%s, %s) -> %s", in.A, in.B, out.Error)
	}
	return fmt.Sprintf("cas(%s, %s)%s", in.A, in.B, suffix)
}

// Value is the register value of a raw JSON value: its text under the one value equality,
// [kv.Canonical], which the nodes' store compares with too, so that the checker's = is the
// store's and Clojure's (3.0 = 3.00, 3 != 3.0, member order irrelevant). An absent value is
// nil; text that is not JSON (a node's garbage) keeps its own text behind a mark, so it equals
// nothing but the same garbage.
func Value(raw []byte) string {
	if len(bytes.TrimSpace(raw)) == 0 {
		return Nil
	}
	c, err := kv.Canonical(raw)
	if err != nil {
		return "not JSON: " + string(raw)
	}
	return c
}

// readLegal is Maelstrom's rule for reads, shared by the harness and the simulator: its
// cas-register accepts an :ok read of nil whatever the state (a node may answer a read of a
// key never written with null), any read whose outcome is unknown, and otherwise only the
// current value. A read answered with an error (20, key-does-not-exist, included) is a :fail
// and never reaches Maelstrom's check: Operations drops it. The observations check
// (Observations) keeps such a read, and an :ok read of nil, as opReadNil, which holds only
// when the register is nil.
func readLegal(state string, out Output) bool {
	return out.Unknown || out.Value == Nil || out.Value == state
}
