package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/anishathalye/porcupine"
)

// Register op kinds.
const (
	opRead byte = iota
	opWrite
	opCas
)

// Input is a register op as the model sees it. Values are canonical JSON
// (see Canonical), so equality is Clojure's: 3 and 3.0 differ.
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
			return out.Unknown || out.Value == Nil || out.Value == s, s
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

// Canonical renders a JSON value so that equal values (in Clojure's sense)
// have equal text: whitespace is removed, integers stay integers, and
// floats get one normal form that still differs from any integer.
func Canonical(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return Nil
	}
	if c := raw[0]; c == '-' || (c >= '0' && c <= '9') {
		s := string(raw)
		if !bytes.ContainsAny(raw, ".eE") {
			return s
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return s
		}
		out := strconv.FormatFloat(f, 'g', -1, 64)
		if !bytes.ContainsAny([]byte(out), ".eEn") {
			out += ".0"
		}
		return out
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return string(raw)
	}
	return buf.String()
}
