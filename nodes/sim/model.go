package sim

import (
	"fmt"

	"github.com/anishathalye/porcupine"
)

// Input is one client operation as the checker sees it. Values are JSON texts.
type Input struct {
	Key      int
	Op       string // "read", "write" or "cas"
	Value    string // write
	From, To string // cas
}

// Output is what the client saw. Unknown means the outcome is indefinite (info): the operation
// may have taken effect at any point after it was invoked, or never.
type Output struct {
	Value   string // read
	Unknown bool
}

// absent is the register state of a key never written.
const absent = ""

// Model is Maelstrom's cas-register, one register per key. A read must see the current value;
// a write sets it; a cas needs the current value to be From. An indefinite write or cas is
// given a return time after the end of the history, so "never happened" is linearizing it
// last; an indefinite cas whose From does not match is a no-op.
var Model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[int][]porcupine.Operation{}
		var keys []int
		for _, op := range history {
			k := op.Input.(Input).Key
			if _, ok := byKey[k]; !ok {
				keys = append(keys, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		parts := make([][]porcupine.Operation, 0, len(keys))
		for _, k := range keys {
			parts = append(parts, byKey[k])
		}
		return parts
	},
	Init: func() any { return absent },
	Step: func(state, input, output any) (bool, any) {
		st, in, out := state.(string), input.(Input), output.(Output)
		switch in.Op {
		case "read":
			return out.Value == st, st
		case "write":
			return true, in.Value
		case "cas":
			if st == in.From {
				return true, in.To
			}
			return out.Unknown, st
		}
		panic(fmt.Sprintf("sim: unknown op %q", in.Op))
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(Input), output.(Output)
		res := "ok"
		if out.Unknown {
			res = "?"
		}
		switch in.Op {
		case "read":
			return fmt.Sprintf("read(%d) -> %s", in.Key, out.Value)
		case "write":
			return fmt.Sprintf("write(%d, %s) %s", in.Key, in.Value, res)
		}
		return fmt.Sprintf("cas(%d, %s -> %s) %s", in.Key, in.From, in.To, res)
	},
	DescribeState: func(state any) string {
		if state.(string) == absent {
			return "absent"
		}
		return state.(string)
	},
}
