package service

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/net"
)

func TestServices(t *testing.T) {
	nw := net.New(net.Config{Clock: clock.NewReal()})
	stop := make(chan struct{})
	defer close(stop)
	Start(nw, stop)
	ib := nw.Register("n0")
	call := func(dest, body string) string {
		t.Helper()
		_, err := nw.Send(net.Message{Src: "n0", Dest: dest, Body: json.RawMessage(body)})
		require.NoError(t, err)
		m, err := ib.Recv(nil, time.After(time.Second), nil)
		require.NoError(t, err)
		return string(m.Body)
	}
	assert.JSONEq(t, `{"type":"error","code":20,"text":"key does not exist","in_reply_to":1}`, call("lin-kv", `{"type":"read","key":"a","msg_id":1}`))
	assert.JSONEq(t, `{"type":"write_ok","in_reply_to":2}`, call("lin-kv", `{"type":"write","key":"a","value":3,"msg_id":2}`))
	assert.JSONEq(t, `{"type":"read_ok","value":3,"in_reply_to":3}`, call("lin-kv", `{"type":"read","key":"a","msg_id":3}`))
	assert.JSONEq(t, `{"type":"error","code":22,"text":"current value 3 is not 4","in_reply_to":4}`, call("lin-kv", `{"type":"cas","key":"a","from":4,"to":5,"msg_id":4}`))
	assert.JSONEq(t, `{"type":"cas_ok","in_reply_to":5}`, call("lin-kv", `{"type":"cas","key":"a","from":3,"to":5,"msg_id":5}`))
	assert.JSONEq(t, `{"type":"cas_ok","in_reply_to":6}`, call("seq-kv", `{"type":"cas","key":1,"from":0,"to":1,"create_if_not_exists":true,"msg_id":6}`))
	assert.JSONEq(t, `{"type":"ts_ok","ts":0,"in_reply_to":7}`, call("lin-tso", `{"type":"ts","msg_id":7}`))
	assert.JSONEq(t, `{"type":"ts_ok","ts":1,"in_reply_to":8}`, call("lin-tso", `{"type":"ts","msg_id":8}`))
	_, err := nw.Send(net.Message{Src: "n0", Dest: "lin-kv", Body: json.RawMessage(`{"type":"frob","msg_id":9}`)})
	require.NoError(t, err)
	_, err = ib.Recv(nil, time.After(50*time.Millisecond), nil)
	assert.ErrorIs(t, err, net.ErrTimeout, "unknown types get no reply")
}
