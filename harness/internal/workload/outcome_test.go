package workload

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

func inv(f string, value string) Invocation {
	return Invocation{F: f, Key: 0, Value: json.RawMessage(value)}
}

func body(s string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		panic(err)
	}
	return m
}

func TestOutcomeMapping(t *testing.T) {
	for _, tc := range []struct {
		name  string
		inv   Invocation
		reply string
		typ   history.Type
		err   string
	}{
		{"read ok", inv("read", "null"), `{"type":"read_ok","value":3,"in_reply_to":1}`, history.OK, ""},
		{"read ok null", inv("read", "null"), `{"type":"read_ok","value":null,"in_reply_to":1,"msg_id":4}`, history.OK, ""},
		{"write ok", inv("write", "3"), `{"type":"write_ok","in_reply_to":1}`, history.OK, ""},
		{"cas ok", inv("cas", "[1,2]"), `{"type":"cas_ok","in_reply_to":1}`, history.OK, ""},
		{"definite on write", inv("write", "3"), `{"type":"error","code":11,"in_reply_to":1}`, history.Fail, `["temporarily-unavailable",null]`},
		{"precondition", inv("cas", "[1,2]"), `{"type":"error","code":22,"text":"no","in_reply_to":1}`, history.Fail, `["precondition-failed","no"]`},
		{"missing key read", inv("read", "null"), `{"type":"error","code":20,"in_reply_to":1}`, history.Fail, `["key-does-not-exist",null]`},
		{"indefinite read", inv("read", "null"), `{"type":"error","code":13,"in_reply_to":1}`, history.Fail, `["crash",null]`},
		{"indefinite cas", inv("cas", "[1,2]"), `{"type":"error","code":0,"in_reply_to":1}`, history.Info, `["timeout",null]`},
		{"custom code", inv("write", "1"), `{"type":"error","code":1000,"in_reply_to":1}`, history.Info, `["unknown",null]`},
		{"custom code read", inv("read", "null"), `{"type":"error","code":1000,"in_reply_to":1}`, history.Fail, `["unknown",null]`},
		{"extra key", inv("write", "1"), `{"type":"write_ok","key":0,"in_reply_to":1}`, history.Info, ""},
		{"extra key on read", inv("read", "null"), `{"type":"read_ok","value":1,"key":0,"in_reply_to":1}`, history.Info, ""},
		{"null msg_id", inv("write", "1"), `{"type":"write_ok","msg_id":null,"in_reply_to":1}`, history.Info, ""},
		{"wrong type", inv("cas", "[1,2]"), `{"type":"write_ok","in_reply_to":1}`, history.Info, ""},
		{"read without value", inv("read", "null"), `{"type":"read_ok","in_reply_to":1}`, history.Info, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Classify(tc.inv, body(tc.reply))
			assert.Equal(t, tc.typ, c.Type)
			if tc.err != "" {
				assert.JSONEq(t, tc.err, string(c.Error))
			}
			if tc.typ == history.Info && tc.err == "" {
				assert.Contains(t, string(c.Error), "indeterminate")
				assert.NotEmpty(t, c.Exception)
			}
		})
	}
	assert.Equal(t, history.Fail, Timeout(inv("read", "null")).Type)
	assert.Equal(t, history.Info, Timeout(inv("write", "1")).Type)
	assert.Equal(t, history.Info, Timeout(inv("cas", "[1,2]")).Type)
	assert.Equal(t, `"net-timeout"`, string(Timeout(inv("cas", "[1,2]")).Error))
	assert.Equal(t, `3`, string(Classify(inv("read", "null"), body(`{"type":"read_ok","value": 3 ,"in_reply_to":1}`)).Value))
}

func TestHistoryOps(t *testing.T) {
	read := Invocation{Thread: 1, Process: 7, F: "read", Key: 2, Value: json.RawMessage("null")}
	assert.Equal(t, history.Op{Type: history.Invoke, F: "read", Process: 7, Key: 2, Value: json.RawMessage("null")}, read.Invoke())
	failed := Completion{Type: history.Fail, Value: json.RawMessage("3"), Error: json.RawMessage(`"net-timeout"`)}
	assert.Equal(t, "null", string(failed.Op(read).Value), "a read that failed read nothing")
	ok := Completion{Type: history.OK, Value: json.RawMessage("3")}
	assert.Equal(t, "3", string(ok.Op(read).Value))
	cas := Invocation{F: "cas", Value: json.RawMessage("[1,2]")}
	assert.Equal(t, "[1,2]", string(cas.Invoke().Value))
	assert.True(t, Classify(cas, body(`{"type":"cas_ok","extra":1,"in_reply_to":1}`)).Malformed)
	assert.True(t, Classify(cas, body(`{"type":"error","in_reply_to":1}`)).Malformed, "an error without a code")
	assert.False(t, Classify(cas, body(`{"type":"error","code":1000,"in_reply_to":1}`)).Malformed, "a custom code is allowed")
	assert.False(t, Classify(cas, body(`{"type":"cas_ok","in_reply_to":1}`)).Malformed)
}
