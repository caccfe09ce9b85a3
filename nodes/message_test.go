package nodes

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestParseMessage(t *testing.T) {
	m, err := ParseMessage([]byte(`{"id":7,"src":"c1","dest":"n0","body":{"type":"cas","msg_id":3,"key":0,"from":1,"to":2}}`))
	require.NoError(t, err)
	require.Equal(t, "c1", m.Src)
	require.Equal(t, "n0", m.Dest)
	require.Equal(t, "cas", m.Type)
	require.True(t, m.HasMsgID)
	require.EqualValues(t, 3, m.MsgID)
	require.False(t, m.HasInReplyTo)
	require.JSONEq(t, `{"type":"cas","msg_id":3,"key":0,"from":1,"to":2}`, string(m.Body))

	m, err = ParseMessage([]byte(`{"src":"n1","dest":"n0","body":{"type":"read_ok","in_reply_to":9,"msg_id":null}}`))
	require.NoError(t, err)
	require.True(t, m.HasInReplyTo)
	require.EqualValues(t, 9, m.InReplyTo)
	require.False(t, m.HasMsgID, "a null msg_id is no msg_id")

	for _, tc := range []struct {
		name, line string
		want       error
	}{
		{"not json", `hello`, ErrNotJSON},
		{"array", `[1,2]`, ErrNotJSON},
		{"truncated", `{"src":"c1","dest":"n0","body":{"type":"read"`, ErrNotJSON},
		{"no src", `{"dest":"n0","body":{}}`, ErrMissingField},
		{"no dest", `{"src":"c1","body":{}}`, ErrMissingField},
		{"no body", `{"src":"c1","dest":"n0"}`, ErrMissingField},
		{"src not string", `{"src":1,"dest":"n0","body":{}}`, ErrNotJSON},
		{"body array", `{"src":"c1","dest":"n0","body":[1]}`, ErrBodyNotObject},
		{"body null", `{"src":"c1","dest":"n0","body":null}`, ErrBodyNotObject},
		{"type number", `{"src":"c1","dest":"n0","body":{"type":5}}`, ErrBadHeaderField},
		{"msg_id float", `{"src":"c1","dest":"n0","body":{"type":"read","msg_id":1.5}}`, ErrBadHeaderField},
		{"msg_id negative", `{"src":"c1","dest":"n0","body":{"type":"read","msg_id":-1}}`, ErrBadHeaderField},
		{"in_reply_to string", `{"src":"c1","dest":"n0","body":{"in_reply_to":"1"}}`, ErrBadHeaderField},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMessage([]byte(tc.line))
			require.ErrorIs(t, err, tc.want)
			require.Nil(t, m)
		})
	}
}

func TestAppendLine(t *testing.T) {
	line, err := AppendLine([]byte("keep:"), "n0", Outgoing{Dest: "c\"1", Body: map[string]any{"type": "x", "v": 1}})
	require.NoError(t, err)
	require.Equal(t, "keep:"+`{"src":"n0","dest":"c\"1","body":{"type":"x","v":1}}`+"\n", string(line))

	_, err = AppendLine(nil, "n0", Outgoing{Dest: "c1", Body: 5})
	require.Error(t, err, "a body must be an object")
	_, err = AppendLine(nil, "n0", Outgoing{Dest: "c1", Body: map[string]any{"f": func() {}}})
	require.Error(t, err, "an unencodable body is refused")
	line, err = AppendLine(nil, "n0", Outgoing{Dest: "c1", Body: json.RawMessage(`{ "type" : "y" }`)})
	require.NoError(t, err)
	require.Equal(t, `{"src":"n0","dest":"c1","body":{"type":"y"}}`+"\n", string(line), "raw bodies are compacted")
}

func TestErrorTable(t *testing.T) {
	for _, tc := range []struct {
		code     Code
		name     string
		definite bool
	}{
		{Timeout, "timeout", false},
		{NodeNotFound, "node-not-found", true},
		{NotSupported, "not-supported", true},
		{TemporarilyUnavailable, "temporarily-unavailable", true},
		{MalformedRequest, "malformed-request", true},
		{Crash, "crash", false},
		{Abort, "abort", true},
		{KeyDoesNotExist, "key-does-not-exist", true},
		{KeyAlreadyExists, "key-already-exists", true},
		{PreconditionFailed, "precondition-failed", true},
		{TxnConflict, "txn-conflict", true},
		{Code(1000), "unknown", false},
		{Code(23), "unknown", false},
	} {
		require.Equal(t, tc.name, tc.code.Name(), int(tc.code))
		require.Equal(t, tc.definite, tc.code.Definite(), int(tc.code))
	}
	e := Errorf(PreconditionFailed, "current value %d is not %d", 3, 4)
	require.Equal(t, "precondition-failed(22): current value 3 is not 4", e.Error())
	b, err := json.Marshal(NewErrorBody(5, e))
	require.NoError(t, err)
	require.JSONEq(t, `{"type":"error","in_reply_to":5,"code":22,"text":"current value 3 is not 4"}`, string(b))
}
