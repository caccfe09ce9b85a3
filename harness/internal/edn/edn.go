package edn

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Place is where a string stands in the document: the key of the map entry
// whose value it is ("" if none), its index in the vector it is in (-1 if
// none), and its depth, the number of maps and vectors around it.
type Place struct {
	Key   string
	Index int
	Depth int
}

// Style says how a document is written where Clojure's notation leaves a
// choice. The zero Style writes every map key and string as a string, and
// every map on one line.
type Style struct {
	// KeywordKeys writes map keys as keywords (:name), an integer-looking
	// key as an integer, and a key that cannot be a keyword as a string.
	KeywordKeys bool
	// Pretty puts each map entry after the first on a line of its own,
	// indented by the map's depth plus one.
	Pretty bool
	// Keyword, when set, tells which strings are written as keywords.
	Keyword func(s string, at Place) bool
}

// Encode converts a JSON document to EDN in style s, keeping the order of
// map keys and the text of numbers.
func (s Style) Encode(doc []byte) (string, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var sb strings.Builder
	if err := s.value(d, &sb, Place{Index: -1}); err != nil {
		return "", fmt.Errorf("edn: %w", err)
	}
	return sb.String(), nil
}

// value writes the next value of d, standing at at.
func (s Style) value(d *json.Decoder, sb *strings.Builder, at Place) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return s.object(d, sb, at.Depth)
		}
		return s.array(d, sb, at.Depth)
	case nil:
		sb.WriteString("nil")
	case bool:
		sb.WriteString(strconv.FormatBool(t))
	case json.Number:
		sb.WriteString(t.String())
	case string:
		if s.Keyword != nil && s.Keyword(t, at) {
			sb.WriteString(":" + t)
		} else {
			sb.WriteString(strconv.Quote(t))
		}
	}
	return nil
}

// object writes the entries of a map whose '{' was read, at depth.
func (s Style) object(d *json.Decoder, sb *strings.Builder, depth int) error {
	sep := ", "
	if s.Pretty {
		sep = ",\n" + strings.Repeat(" ", depth+1)
	}
	sb.WriteByte('{')
	for first := true; d.More(); first = false {
		kt, err := d.Token()
		if err != nil {
			return err
		}
		k, _ := kt.(string)
		if !first {
			sb.WriteString(sep)
		}
		sb.WriteString(s.key(k) + " ")
		if err := s.value(d, sb, Place{Key: k, Index: -1, Depth: depth + 1}); err != nil {
			return err
		}
	}
	sb.WriteByte('}')
	_, err := d.Token()
	return err
}

// array writes the elements of a vector whose '[' was read, at depth.
func (s Style) array(d *json.Decoder, sb *strings.Builder, depth int) error {
	sb.WriteByte('[')
	for i := 0; d.More(); i++ {
		if i > 0 {
			sb.WriteByte(' ')
		}
		if err := s.value(d, sb, Place{Index: i, Depth: depth + 1}); err != nil {
			return err
		}
	}
	sb.WriteByte(']')
	_, err := d.Token()
	return err
}

// key renders a map key.
func (s Style) key(k string) string {
	if !s.KeywordKeys {
		return strconv.Quote(k)
	}
	if _, err := strconv.ParseInt(k, 10, 64); err == nil {
		return k
	}
	if k == "" || strings.ContainsAny(k, " \t\n\"(){}[],;") {
		return strconv.Quote(k)
	}
	return ":" + k
}
