package nodes

import (
	"fmt"
	"strconv"
)

// Code is a Maelstrom error code (spec §3.2). Codes 0-999 are reserved for Maelstrom; any code
// missing from the table is indefinite.
type Code int

// Maelstrom's error codes.
const (
	Timeout                Code = 0
	NodeNotFound           Code = 1
	NotSupported           Code = 10
	TemporarilyUnavailable Code = 11
	MalformedRequest       Code = 12
	Crash                  Code = 13
	Abort                  Code = 14
	KeyDoesNotExist        Code = 20
	KeyAlreadyExists       Code = 21
	PreconditionFailed     Code = 22
	TxnConflict            Code = 30
)

// codeInfo is one row of the error table.
type codeInfo struct {
	name string
	// definite means the operation certainly did not happen and never will.
	definite bool
}

// codes is the one table of Maelstrom's error codes.
var codes = map[Code]codeInfo{
	Timeout:                {"timeout", false},
	NodeNotFound:           {"node-not-found", true},
	NotSupported:           {"not-supported", true},
	TemporarilyUnavailable: {"temporarily-unavailable", true},
	MalformedRequest:       {"malformed-request", true},
	Crash:                  {"crash", false},
	Abort:                  {"abort", true},
	KeyDoesNotExist:        {"key-does-not-exist", true},
	KeyAlreadyExists:       {"key-already-exists", true},
	PreconditionFailed:     {"precondition-failed", true},
	TxnConflict:            {"txn-conflict", true},
}

// Name returns Maelstrom's name for the code, or "unknown" for a code outside the table.
func (c Code) Name() string {
	if info, ok := codes[c]; ok {
		return info.name
	}
	return "unknown"
}

// Definite reports whether an error with this code means the operation certainly did not
// happen and never will. Unknown codes are indefinite.
func (c Code) Definite() bool { return codes[c].definite }

// String returns the name and the number, e.g. "precondition-failed(22)".
func (c Code) String() string { return fmt.Sprintf("%s(%d)", c.Name(), int(c)) }

// Error is an error that becomes a Maelstrom "error" reply when a handler returns it.
type Error struct {
	Code Code
	Text string
}

// Errorf returns an *Error with the given code and a formatted text.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Text: fmt.Sprintf(format, args...)}
}

// Error implements the error interface.
func (e *Error) Error() string { return e.Code.String() + ": " + e.Text }

// ErrorBody is the body of an error reply: {"type":"error","in_reply_to":n,"code":c,"text":t}.
// Type is always "error"; AppendBody writes it whatever the field holds.
type ErrorBody struct {
	Type      string `json:"type"`
	InReplyTo uint64 `json:"in_reply_to"`
	Code      Code   `json:"code"`
	Text      string `json:"text,omitempty"`
}

// NewErrorBody returns the error reply to the request whose msg_id is inReplyTo.
func NewErrorBody(inReplyTo uint64, err *Error) ErrorBody {
	return ErrorBody{Type: "error", InReplyTo: inReplyTo, Code: err.Code, Text: err.Text}
}

// AppendBody implements [BodyAppender].
func (b ErrorBody) AppendBody(dst []byte) []byte {
	dst = append(dst, `{"type":"error","in_reply_to":`...)
	dst = strconv.AppendUint(dst, b.InReplyTo, 10)
	dst = append(dst, `,"code":`...)
	dst = strconv.AppendInt(dst, int64(b.Code), 10)
	if b.Text != "" {
		dst = append(dst, `,"text":`...)
		dst = AppendString(dst, b.Text)
	}
	return append(dst, '}')
}
