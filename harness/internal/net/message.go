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
// The returned body is a copy: line may be reused after the call.
//
// It scans the top-level object by hand, after json.Valid has vouched for
// the syntax, because this is the hot path of routing: one call per message.
func ParseLine(line []byte) (Message, error) {
	line = bytes.TrimRight(line, "\r\n")
	if !json.Valid(line) {
		return Message{}, fmt.Errorf("%w: not valid JSON", ErrMalformed)
	}
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return Message{}, fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	i++
	var m Message
	var haveSrc, haveDest bool
	for {
		i = skipSpace(line, i)
		if line[i] == '}' {
			break
		}
		if line[i] == ',' {
			i = skipSpace(line, i+1)
		}
		kEnd := stringEnd(line, i)
		key, err := decodeString(line[i:kEnd])
		if err != nil {
			return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		i = skipSpace(line, kEnd)
		i = skipSpace(line, i+1) // the colon
		vEnd := valueEnd(line, i)
		v := line[i:vEnd]
		i = vEnd
		switch key {
		case "src", "dest":
			if v[0] != '"' {
				return Message{}, fmt.Errorf("%w: %s is not a string", ErrMalformed, key)
			}
			s, err := decodeString(v)
			if err != nil {
				return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
			if key == "src" {
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
			return Message{}, fmt.Errorf("%w: unexpected key %q", ErrMalformed, key)
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

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the JSON string starting at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// valueEnd returns the index just past the JSON value starting at b[i],
// which json.Valid has already checked.
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// decodeString decodes a JSON string literal, quickly when it has no escapes.
func decodeString(lit []byte) (string, error) {
	if len(lit) >= 2 && bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1 : len(lit)-1]), nil
	}
	var s string
	err := json.Unmarshal(lit, &s)
	return s, err
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
