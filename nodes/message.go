package nodes

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// Sentinel errors for lines that are not Maelstrom messages.
var (
	ErrNotJSON        = errors.New("nodes: line is not a JSON object")
	ErrMissingField   = errors.New("nodes: message lacks src, dest or body")
	ErrBodyNotObject  = errors.New("nodes: body is not a JSON object")
	ErrBadHeaderField = errors.New("nodes: reserved body field has the wrong type")
)

// Message is one message Maelstrom delivered: the envelope plus the body's members, decoded
// once by the runtime, with the reserved fields (type, msg_id, in_reply_to) pulled out.
type Message struct {
	// Src and Dest are the sender and receiver ids.
	Src, Dest string
	// Body is the raw JSON object of the body; Fields are its top-level members.
	Body   json.RawMessage
	Fields Fields

	// Type is the body's "type" ("" when absent).
	Type string
	// MsgID is the body's "msg_id"; HasMsgID says whether it was present.
	MsgID    uint64
	HasMsgID bool
	// InReplyTo is the body's "in_reply_to"; HasInReplyTo says whether it was present.
	InReplyTo    uint64
	HasInReplyTo bool
}

// ParseMessage decodes one line of Maelstrom input. It fails when the line is not one JSON
// object with string src and dest and an object body, or when type, msg_id or in_reply_to
// have the wrong type; the returned message is then nil. Maelstrom's optional integer "id"
// and any other top-level member are ignored.
func ParseMessage(line []byte) (*Message, error) {
	top, err := ParseObject(line)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	rawSrc, rawDest, body := top.Get("src"), top.Get("dest"), top.Get("body")
	if rawSrc == nil || rawDest == nil || body == nil {
		return nil, ErrMissingField
	}
	src, ok1 := String(rawSrc)
	dest, ok2 := String(rawDest)
	if !ok1 || !ok2 {
		return nil, fmt.Errorf("%w: src and dest must be strings", ErrNotJSON)
	}
	return ParseBody(src, dest, body)
}

// ParseBody decodes a message body that came without its envelope, from src to dest, such as
// a client request one node hands to another. It fails like [ParseMessage] when body is not a
// JSON object or a reserved field has the wrong type.
func ParseBody(src, dest string, body json.RawMessage) (*Message, error) {
	m := &Message{Src: src, Dest: dest, Body: body}
	if len(body) == 0 || body[0] != '{' {
		return nil, ErrBodyNotObject
	}
	var err error
	if m.Fields, err = ParseObject(body); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBodyNotObject, err)
	}
	var ok1 bool
	if raw := m.Fields.Get("type"); raw != nil && !isNull(raw) {
		if m.Type, ok1 = String(raw); !ok1 {
			return nil, fmt.Errorf("%w: type is %s, not a string", ErrBadHeaderField, raw)
		}
	}
	if m.MsgID, m.HasMsgID, err = parseID(m.Fields.Get("msg_id")); err != nil {
		return nil, fmt.Errorf("%w: msg_id is %s, not a non-negative integer", ErrBadHeaderField, m.Fields.Get("msg_id"))
	}
	if m.InReplyTo, m.HasInReplyTo, err = parseID(m.Fields.Get("in_reply_to")); err != nil {
		return nil, fmt.Errorf("%w: in_reply_to is %s, not a non-negative integer", ErrBadHeaderField, m.Fields.Get("in_reply_to"))
	}
	return m, nil
}

// Outgoing is a message a machine wants sent. Body is marshalled once, by the writer, straight
// into the output line, so it must encode to a JSON object (a struct or a map).
type Outgoing struct {
	Dest string
	Body any
}

// BodyAppender is a body that encodes itself, for the bodies of the hot path. AppendLine
// trusts its output, so an implementation must append exactly one JSON object.
type BodyAppender interface {
	AppendBody(dst []byte) []byte
}

// AppendLine appends the wire form of a message from src, terminated by a newline, to dst. It
// fails, leaving dst as it was, if the body does not encode to a JSON object. A [BodyAppender]
// body is appended directly; any other body goes through encoding/json once.
func AppendLine(dst []byte, src string, out Outgoing) ([]byte, error) {
	start := len(dst)
	dst = append(dst, `{"src":`...)
	dst = AppendString(dst, src)
	dst = append(dst, `,"dest":`...)
	dst = AppendString(dst, out.Dest)
	dst = append(dst, `,"body":`...)
	dst, err := AppendBody(dst, out.Body)
	if err != nil {
		return dst[:start], fmt.Errorf("nodes: body for %s: %w", out.Dest, err)
	}
	return append(dst, "}\n"...), nil
}

// AppendBody appends the JSON encoding of a message body to dst, as AppendLine writes it: a
// [BodyAppender] directly, anything else through encoding/json once. It fails, leaving dst as
// it was, if the body does not encode to a JSON object.
func AppendBody(dst []byte, body any) ([]byte, error) {
	if a, ok := body.(BodyAppender); ok {
		return a.AppendBody(dst), nil
	}
	b, err := json.Marshal(body)
	if err != nil {
		return dst, fmt.Errorf("encode: %w", err)
	}
	if len(b) == 0 || b[0] != '{' {
		return dst, fmt.Errorf("encodes to %.40s, not an object", b)
	}
	return append(dst, b...), nil
}

// AppendString appends s as a JSON string. Ids and texts are usually plain, so the common case
// is a copy; anything else goes through encoding/json.
func AppendString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f {
			quoted, _ := json.Marshal(s) // a string always encodes
			return append(dst, quoted...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// parseID reads an optional message id: absent or null is (0, false).
func parseID(raw json.RawMessage) (uint64, bool, error) {
	if raw == nil || isNull(raw) {
		return 0, false, nil
	}
	n, err := strconv.ParseUint(string(raw), 10, 64)
	return n, err == nil, err
}

func isNull(raw json.RawMessage) bool { return bytes.Equal(raw, []byte("null")) }
