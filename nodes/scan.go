package nodes

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ErrSyntax reports input that is not valid JSON.
var ErrSyntax = errors.New("nodes: JSON syntax error")

// maxDepth bounds the nesting the scanner accepts, so hostile input cannot exhaust the stack.
const maxDepth = 512

// Field is one member of a JSON object: its name, unescaped, and its value's raw text.
type Field struct {
	Name  string
	Value json.RawMessage
}

// Fields is the members of a JSON object, in input order.
type Fields []Field

// Get returns the raw value of the member called name, or nil. Like encoding/json, the last of
// duplicate names wins.
func (fs Fields) Get(name string) json.RawMessage {
	for i := len(fs) - 1; i >= 0; i-- {
		if fs[i].Name == name {
			return fs[i].Value
		}
	}
	return nil
}

// ParseObject checks that b is exactly one JSON object (with optional surrounding whitespace)
// and returns its top-level members. Values alias b. It validates the whole input as strictly
// as encoding/json does, in one pass and without reflection: this is the hot path of every
// message.
func ParseObject(b []byte) (Fields, error) {
	s := scanner{b: b}
	s.space()
	fields, err := s.object(0, true)
	if err != nil {
		return nil, err
	}
	s.space()
	if s.i != len(s.b) {
		return nil, s.errf("trailing data")
	}
	return fields, nil
}

// ValidValue reports whether b is exactly one JSON value.
func ValidValue(b []byte) bool {
	s := scanner{b: b}
	s.space()
	if s.value(0) != nil {
		return false
	}
	s.space()
	return s.i == len(s.b)
}

type scanner struct {
	b []byte
	i int
}

func (s *scanner) errf(format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", ErrSyntax, s.i, fmt.Sprintf(format, args...))
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// object scans an object at s.i; with keep it also returns its members.
func (s *scanner) object(depth int, keep bool) (Fields, error) {
	if depth > maxDepth {
		return nil, s.errf("nesting deeper than %d", maxDepth)
	}
	if s.i >= len(s.b) || s.b[s.i] != '{' {
		return nil, s.errf("expected an object")
	}
	s.i++
	var fields Fields
	if keep {
		fields = make(Fields, 0, 8)
	}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return fields, nil
	}
	for {
		s.space()
		start := s.i
		escaped, err := s.str()
		if err != nil {
			return nil, err
		}
		nameRaw := s.b[start:s.i]
		s.space()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return nil, s.errf("expected ':'")
		}
		s.i++
		s.space()
		vstart := s.i
		if err := s.value(depth + 1); err != nil {
			return nil, err
		}
		if keep {
			fields = append(fields, Field{Name: unquote(nameRaw, escaped), Value: s.b[vstart:s.i]})
		}
		s.space()
		if s.i >= len(s.b) {
			return nil, s.errf("unterminated object")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return fields, nil
		default:
			return nil, s.errf("expected ',' or '}'")
		}
	}
}

// value scans any JSON value at s.i.
func (s *scanner) value(depth int) error {
	if s.i >= len(s.b) {
		return s.errf("unexpected end")
	}
	switch c := s.b[s.i]; {
	case c == '{':
		_, err := s.object(depth, false)
		return err
	case c == '[':
		return s.array(depth)
	case c == '"':
		_, err := s.str()
		return err
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	}
	return s.errf("unexpected character %q", s.b[s.i])
}

func (s *scanner) array(depth int) error {
	if depth > maxDepth {
		return s.errf("nesting deeper than %d", maxDepth)
	}
	s.i++ // '['
	s.space()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for {
		s.space()
		if err := s.value(depth + 1); err != nil {
			return err
		}
		s.space()
		if s.i >= len(s.b) {
			return s.errf("unterminated array")
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.errf("expected ',' or ']'")
		}
	}
}

// str scans a string and reports whether it holds escapes.
func (s *scanner) str() (escaped bool, err error) {
	if s.i >= len(s.b) || s.b[s.i] != '"' {
		return false, s.errf("expected a string")
	}
	s.i++
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return escaped, nil
		case c < 0x20:
			return false, s.errf("control character in string")
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.b) {
				return false, s.errf("unterminated escape")
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return false, s.errf("short \\u escape")
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if !isHex(h) {
						return false, s.errf("bad \\u escape")
					}
				}
				s.i += 6
			default:
				return false, s.errf("bad escape")
			}
		default:
			s.i++
		}
	}
	return false, s.errf("unterminated string")
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// number scans -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *scanner) number() error {
	if s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9':
		s.digits()
	default:
		return s.errf("bad number")
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return s.errf("bad fraction")
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return s.errf("bad exponent")
		}
	}
	return nil
}

func (s *scanner) digits() int {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

func (s *scanner) literal(lit string) error {
	if len(s.b)-s.i < len(lit) || string(s.b[s.i:s.i+len(lit)]) != lit {
		return s.errf("bad literal")
	}
	s.i += len(lit)
	return nil
}

// unquote returns the text of a scanned string literal.
func unquote(raw []byte, escaped bool) string {
	if !escaped {
		return string(raw[1 : len(raw)-1])
	}
	var out string
	if err := json.Unmarshal(raw, &out); err != nil {
		panic(fmt.Sprintf("nodes: scanned string %q does not decode: %v", raw, err)) // the scanner accepted it
	}
	return out
}

// String returns the text of a raw JSON string value and whether it was one.
func String(raw json.RawMessage) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' {
		return "", false
	}
	s := scanner{b: raw}
	escaped, err := s.str()
	if err != nil || s.i != len(raw) {
		return "", false
	}
	return unquote(raw, escaped), true
}
