package check

import (
	"bytes"
	"fmt"

	"github.com/anishathalye/porcupine"

	"github.com/quorumkit/quorumkit/nodes/kv"
)

// Register op kinds.
const (
	opRead byte = iota
	opWrite
	opCas
)

// Input is a register op as the model sees it. Values are register values
// (see Value), so equality is Clojure's: 3 and 3.0 differ.
type Input struct {
	Op   byte
	A, B string
}

// Output is what the op returned: the value read, or Unknown for an op
// whose outcome is indeterminate (:info).
type Output struct {
	Value   string
	Unknown bool
}

// Nil is the canonical form of JSON null, the register's initial state.
const Nil = "null"

// Model is the cas-register over canonical JSON values, starting at nil.
var Model = porcupine.Model{
	Init: func() any { return Nil },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(string), input.(Input), output.(Output)
		switch in.Op {
		case opRead:
			return readLegal(s, out), s
		case opWrite:
			return true, in.A
		default:
			if s == in.A {
				return true, in.B
			}
			// A cas that may not have happened leaves the state alone.
			return out.Unknown, s
		}
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(Input), output.(Output)
		suffix := ""
		if out.Unknown {
			suffix = " (info)"
		}
		switch in.Op {
		case opRead:
			return "read() -> " + out.Value + suffix
		case opWrite:
			return "write(" + in.A + ")" + suffix
		}
		return fmt.Sprintf("cas(%s, %s)%s", in.A, in.B, suffix)
	},
	DescribeState: func(state any) string { return state.(string) },
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

// readLegal is the one rule for reads, shared by the harness and the simulator: Maelstrom's
// cas-register accepts an :ok read of nil whatever the state (a node may answer a read of a
// key never written with null), any read whose outcome is unknown, and otherwise only the
// current value. A read answered with an error (20, key-does-not-exist, included) is a :fail
// and never reaches the model: Operations drops it.
func readLegal(state string, out Output) bool {
	return out.Unknown || out.Value == Nil || out.Value == state
}
