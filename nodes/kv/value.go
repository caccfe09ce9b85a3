package kv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting Canonical accepts, so hostile input cannot exhaust the stack.
const maxDepth = 512

// Canonical returns the canonical text of one JSON value: two values have the same text
// exactly when Clojure's = holds between them as Maelstrom parses them. This is the project's
// one value equality; the store indexes keys and compares cas preconditions with it, and the
// harness's checker (harness/internal/check) builds its register states from it, so a node and
// the checker that judges it can never disagree on whether two values are equal.
//
// Maelstrom reads JSON with Jackson: an integer becomes a long or a BigInteger, any number
// with a fraction or an exponent a double, and Clojure's = compares within those categories
// only. Hence:
//   - integers keep their digits, so big integers stay exact; -0 is 0;
//   - a float is the double it parses to, written in one normal form that always has a '.' or
//     an exponent, so 3.0, 3.00 and 30e-1 are equal, and no float equals any integer (3 is not
//     3.0); -0.0 equals 0.0, and a float beyond the double range is infinite, as in Java;
//   - a string is its sequence of UTF-16 code units: escapes are decoded ("\u0041" is "A"), a
//     lone surrogate escape stays distinct, and a byte that is not UTF-8 reads as U+FFFD;
//   - arrays compare element by element, objects member by member whatever their order, the
//     last of duplicate names winning, as Jackson's reader does.
//
// Whitespace outside strings is insignificant. Input that is not exactly one JSON value fails
// with ErrBadJSON.
func Canonical(raw json.RawMessage) (string, error) {
	if s, ok := plainInteger(raw); ok {
		return s, nil // the common case: no scanner, no copy beyond the string
	}
	c := canonicalizer{in: raw}
	c.space()
	out, err := c.value(nil, 0)
	if err == nil {
		c.space()
		if c.i != len(c.in) {
			err = c.errorf("trailing data")
		}
	}
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// plainInteger recognises an integer literal with no surrounding space, which is its own
// canonical text ("-0" excepted).
func plainInteger(raw []byte) (string, bool) {
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || (digits[0] == '0' && len(digits) > 1) {
		return "", false
	}
	for _, b := range digits {
		if b < '0' || b > '9' {
			return "", false
		}
	}
	if len(digits) == 1 && digits[0] == '0' {
		return "0", true
	}
	return string(raw), true
}

// canonicalizer walks one JSON text and appends its canonical form.
type canonicalizer struct {
	in []byte
	i  int
}

func (c *canonicalizer) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at offset %d of %.40q", ErrBadJSON, fmt.Sprintf(format, args...), c.i, c.in)
}

func (c *canonicalizer) space() {
	for c.i < len(c.in) && strings.IndexByte(" \t\n\r", c.in[c.i]) >= 0 {
		c.i++
	}
}

// value appends the canonical form of the value at c.i to dst.
func (c *canonicalizer) value(dst []byte, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, c.errorf("nesting deeper than %d", maxDepth)
	}
	if c.i >= len(c.in) {
		return nil, c.errorf("expected a value")
	}
	switch b := c.in[c.i]; {
	case b == '{':
		return c.object(dst, depth)
	case b == '[':
		return c.array(dst, depth)
	case b == '"':
		return c.str(dst)
	case b == '-' || (b >= '0' && b <= '9'):
		return c.number(dst)
	}
	for _, lit := range []string{"null", "true", "false"} {
		if bytes.HasPrefix(c.in[c.i:], []byte(lit)) {
			c.i += len(lit)
			return append(dst, lit...), nil
		}
	}
	return nil, c.errorf("unexpected %q", c.in[c.i])
}

// expect consumes b, after optional whitespace.
func (c *canonicalizer) expect(b byte) error {
	c.space()
	if c.i >= len(c.in) || c.in[c.i] != b {
		return c.errorf("expected %q", b)
	}
	c.i++
	return nil
}

// more reports, after a member or an element, whether another follows before the closing
// bracket, consuming the comma or the bracket.
func (c *canonicalizer) more(closing byte) (bool, error) {
	c.space()
	if c.i < len(c.in) && c.in[c.i] == ',' {
		c.i++
		return true, nil
	}
	return false, c.expect(closing)
}

// empty consumes the closing bracket of an empty object or array, if it comes next.
func (c *canonicalizer) empty(closing byte) bool {
	c.space()
	if c.i < len(c.in) && c.in[c.i] == closing {
		c.i++
		return true
	}
	return false
}

func (c *canonicalizer) array(dst []byte, depth int) ([]byte, error) {
	c.i++ // '['
	dst = append(dst, '[')
	if c.empty(']') {
		return append(dst, ']'), nil
	}
	for first := true; ; first = false {
		if !first {
			dst = append(dst, ',')
		}
		c.space()
		var err error
		if dst, err = c.value(dst, depth+1); err != nil {
			return nil, err
		}
		if more, err := c.more(']'); err != nil || !more {
			return append(dst, ']'), err
		}
	}
}

// object sorts members by canonical name, so member order does not matter; of duplicate
// names the last wins.
func (c *canonicalizer) object(dst []byte, depth int) ([]byte, error) {
	c.i++ // '{'
	members := map[string][]byte{}
	for more := !c.empty('}'); more; {
		c.space()
		if c.i >= len(c.in) || c.in[c.i] != '"' {
			return nil, c.errorf("expected a member name")
		}
		name, err := c.str(nil)
		if err != nil {
			return nil, err
		}
		if err := c.expect(':'); err != nil {
			return nil, err
		}
		c.space()
		v, err := c.value(nil, depth+1)
		if err != nil {
			return nil, err
		}
		members[string(name)] = v
		if more, err = c.more('}'); err != nil {
			return nil, err
		}
	}
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	slices.Sort(names)
	dst = append(dst, '{')
	for i, name := range names {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(append(append(dst, name...), ':'), members[name]...)
	}
	return append(dst, '}'), nil
}

// number appends an integer as its digits and a float as the double it parses to.
func (c *canonicalizer) number(dst []byte) ([]byte, error) {
	start := c.i
	if c.in[c.i] == '-' {
		c.i++
	}
	switch n := c.digits(); {
	case n == 0:
		return nil, c.errorf("expected a digit")
	case n > 1 && c.in[c.i-n] == '0':
		return nil, c.errorf("leading zero")
	}
	float := false
	if c.i < len(c.in) && c.in[c.i] == '.' {
		c.i++
		if c.digits() == 0 {
			return nil, c.errorf("expected a digit after '.'")
		}
		float = true
	}
	if c.i < len(c.in) && (c.in[c.i] == 'e' || c.in[c.i] == 'E') {
		c.i++
		if c.i < len(c.in) && (c.in[c.i] == '+' || c.in[c.i] == '-') {
			c.i++
		}
		if c.digits() == 0 {
			return nil, c.errorf("expected a digit in the exponent")
		}
		float = true
	}
	text := string(c.in[start:c.i])
	if !float {
		if text == "-0" {
			text = "0"
		}
		return append(dst, text...), nil
	}
	// Out of range parses to an infinity (or zero), as Java's parseDouble does.
	f, _ := strconv.ParseFloat(text, 64)
	switch {
	case f == 0:
		return append(dst, "0.0"...), nil // -0.0 = 0.0 under Clojure's =
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...), nil
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...), nil
	}
	out := strconv.AppendFloat(dst, f, 'g', -1, 64)
	if !slices.ContainsFunc(out[len(dst):], func(b byte) bool { return b == '.' || b == 'e' }) {
		out = append(out, ".0"...) // 3.0 stays apart from 3
	}
	return out, nil
}

func (c *canonicalizer) digits() int {
	start := c.i
	for c.i < len(c.in) && c.in[c.i] >= '0' && c.in[c.i] <= '9' {
		c.i++
	}
	return c.i - start
}

// str appends a string as its code units: characters as UTF-8, escaped only where JSON
// requires it, and a lone surrogate as a \u escape (no character encodes to one).
func (c *canonicalizer) str(dst []byte) ([]byte, error) {
	c.i++ // '"'
	dst = append(dst, '"')
	for {
		if c.i >= len(c.in) {
			return nil, c.errorf("unterminated string")
		}
		switch b := c.in[c.i]; {
		case b == '"':
			c.i++
			return append(dst, '"'), nil
		case b < 0x20:
			return nil, c.errorf("control character in a string")
		case b == '\\':
			r, err := c.escape()
			if err != nil {
				return nil, err
			}
			if utf16.IsSurrogate(r) {
				dst = fmt.Appendf(dst, `\u%04x`, r)
			} else {
				dst = appendRune(dst, r)
			}
		default:
			r, n := utf8.DecodeRune(c.in[c.i:])
			c.i += n
			dst = appendRune(dst, r)
		}
	}
}

// escape decodes the escape at c.i, joining a surrogate pair into one character.
func (c *canonicalizer) escape() (rune, error) {
	r, err := c.escapeUnit()
	if err != nil || !utf16.IsSurrogate(r) || r >= 0xdc00 {
		return r, err
	}
	if c.i+1 < len(c.in) && c.in[c.i] == '\\' && c.in[c.i+1] == 'u' {
		save := c.i
		low, err := c.escapeUnit()
		if err != nil {
			return 0, err
		}
		if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
			return pair, nil
		}
		c.i = save // not a low surrogate: it is the next unit, read on its own
	}
	return r, nil
}

// escapeUnit decodes one backslash escape to one UTF-16 code unit.
func (c *canonicalizer) escapeUnit() (rune, error) {
	if c.i+1 >= len(c.in) {
		return 0, c.errorf("unterminated escape")
	}
	e := c.in[c.i+1]
	c.i += 2
	if i := strings.IndexByte(`"\/bfnrt`, e); i >= 0 {
		return rune("\"\\/\b\f\n\r\t"[i]), nil
	}
	if e != 'u' || c.i+4 > len(c.in) {
		return 0, c.errorf("bad escape")
	}
	u, err := strconv.ParseUint(string(c.in[c.i:c.i+4]), 16, 16)
	if err != nil {
		return 0, c.errorf("bad \\u escape")
	}
	c.i += 4
	return rune(u), nil
}

// appendRune appends r as it appears inside a canonical string.
func appendRune(dst []byte, r rune) []byte {
	switch {
	case r == '"' || r == '\\':
		return append(dst, '\\', byte(r))
	case r < 0x20:
		return fmt.Appendf(dst, `\u%04x`, r)
	}
	return utf8.AppendRune(dst, r)
}
