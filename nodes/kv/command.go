package kv

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Op names the three operations.
type Op string

// The operations of Maelstrom's lin-kv workload.
const (
	OpRead  Op = "read"
	OpWrite Op = "write"
	OpCAS   Op = "cas"
)

// ErrBadCommand reports a command that lacks a field its operation needs.
var ErrBadCommand = errors.New("kv: malformed command")

// Command is one operation on the store. Key, Value, From and To hold raw JSON; absent fields
// are nil (a JSON null is the 4 bytes "null", not nil).
type Command struct {
	Op    Op              `json:"op"`
	Key   json.RawMessage `json:"k"`
	Value json.RawMessage `json:"v,omitempty"`
	From  json.RawMessage `json:"f,omitempty"`
	To    json.RawMessage `json:"t,omitempty"`
}

// Validate reports whether the command has the fields its operation needs, all valid JSON.
func (c *Command) Validate() error {
	switch c.Op {
	case OpRead:
		return need(c.Op, "key", c.Key)
	case OpWrite:
		return firstErr(need(c.Op, "key", c.Key), need(c.Op, "value", c.Value))
	case OpCAS:
		return firstErr(need(c.Op, "key", c.Key), need(c.Op, "from", c.From), need(c.Op, "to", c.To))
	}
	return fmt.Errorf("%w: unknown op %q", ErrBadCommand, c.Op)
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// need checks one field of a command.
func need(op Op, name string, raw json.RawMessage) error {
	if raw == nil {
		return fmt.Errorf("%w: %s needs %s", ErrBadCommand, op, name)
	}
	if _, err := Canonical(raw); err != nil {
		return fmt.Errorf("%w: %s of %s is not JSON", ErrBadCommand, name, op)
	}
	return nil
}

// Result is the outcome of applying a command: the value read (reads only) or the error that
// makes it a definite failure (ErrKeyNotFound, ErrPreconditionFailed).
type Result struct {
	Value json.RawMessage
	Err   error
}

// Apply runs one command. A malformed command changes nothing and returns its error.
func (s *Store) Apply(c Command) Result {
	switch c.Op {
	case OpRead:
		v, err := s.Read(c.Key)
		return Result{Value: v, Err: err}
	case OpWrite:
		return Result{Err: s.Write(c.Key, c.Value)}
	case OpCAS:
		return Result{Err: s.CAS(c.Key, c.From, c.To)}
	}
	return Result{Err: fmt.Errorf("%w: unknown op %q", ErrBadCommand, c.Op)}
}
