package net

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
}

// ErrMalformed is wrapped by every error ParseLine returns.
var ErrMalformed = errors.New("net: malformed message")

// IsClient reports whether id names a client: Maelstrom treats every id that
// starts with "c" as a client.
func IsClient(id string) bool { return strings.HasPrefix(id, "c") }

// ParseLine validates one stdout line against Maelstrom's closed envelope
// schema: src and dest strings, body an object or null, an optional integer
// id, and no other key. Registration of src and dest is checked by Send.
func ParseLine(line []byte) (Message, error) {
	var fields map[string]json.RawMessage
	line = bytes.TrimRight(line, "\r\n")
	if err := json.Unmarshal(line, &fields); err != nil {
		return Message{}, fmt.Errorf("%w: not a JSON object: %v", ErrMalformed, err)
	}
	if fields == nil {
		return Message{}, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var m Message
	for k, v := range fields {
		switch k {
		case "src":
			if err := json.Unmarshal(v, &m.Src); err != nil {
				return Message{}, fmt.Errorf("%w: src is not a string", ErrMalformed)
			}
		case "dest":
			if err := json.Unmarshal(v, &m.Dest); err != nil {
				return Message{}, fmt.Errorf("%w: dest is not a string", ErrMalformed)
			}
		case "body":
			if len(v) == 0 || (v[0] != '{' && string(v) != "null") {
				return Message{}, fmt.Errorf("%w: body is neither an object nor null", ErrMalformed)
			}
			m.Body = v
		case "id":
			if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
				return Message{}, fmt.Errorf("%w: id is not an integer", ErrMalformed)
			}
		default:
			return Message{}, fmt.Errorf("%w: unexpected key %q", ErrMalformed, k)
		}
	}
	if _, ok := fields["src"]; !ok {
		return Message{}, fmt.Errorf("%w: missing src", ErrMalformed)
	}
	if _, ok := fields["dest"]; !ok {
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
	buf = appendString(buf, m.Src)
	buf = append(buf, `,"dest":`...)
	buf = appendString(buf, m.Dest)
	buf = append(buf, `,"body":`...)
	if len(m.Body) == 0 {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, m.Body...)
	}
	return append(buf, "}\n"...)
}

// appendString appends s as a JSON string.
func appendString(buf []byte, s string) []byte {
	simple := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			simple = false
			break
		}
	}
	if simple {
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"')
	}
	b, _ := json.Marshal(s)
	return append(buf, b...)
}
