package workload

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRequestBodies(t *testing.T) {
	assert.JSONEq(t, `{"type":"read","key":4,"msg_id":9}`, string(Request(Invocation{F: "read", Key: 4, Value: json.RawMessage("null")}, 9)))
	assert.JSONEq(t, `{"type":"write","key":0,"value":3,"msg_id":1}`, string(Request(inv("write", "3"), 1)))
	assert.JSONEq(t, `{"type":"cas","key":0,"from":1,"to":2,"msg_id":2}`, string(Request(inv("cas", "[1,2]"), 2)))
}

func TestMatch(t *testing.T) {
	fields, ok := Match(json.RawMessage(`{"type":"read_ok","value":1,"in_reply_to":5}`), 5)
	assert.True(t, ok)
	assert.Equal(t, `"read_ok"`, string(fields["type"]))
	_, ok = Match(json.RawMessage(`{"in_reply_to":4, "\u0069n_reply_to" : 5}`), 5)
	assert.True(t, ok, "names are unescaped, and the last one wins")
	for _, tc := range []struct{ name, body string }{
		{"a late reply", `{"type":"read_ok","value":1,"in_reply_to":4}`},
		{"5.0 is not 5", `{"type":"read_ok","value":1,"in_reply_to":5.0}`},
		{"no in_reply_to", `{"type":"read_ok"}`},
		{"null", `null`},
		{"not an object", `[5]`},
		{"the last of duplicate names wins", `{"in_reply_to":5,"in_reply_to":4}`},
	} {
		fields, ok := Match(json.RawMessage(tc.body), 5)
		assert.False(t, ok, tc.name)
		if tc.body[0] == '{' {
			assert.NotNil(t, fields, tc.name)
		} else {
			assert.Nil(t, fields, tc.name)
		}
	}
}
