package net

import (
	"encoding/json"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/witness"
)

func newNet(t *testing.T, dist string, mean time.Duration) (*Network, *clock.Manual) {
	t.Helper()
	clk := clock.NewManual()
	n := New(Config{Clock: clk, Dist: dist, Mean: mean, Rand: rand.New(rand.NewPCG(1, 1))})
	for _, id := range []string{"n0", "n1", "n2", "c0"} {
		n.Register(id)
	}
	return n, clk
}

func msg(src, dest, body string) Message {
	return Message{Src: src, Dest: dest, Body: json.RawMessage(body)}
}

// recvAsync receives on id's inbox in the background.
func recvAsync(n *Network, id string, timeout <-chan time.Time) <-chan Message {
	ch := make(chan Message, 1)
	go func() {
		m, err := n.Inbox(id).Recv(nil, timeout, nil)
		if err == nil {
			ch <- m
		}
		close(ch)
	}()
	return ch
}

// waitFor waits until the manual clock has k waiters.
func waitFor(t *testing.T, clk *clock.Manual, k int) {
	t.Helper()
	require.Eventually(t, func() bool { return clk.Waiters() >= k }, time.Second, time.Millisecond)
}

func TestClientLinksHaveNoLatency(t *testing.T) {
	n, _ := newNet(t, Constant, 100*time.Millisecond)
	_, err := n.Send(msg("c0", "n0", `{"type":"read"}`))
	require.NoError(t, err)
	m := <-recvAsync(n, "n0", nil)
	assert.Equal(t, "c0", m.Src, "delivered without advancing the clock")
}

func TestNodeLinksWaitForTheLatency(t *testing.T) {
	n, clk := newNet(t, Constant, 100*time.Millisecond)
	_, err := n.Send(msg("n0", "n1", `{}`))
	require.NoError(t, err)
	got := recvAsync(n, "n1", nil)
	waitFor(t, clk, 1)
	clk.Advance(99 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("delivered before its deadline")
	case <-time.After(20 * time.Millisecond):
	}
	clk.Advance(time.Millisecond)
	m := <-got
	assert.Equal(t, "n0", m.Src)
}

func TestEqualDeadlinesKeepSendOrder(t *testing.T) {
	n, _ := newNet(t, Constant, 0)
	for i := range 100 {
		_, err := n.Send(msg("n0", "n1", `{"i":`+string(rune('0'+i%10))+`}`))
		require.NoError(t, err)
	}
	var last int64 = -1
	for range 100 {
		m, err := n.Inbox("n1").Recv(nil, nil, nil)
		require.NoError(t, err)
		assert.Greater(t, m.ID, last)
		last = m.ID
	}
}

func TestLatencyDistributions(t *testing.T) {
	for _, tc := range []struct {
		dist     string
		min, max time.Duration
	}{
		{Constant, 10 * time.Millisecond, 10 * time.Millisecond},
		{Uniform, 0, 19 * time.Millisecond},
		{Exponential, 0, time.Hour},
	} {
		t.Run(tc.dist, func(t *testing.T) {
			n, _ := newNet(t, tc.dist, 10*time.Millisecond)
			var sum time.Duration
			const draws = 20000
			for range draws {
				d := n.drawLatency()
				assert.GreaterOrEqual(t, d, tc.min)
				assert.LessOrEqual(t, d, tc.max)
				assert.Zero(t, d%time.Millisecond, "whole milliseconds")
				sum += d
			}
			mean := float64(sum) / draws / float64(time.Millisecond)
			// Truncation to whole milliseconds lowers the mean by about 0.5 ms
			// for the continuous distributions.
			assert.InDelta(t, 10, mean, 1.0, "mean %.2f ms", mean)
		})
	}
}

func TestPartitionDropsAtDequeue(t *testing.T) {
	n, clk := newNet(t, Constant, 10*time.Millisecond)
	// Queued before the partition, dequeued during it: lost.
	_, err := n.Send(msg("n0", "n1", `{"a":1}`))
	require.NoError(t, err)
	n.Partition(Grudge{"n1": {"n0": true}})
	// n2 is not cut off from n1; n1 -> n0 still flows (one direction only).
	_, err = n.Send(msg("n2", "n1", `{"a":2}`))
	require.NoError(t, err)
	_, err = n.Send(msg("n1", "n0", `{"a":3}`))
	require.NoError(t, err)
	got := recvAsync(n, "n1", nil)
	waitFor(t, clk, 1)
	clk.Advance(10 * time.Millisecond)
	m := <-got
	assert.Equal(t, "n2", m.Src)
	// Already due: the clock has moved past its deadline.
	assert.Equal(t, "n1", (<-recvAsync(n, "n0", nil)).Src)
	assert.Equal(t, int64(1), n.Stats().Dropped)

	// Queued during the partition, dequeued after the heal: delivered.
	_, err = n.Send(msg("n0", "n1", `{"a":4}`))
	require.NoError(t, err)
	n.Heal()
	got = recvAsync(n, "n1", nil)
	waitFor(t, clk, 1)
	clk.Advance(10 * time.Millisecond)
	assert.Equal(t, "n0", (<-got).Src)
}

// tracer records what the network shows a Tracer, stamping each message
// with a real tracker's clock.
type tracer struct {
	mu        sync.Mutex
	w         *witness.Tracker
	sent      map[int64]witness.Stamp
	delivered []Message
}

func (tr *tracer) Sent(m Message) witness.Stamp {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	s := tr.w.Sent(m.Src)
	tr.sent[m.ID] = s
	return s
}

func (tr *tracer) Delivered(m Message) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.w.Delivered(m.Dest, m.Src, m.Cause, m.Body)
	tr.delivered = append(tr.delivered, m)
}

func TestTraceSeesBothEndsButNotDrops(t *testing.T) {
	tr := &tracer{w: witness.New([]string{"n0", "n1"}, nil), sent: map[int64]witness.Stamp{}}
	n := New(Config{Clock: clock.NewManual(), Trace: tr})
	for _, id := range []string{"n0", "n1", "c0"} {
		n.Register(id)
	}
	n.Partition(Grudge{"n1": {"n0": true}})
	for _, m := range []Message{msg("n0", "n1", `{"dropped":1}`), msg("c0", "n1", `{"msg_id":1}`)} {
		_, err := n.Send(m)
		require.NoError(t, err)
	}
	m0, err := n.Inbox("n1").Recv(nil, nil, nil)
	require.NoError(t, err)
	require.Equal(t, int64(1), n.Stats().Dropped)
	n.Heal()
	_, err = n.Send(msg("n0", "n1", `{}`))
	require.NoError(t, err)
	m1, err := n.Inbox("n1").Recv(nil, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, []Message{m0, m1}, tr.delivered, "the dropped message is never delivered")
	assert.Len(t, tr.sent, 3, "every accepted message is stamped, dropped or not")
	assert.Equal(t, tr.sent[m1.ID], m1.Cause, "the receiver gets the stamp its sender was given")
	assert.Equal(t, witness.Stamp{}, m0.Cause, "a client carries no clock")
}

func TestRecvTimesOut(t *testing.T) {
	n, _ := newNet(t, Constant, 0)
	_, err := n.Inbox("c0").Recv(nil, time.After(10*time.Millisecond), nil)
	assert.ErrorIs(t, err, ErrTimeout)
	stop := make(chan struct{})
	close(stop)
	_, err = n.Inbox("c0").Recv(stop, nil, nil)
	assert.ErrorIs(t, err, ErrStopped)
}

func TestCountersSplitClientsAndServers(t *testing.T) {
	n, _ := newNet(t, Constant, 0)
	for _, m := range []Message{msg("c0", "n0", `{}`), msg("n0", "c0", `{}`), msg("n0", "n1", `{}`)} {
		_, err := n.Send(m)
		require.NoError(t, err)
	}
	for _, id := range []string{"n0", "c0", "n1"} {
		_, err := n.Inbox(id).Recv(nil, nil, nil)
		require.NoError(t, err)
	}
	s := n.Stats()
	assert.Equal(t, Counts{SendCount: 2, RecvCount: 2, MsgCount: 2}, s.Clients)
	assert.Equal(t, Counts{SendCount: 1, RecvCount: 1, MsgCount: 1}, s.Servers)
	assert.Equal(t, Counts{SendCount: 3, RecvCount: 3, MsgCount: 3}, s.All)
}

func TestSendToUnknownIDs(t *testing.T) {
	n, _ := newNet(t, Constant, 0)
	_, err := n.Send(msg("n0", "nobody", `{}`))
	assert.ErrorIs(t, err, ErrUnknownDest)
	_, err = n.Send(msg("ghost", "n0", `{}`))
	assert.ErrorIs(t, err, ErrUnknownSrc)
	n.Unregister("c0")
	_, err = n.Send(msg("n0", "c0", `{}`))
	assert.ErrorIs(t, err, ErrUnknownDest)
}

func TestParseLine(t *testing.T) {
	for line, ok := range map[string]bool{
		`{"src":"n0","dest":"c1","body":{"type":"read_ok"}}`:    true,
		`{"id":3,"src":"n0","dest":"c1","body":{}}`:             true,
		`{"src":"n0","dest":"c1","body":null}`:                  true,
		`{"src":"n0","dest":"c1"}`:                              true,
		`{"id":3.5,"src":"n0","dest":"c1","body":{}}`:           false,
		`{"src":"n0","dest":"c1","body":{},"extra":1}`:          false,
		`{"src":"n0","body":{}}`:                                false,
		`{"src":1,"dest":"c1","body":{}}`:                       false,
		`{"src":"n0","dest":"c1","body":[1]}`:                   false,
		`not json`:                                              false,
		``:                                                      false,
		`null`:                                                  false,
		`{"src":"n0","dest":"c1","body":{"type":"x"}} trailing`: false,
	} {
		_, err := ParseLine([]byte(line))
		if ok {
			assert.NoError(t, err, line)
		} else {
			assert.ErrorIs(t, err, ErrMalformed, line)
		}
	}
}

func TestAppendLine(t *testing.T) {
	m := Message{ID: 7, Src: "c1", Dest: "n0", Body: json.RawMessage(`{"type":"read","key":0}`)}
	assert.Equal(t, `{"id":7,"src":"c1","dest":"n0","body":{"type":"read","key":0}}`+"\n", string(m.AppendLine(nil)))
}

// TestDownLosesMessagesAndRestartDeliversInitFirst: a killed node's queue is
// thrown away, what is sent to it while down is lost, and its restart gets
// init first, before a peer's message sent at the same instant.
func TestDownLosesMessagesAndRestartDeliversInitFirst(t *testing.T) {
	n, _ := newNet(t, Constant, 0)
	for range 3 {
		_, err := n.Send(msg("n1", "n0", `{"type":"before"}`))
		require.NoError(t, err)
	}
	assert.Equal(t, 3, n.Down("n0"), "the waiting messages are thrown away")
	assert.Zero(t, n.Inbox("n0").Len())
	id, err := n.Send(msg("c0", "n0", `{"type":"read"}`))
	require.NoError(t, err, "a down node is still registered")
	assert.Positive(t, id)
	_, err = n.Send(msg("n1", "n0", `{"type":"while-down"}`))
	require.NoError(t, err)
	assert.Zero(t, n.Inbox("n0").Len(), "nothing is queued for a down node")
	assert.Equal(t, int64(5), n.Stats().Lost)

	_, err = n.Restart(msg("c9", "n0", `{"type":"init"}`))
	require.Error(t, err, "the init client must be registered")
	n.Register("c9")
	_, err = n.Restart(msg("c9", "n0", `{"type":"init"}`))
	require.NoError(t, err)
	_, err = n.Send(msg("n1", "n0", `{"type":"after"}`))
	require.NoError(t, err)
	var got []string
	for range 2 {
		m, err := n.Inbox("n0").Recv(nil, time.After(time.Second), nil)
		require.NoError(t, err)
		got = append(got, string(m.Body))
	}
	assert.Equal(t, []string{`{"type":"init"}`, `{"type":"after"}`}, got)
	assert.Equal(t, int64(5), n.Stats().Lost)
	assert.Zero(t, n.Down("nobody"), "an unknown id has nothing to lose")
}

// TestStoppedReceiverTakesNothing: a pump whose node has exited must leave
// the queue to the node's next process.
func TestStoppedReceiverTakesNothing(t *testing.T) {
	n, _ := newNet(t, Constant, 0)
	_, err := n.Send(msg("c0", "n0", `{}`))
	require.NoError(t, err)
	stop := make(chan struct{})
	close(stop)
	_, err = n.Inbox("n0").Recv(stop, nil, nil)
	assert.ErrorIs(t, err, ErrStopped)
	assert.Equal(t, 1, n.Inbox("n0").Len())
}

// The init client is unregistered once init is answered: a node that answers it later sends
// to an unknown id, which is a protocol error, in Maelstrom too.
func TestSendToAnUnregisteredClientIsAnError(t *testing.T) {
	n, _ := newNet(t, Constant, 0)
	n.Register("c1")
	_, err := n.Send(msg("n0", "c1", `{}`))
	require.NoError(t, err, "registered, c1 can be answered")
	n.Unregister("c1")
	_, err = n.Send(msg("n0", "c1", `{}`))
	assert.ErrorIs(t, err, ErrUnknownDest)
}
