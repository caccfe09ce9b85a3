package workload

import (
	"encoding/json"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/clock"
	"github.com/quorumkit/quorumkit/harness/internal/history"
)

func gen(t *testing.T, n, c, limit int) *Generator {
	t.Helper()
	g, err := NewGenerator(n, c, limit, rand.New(rand.NewPCG(3, 4)))
	require.NoError(t, err)
	return g
}

func TestConcurrencyMustBeAMultipleOf2N(t *testing.T) {
	for _, c := range []int{0, 3, 5, 9} {
		_, err := NewGenerator(3, c, 0, rand.New(rand.NewPCG(1, 1)))
		assert.ErrorIs(t, err, ErrConcurrency, c)
	}
}

func TestThreadRolesAndKeys(t *testing.T) {
	// N=3, C=12: group 0 is threads 0-5 on key 0, group 1 threads 6-11 on key 1.
	g := gen(t, 3, 12, 0)
	fs := map[int]map[string]int{}
	for range 300 {
		for th := range 12 {
			inv := g.Next(th)
			if fs[th] == nil {
				fs[th] = map[string]int{}
			}
			fs[th][inv.F]++
			assert.Equal(t, int64(th/6), inv.Key)
			assert.Equal(t, th, inv.Process)
		}
	}
	for th := range 12 {
		if th < 3 {
			assert.Equal(t, map[string]int{"read": 300}, fs[th], "thread %d only reads", th)
			continue
		}
		assert.Zero(t, fs[th]["read"], "thread %d never reads (only group 0's first N threads do)", th)
		assert.InDelta(t, 100, fs[th]["write"], 35, "thread %d writes about 1/3", th)
		assert.InDelta(t, 200, fs[th]["cas"], 35, "thread %d cas's about 2/3", th)
	}
}

func TestThreadsAreBoundToNodes(t *testing.T) {
	nodes := []string{"n0", "n1", "n2"}
	var got []string
	for th := range 6 {
		got = append(got, NodeFor(th, nodes))
	}
	assert.Equal(t, []string{"n0", "n1", "n2", "n0", "n1", "n2"}, got, "reader i and writer N+i share node i")
}

func TestValues(t *testing.T) {
	g := gen(t, 1, 2, 0)
	seen := map[string]bool{}
	for range 1000 {
		inv := g.Next(1)
		switch inv.F {
		case "write":
			var v int
			require.NoError(t, json.Unmarshal(inv.Value, &v))
			assert.True(t, v >= 0 && v <= 4)
			seen["w"+string(inv.Value)] = true
		case "cas":
			var ft [2]int
			require.NoError(t, json.Unmarshal(inv.Value, &ft))
			assert.True(t, ft[0] >= 0 && ft[0] <= 4 && ft[1] >= 0 && ft[1] <= 4)
			if ft[0] == ft[1] {
				seen["same"] = true
			}
		}
	}
	assert.Len(t, seen, 6, "all five write values and a cas with from == to")
}

func TestKeyRetiresAfter20Processes(t *testing.T) {
	// N=3, C=6: 6 starting processes, so the key changes after the 15th crash.
	g := gen(t, 3, 6, 0)
	for th := range 6 {
		g.Next(th)
	}
	for crash := 1; crash <= 14; crash++ {
		g.Crash(3)
		inv := g.Next(3)
		assert.Equal(t, int64(0), inv.Key, "crash %d", crash)
		assert.Equal(t, 3+6*crash, inv.Process)
	}
	g.Crash(3)
	inv := g.Next(3)
	assert.Equal(t, int64(1), inv.Key, "21st process retires the key")
	assert.Equal(t, int64(1), g.Next(0).Key, "the whole group moves on")
}

func TestPerKeyLimit(t *testing.T) {
	g := gen(t, 1, 2, 5)
	var keys []int64
	for i := range 12 {
		keys = append(keys, g.Next(i%2).Key)
	}
	assert.Equal(t, []int64{0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2}, keys)
}

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

func TestRequestBodies(t *testing.T) {
	assert.JSONEq(t, `{"type":"read","key":4,"msg_id":9}`, string(Request(Invocation{F: "read", Key: 4, Value: json.RawMessage("null")}, 9)))
	assert.JSONEq(t, `{"type":"write","key":0,"value":3,"msg_id":1}`, string(Request(inv("write", "3"), 1)))
	assert.JSONEq(t, `{"type":"cas","key":0,"from":1,"to":2,"msg_id":2}`, string(Request(inv("cas", "[1,2]"), 2)))
}

// fakeDoer completes every op after a short sleep, as :info for writes.
type fakeDoer struct {
	mu    *sync.Mutex
	calls *int
}

func (d fakeDoer) Do(inv Invocation) Completion {
	time.Sleep(time.Millisecond)
	d.mu.Lock()
	*d.calls++
	d.mu.Unlock()
	if inv.F == "write" {
		return Completion{Type: history.Info, Value: inv.Value}
	}
	return Completion{Type: history.OK, Value: inv.Value}
}

func TestRunRespectsRateAndTimeLimit(t *testing.T) {
	clk := clock.NewReal()
	h := history.New(clk)
	var mu sync.Mutex
	calls := 0
	workers := make([]Doer, 4)
	for i := range workers {
		workers[i] = fakeDoer{&mu, &calls}
	}
	start := time.Now()
	Run(RunConfig{Generator: gen(t, 2, 4, 0), Workers: workers, Rate: 200, TimeLimit: 500 * time.Millisecond,
		Clock: clk, Rand: rand.New(rand.NewPCG(5, 6)), History: h})
	elapsed := time.Since(start)
	// Generous bounds: the machine is shared and timing is noisy.
	assert.Less(t, elapsed, 2*time.Second)
	ops := h.Ops()
	invokes := 0
	open := map[int]bool{}
	for _, op := range ops {
		if op.Type == history.Invoke {
			invokes++
			assert.False(t, open[op.Process], "one op at a time per process")
			open[op.Process] = true
		} else {
			assert.True(t, open[op.Process])
			delete(open, op.Process)
			if op.Type == history.Info {
				// The thread's next op uses a new process.
				for _, later := range ops[op.Index+1:] {
					assert.NotEqual(t, op.Process, later.Process)
				}
			}
		}
	}
	assert.Empty(t, open, "every op completed")
	assert.Equal(t, calls, invokes)
	assert.LessOrEqual(t, invokes, 150, "at most about rate x time limit")
	assert.GreaterOrEqual(t, invokes, 5)
}

// TestDispatcherSchedule drives the dispatcher as the simulator does, in virtual time: every
// op is issued at Next with a thread free, gaps are Jepsen's stagger, and an :info moves the
// thread to a new process.
func TestDispatcherSchedule(t *testing.T) {
	const rate = 100.0 // a mean gap of 10 ms, so gaps lie in [0, 20 ms)
	d := NewDispatcher(gen(t, 2, 4, 0), 4, rate, rand.New(rand.NewPCG(7, 8)), time.Second, 2*time.Second)
	require.Equal(t, time.Second, d.Next())
	require.Equal(t, 3*time.Second, d.Cutoff())
	var gaps []time.Duration
	var busy []Invocation                          // in issue order
	process := map[int]int{0: 0, 1: 1, 2: 2, 3: 3} // each thread's expected process
	for now := d.Next(); now < d.Cutoff(); now = d.Next() {
		if d.Free() == 0 {
			// The oldest op completes: writes end :info, the rest :ok.
			inv := busy[0]
			busy = busy[1:]
			typ := history.OK
			if inv.F == "write" {
				typ = history.Info
				process[inv.Thread] += 4
			}
			d.Complete(inv.Thread, typ)
		}
		inv := d.Issue(now)
		for _, b := range busy {
			require.NotEqual(t, b.Thread, inv.Thread, "a thread got a second op")
		}
		require.Equal(t, process[inv.Thread], inv.Process, "after an :info a thread is a new process")
		busy = append(busy, inv)
		gaps = append(gaps, d.Next()-now)
	}
	require.Equal(t, len(busy), d.Busy())
	mean := time.Duration(0)
	for _, g := range gaps {
		require.GreaterOrEqual(t, g, time.Duration(0))
		require.Less(t, g, 20*time.Millisecond)
		mean += g
	}
	mean /= time.Duration(len(gaps))
	assert.InDelta(t, float64(10*time.Millisecond), float64(mean), float64(2*time.Millisecond), "mean gap 1/rate")
	assert.InDelta(t, 200, len(gaps), 40, "about rate x time limit ops")
	assert.Greater(t, process[1]+process[2]+process[3], 6, "some :info crashed a thread")
}

// TestDispatcherReplays: one seed, one schedule (ops and times).
func TestDispatcherReplays(t *testing.T) {
	type issued struct {
		at  time.Duration
		inv Invocation
	}
	schedule := func(seed uint64) []issued {
		d := NewDispatcher(gen(t, 1, 4, 0), 4, 50, rand.New(rand.NewPCG(seed, 1)), 0, time.Second)
		var out []issued
		for now := d.Next(); now < d.Cutoff(); now = d.Next() {
			if d.Free() == 0 {
				d.Complete(out[len(out)-4].inv.Thread, history.Info)
			}
			out = append(out, issued{now, d.Issue(now)})
		}
		return out
	}
	require.Equal(t, schedule(1), schedule(1))
	require.NotEqual(t, schedule(1), schedule(2))
}

func TestDispatcherRefusesMisuse(t *testing.T) {
	d := NewDispatcher(gen(t, 1, 2, 0), 2, 10, rand.New(rand.NewPCG(1, 1)), time.Second, time.Second)
	assert.Panics(t, func() { d.Issue(0) }, "before Next")
	assert.Panics(t, func() { d.Issue(2 * time.Second) }, "at the cutoff")
	assert.Panics(t, func() { d.Complete(0, history.OK) }, "nothing outstanding")
	d.Issue(time.Second)
	d.Issue(d.Next())
	assert.Panics(t, func() { d.Issue(d.Next()) }, "no thread free")
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
