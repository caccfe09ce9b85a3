package net

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/quorumkit/quorumkit/harness/internal/witness"
	"github.com/quorumkit/quorumkit/nodes"
)

// Message is one envelope travelling through the network.
type Message struct {
	// ID is the global message id assigned by Network.Send; the id a node
	// puts in its own envelope is replaced.
	ID int64
	// Src and Dest are node, client or service ids.
	Src, Dest string
	// Body is the raw JSON body (an object or null), passed through unchanged.
	Body json.RawMessage
	// Cause is the sender's vector clock when it sent the message, set by
	// Send from Config.Trace; it never reaches the receiver's stdin.
	Cause witness.Stamp
}

// ErrMalformed is wrapped by every error ParseLine returns.
var ErrMalformed = errors.New("net: malformed message")

// IsClient reports whether id names a client: Maelstrom treats every id that
// starts with "c" as a client.
func IsClient(id string) bool { return strings.HasPrefix(id, "c") }

// ParseLine validates one stdout line against Maelstrom's closed envelope
// schema: src and dest strings, body an object or null, an optional integer
// id, and no other key. Registration of src and dest is checked by Send.
// The returned body is a copy: line may be reused after the call.
//
// It uses the nodes package's one-pass scanner, the same code the nodes read
// their input with: this is the hot path of routing, one call per message.
func ParseLine(line []byte) (Message, error) {
	fields, err := nodes.ParseObject(bytes.TrimRight(line, "\r\n"))
	if err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var m Message
	var haveSrc, haveDest bool
	for _, f := range fields {
		v := f.Value
		switch f.Name {
		case "src", "dest":
			s, ok := nodes.String(v)
			if !ok {
				return Message{}, fmt.Errorf("%w: %s is not a string", ErrMalformed, f.Name)
			}
			if f.Name == "src" {
				m.Src, haveSrc = s, true
			} else {
				m.Dest, haveDest = s, true
			}
		case "body":
			if v[0] != '{' && string(v) != "null" {
				return Message{}, fmt.Errorf("%w: body is neither an object nor null", ErrMalformed)
			}
			m.Body = append(json.RawMessage(nil), v...)
		case "id":
			if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
				return Message{}, fmt.Errorf("%w: id is not an integer", ErrMalformed)
			}
		default:
			return Message{}, fmt.Errorf("%w: unexpected key %q", ErrMalformed, f.Name)
		}
	}
	if !haveSrc {
		return Message{}, fmt.Errorf("%w: missing src", ErrMalformed)
	}
	if !haveDest {
		return Message{}, fmt.Errorf("%w: missing dest", ErrMalformed)
	}
	if m.Body == nil {
		m.Body = json.RawMessage("null")
	}
	return m, nil
}

// AppendLine appends m's wire form, as a node receives it, plus a newline.
func (m *Message) AppendLine(buf []byte) []byte {
	buf = append(buf, `{"id":`...)
	buf = strconv.AppendInt(buf, m.ID, 10)
	buf = append(buf, `,"src":`...)
	buf = nodes.AppendString(buf, m.Src)
	buf = append(buf, `,"dest":`...)
	buf = nodes.AppendString(buf, m.Dest)
	buf = append(buf, `,"body":`...)
	if len(m.Body) == 0 {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, m.Body...)
	}
	return append(buf, "}\n"...)
}
