package workload

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
	"github.com/quorumkit/quorumkit/nodes"
)

// Completion is how an invocation ended.
type Completion struct {
	Type      history.Type
	Value     json.RawMessage
	Error     json.RawMessage
	Exception string
	// Witness is the quorum-witness verdict on the reply that ended the
	// op, or nil when no reply did (a timeout) or nothing judged it.
	Witness *witness.Verdict
	// Malformed is set when the reply broke Maelstrom's closed schemas (an
	// _ok body with a key it may not have, an error without an integer
	// code). Maelstrom only turns such a reply into an :info; the simulator
	// also reports it as a protocol problem of the node.
	Malformed bool
}

// Invoke is inv's invocation op for the history.
func (inv Invocation) Invoke() history.Op {
	value := inv.Value
	if inv.F == "read" {
		value = []byte("null")
	}
	return history.Op{Type: history.Invoke, F: inv.F, Process: inv.Process, Key: inv.Key, Value: value}
}

// Op is the completion op of inv for the history: a read that did not
// succeed read nothing, so its value is nil.
func (c Completion) Op(inv Invocation) history.Op {
	value := c.Value
	if inv.F == "read" && c.Type != history.OK {
		value = []byte("null")
	}
	return history.Op{Type: c.Type, F: inv.F, Process: inv.Process, Key: inv.Key,
		Value: value, Error: c.Error, Exception: c.Exception, Witness: c.Witness}
}

// Timeout is the completion of an op that got no reply in time: a read
// definitely did nothing (reads are idempotent), a write or cas may have.
func Timeout(inv Invocation) Completion {
	c := Completion{Type: history.Info, Value: inv.Value, Error: json.RawMessage(`"net-timeout"`)}
	if inv.F == "read" {
		c.Type = history.Fail
	}
	return c
}

// Classify maps a reply body to a completion following spec §3.4: a reply
// matching the closed _ok schema is :ok; an error with a definite code (in
// the one error table, nodes.Code) is :fail; an indefinite code is :fail for reads and :info otherwise; a reply
// that does not match the schema is :info, reads included.
func Classify(inv Invocation, body map[string]json.RawMessage) Completion {
	typ, _ := stringField(body["type"])
	if typ == "error" {
		return classifyError(inv, body)
	}
	if err := checkOK(inv.F, typ, body); err != nil {
		msg := "indeterminate: " + err.Error()
		e, _ := json.Marshal(msg)
		return Completion{Type: history.Info, Value: inv.Value, Error: e, Exception: "malformed-rpc-response: " + err.Error(), Malformed: true}
	}
	c := Completion{Type: history.OK, Value: inv.Value}
	if inv.F == "read" {
		var buf bytes.Buffer
		if json.Compact(&buf, body["value"]) == nil {
			c.Value = buf.Bytes()
		} else {
			c.Value = body["value"]
		}
	}
	return c
}

func classifyError(inv Invocation, body map[string]json.RawMessage) Completion {
	// A missing or non-integer code is no code of the table: "unknown", indefinite.
	code, malformed := nodes.Code(-1), true
	if raw, ok := body["code"]; ok {
		if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil {
			code, malformed = nodes.Code(n), false
		}
	}
	text := json.RawMessage("null")
	if raw, ok := body["text"]; ok {
		text = raw
	}
	name, _ := json.Marshal(code.Name())
	errJSON := json.RawMessage(`[` + string(name) + `,` + string(text) + `]`)
	c := Completion{Type: history.Fail, Value: inv.Value, Error: errJSON, Malformed: malformed}
	if !code.Definite() && inv.F != "read" {
		c.Type = history.Info
	}
	return c
}

// checkOK validates an _ok body against the closed schema of spec §4.1.
func checkOK(f, typ string, body map[string]json.RawMessage) error {
	if typ != f+"_ok" {
		return fmt.Errorf("expected type %s_ok, got %q", f, typ)
	}
	for k, v := range body {
		switch k {
		case "type", "in_reply_to":
		case "msg_id":
			if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
				return fmt.Errorf("msg_id %s is not an integer", v)
			}
		case "value":
			if f != "read" {
				return fmt.Errorf("disallowed key %q", k)
			}
		default:
			return fmt.Errorf("disallowed key %q", k)
		}
	}
	if _, ok := body["value"]; f == "read" && !ok {
		return fmt.Errorf("missing required key \"value\"")
	}
	return nil
}

func stringField(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}
