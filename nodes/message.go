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

// Message is one message Maelstrom delivered: the envelope plus the reserved body fields, decoded
// once by the runtime. Body holds the whole body, reserved fields included, for the machine to
// decode into its own request type.
type Message struct {
	// Src and Dest are the sender and receiver ids.
	Src, Dest string
	// Body is the raw JSON object of the body.
	Body json.RawMessage

	// Type is the body's "type" ("" when absent).
	Type string
	// MsgID is the body's "msg_id"; HasMsgID says whether it was present.
	MsgID    uint64
	HasMsgID bool
	// InReplyTo is the body's "in_reply_to"; HasInReplyTo says whether it was present.
	InReplyTo    uint64
	HasInReplyTo bool
}

// envelope is the wire form of a received message. Maelstrom's optional integer "id" is accepted
// and ignored.
type envelope struct {
	Src  *string         `json:"src"`
	Dest *string         `json:"dest"`
	Body json.RawMessage `json:"body"`
}

// header is the reserved part of a body. Numbers stay raw so that a bad msg_id is reported as
// such rather than aborting the decode.
type header struct {
	Type      json.RawMessage `json:"type"`
	MsgID     json.RawMessage `json:"msg_id"`
	InReplyTo json.RawMessage `json:"in_reply_to"`
}

// ParseMessage decodes one line of Maelstrom input. It fails when the line is not a JSON
// object with string src and dest and an object body, or when type, msg_id or in_reply_to have
// the wrong type; the returned message is then nil.
func ParseMessage(line []byte) (*Message, error) {
	var env envelope
	if err := json.Unmarshal(line, &env); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotJSON, err)
	}
	if env.Src == nil || env.Dest == nil || env.Body == nil {
		return nil, ErrMissingField
	}
	if len(env.Body) == 0 || env.Body[0] != '{' {
		return nil, ErrBodyNotObject
	}
	var h header
	if err := json.Unmarshal(env.Body, &h); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBodyNotObject, err)
	}
	m := &Message{Src: *env.Src, Dest: *env.Dest, Body: env.Body}
	var err error
	if h.Type != nil && !isNull(h.Type) {
		if err = json.Unmarshal(h.Type, &m.Type); err != nil {
			return nil, fmt.Errorf("%w: type is %s, not a string", ErrBadHeaderField, h.Type)
		}
	}
	if m.MsgID, m.HasMsgID, err = parseID(h.MsgID); err != nil {
		return nil, fmt.Errorf("%w: msg_id is %s, not a non-negative integer", ErrBadHeaderField, h.MsgID)
	}
	if m.InReplyTo, m.HasInReplyTo, err = parseID(h.InReplyTo); err != nil {
		return nil, fmt.Errorf("%w: in_reply_to is %s, not a non-negative integer", ErrBadHeaderField, h.InReplyTo)
	}
	return m, nil
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

// Outgoing is a message a machine wants sent. Body is marshalled once, by the writer, straight
// into the output line, so it must encode to a JSON object (a struct or a map).
type Outgoing struct {
	Dest string
	Body any
}

// AppendLine appends the wire form of a message from src, terminated by a newline, to dst. It
// fails, leaving dst as it was, if the body does not encode to a JSON object.
func AppendLine(dst []byte, src string, out Outgoing) ([]byte, error) {
	body, err := json.Marshal(out.Body)
	if err != nil {
		return dst, fmt.Errorf("nodes: encode body for %s: %w", out.Dest, err)
	}
	if len(body) == 0 || body[0] != '{' {
		return dst, fmt.Errorf("nodes: body for %s encodes to %.40s, not an object", out.Dest, body)
	}
	dst = append(dst, `{"src":`...)
	dst = appendString(dst, src)
	dst = append(dst, `,"dest":`...)
	dst = appendString(dst, out.Dest)
	dst = append(dst, `,"body":`...)
	dst = append(dst, body...)
	return append(dst, "}\n"...), nil
}

// appendString appends s as a JSON string. Node and client ids are short and plain, so the
// common case is a copy; anything else goes through encoding/json.
func appendString(dst []byte, s string) []byte {
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
