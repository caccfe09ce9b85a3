package workload

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/net"
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

// A worker client stays registered after its last op: the harness's final resume can wake a
// node that then answers a request sent while it was paused, and that late answer must land
// unread in the client's inbox, as one does mid-run, not be refused as sent to an unknown id.
func TestAClientStaysRegisteredAfterItsRun(t *testing.T) {
	clk := clock.NewManual()
	nw := net.New(net.Config{Clock: clk})
	node := nw.Register("n0")
	c := NewClient(nw, clk, "c4", "n0", time.Second)
	go func() {
		m, err := node.Recv(nil, nil, nil)
		if err == nil {
			nw.Send(net.Message{Src: "n0", Dest: m.Src, Body: json.RawMessage(`{"type":"read_ok","value":null,"in_reply_to":1}`)})
		}
	}()
	require.Equal(t, history.OK, c.Do(inv("read", "null")).Type)

	_, err := nw.Send(net.Message{Src: "n0", Dest: "c4", Body: json.RawMessage(`{"type":"read_ok","value":null,"in_reply_to":1}`)})
	require.NoError(t, err, "a late answer to a worker client is no protocol error")
	assert.Equal(t, 1, nw.Inbox("c4").Len(), "it waits unread in the client's inbox")
}
