package nodes_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
)

const initLine = `{"id":0,"src":"c0","dest":"n0","body":{"type":"init","node_id":"n0","node_ids":["n0"],"msg_id":1}}`

// soloServer is the one-node lin-kv machine of cmd solonode.
func soloServer() nodes.Machine {
	return kvserver.New(kvserver.SoloConfig())
}

// outLine is one stdout line, decoded.
type outLine struct {
	Src, Dest string
	Body      map[string]any
}

// run feeds lines to a machine through the runtime and returns what it printed; it fails the
// test if any stdout line is not a whole, valid message.
func run(t *testing.T, m nodes.Machine, lines ...string) (out []outLine, stderr string) {
	t.Helper()
	var stdout, errs bytes.Buffer
	err := nodes.Run(m, nodes.Config{
		Stdin:  strings.NewReader(strings.Join(lines, "\n") + "\n"),
		Stdout: &stdout,
		Stderr: &errs,
		Seed:   1,
	})
	require.NoError(t, err)
	return decodeOutput(t, stdout.Bytes()), errs.String()
}

func decodeOutput(t testing.TB, b []byte) []outLine {
	var out []outLine
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		msg, err := nodes.ParseMessage(sc.Bytes())
		require.NoError(t, err, "stdout line %q", sc.Text())
		var body map[string]any
		dec := json.NewDecoder(bytes.NewReader(msg.Body))
		dec.UseNumber()
		require.NoError(t, dec.Decode(&body))
		var top map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(sc.Bytes(), &top))
		require.Len(t, top, 3, "only src, dest and body at the top: %s", sc.Text())
		out = append(out, outLine{Src: msg.Src, Dest: msg.Dest, Body: body})
	}
	require.True(t, len(b) == 0 || b[len(b)-1] == '\n', "output ends with a newline")
	return out
}

// byReply indexes client replies by in_reply_to.
func byReply(t *testing.T, out []outLine, client string) map[string]map[string]any {
	t.Helper()
	m := map[string]map[string]any{}
	for _, o := range out {
		if o.Dest != client {
			continue
		}
		id := string(o.Body["in_reply_to"].(json.Number))
		_, dup := m[id]
		require.False(t, dup, "two replies to %s", id)
		m[id] = o.Body
	}
	return m
}

func TestInitHandshake(t *testing.T) {
	out, stderr := run(t, soloServer(), initLine)
	require.Len(t, out, 1)
	require.Equal(t, "n0", out[0].Src)
	require.Equal(t, "c0", out[0].Dest)
	require.Equal(t, map[string]any{"type": "init_ok", "in_reply_to": json.Number("1")}, out[0].Body)
	require.Contains(t, stderr, "node=n0")
}

func TestKVThroughRuntime(t *testing.T) {
	out, _ := run(t, soloServer(), initLine,
		`{"src":"c5","dest":"n0","body":{"type":"write","key":0,"value":3,"msg_id":1}}`,
		`{"src":"c5","dest":"n0","body":{"type":"cas","key":0,"from":3,"to":4,"msg_id":3}}`,
		`{"src":"c5","dest":"n0","body":{"type":"cas","key":0,"from":3,"to":5,"msg_id":4}}`,
		`{"src":"c5","dest":"n0","body":{"type":"read","key":0,"msg_id":2}}`,
		`{"src":"c5","dest":"n0","body":{"type":"cas","key":9,"from":3,"to":5,"msg_id":5}}`,
		`{"src":"c5","dest":"n0","body":{"type":"read","key":9,"msg_id":6}}`,
		`{"src":"c6","dest":"n0","body":{"type":"read","key":0,"msg_id":2}}`,
		`{"src":"c6","dest":"n0","body":{"type":"write","key":1,"value":9007199254740993,"msg_id":3}}`,
		`{"src":"c6","dest":"n0","body":{"type":"read","key":1,"msg_id":4}}`,
	)
	c5 := byReply(t, out, "c5")
	require.Equal(t, map[string]any{"type": "write_ok", "in_reply_to": json.Number("1")}, c5["1"])
	require.Equal(t, map[string]any{"type": "read_ok", "value": json.Number("4"), "in_reply_to": json.Number("2")}, c5["2"])
	require.Equal(t, map[string]any{"type": "cas_ok", "in_reply_to": json.Number("3")}, c5["3"])
	require.Equal(t, "error", c5["4"]["type"])
	require.Equal(t, json.Number("22"), c5["4"]["code"])
	require.Equal(t, json.Number("20"), c5["5"]["code"], "cas on a missing key")
	require.Equal(t, json.Number("20"), c5["6"]["code"], "read of a missing key")
	c6 := byReply(t, out, "c6")
	require.Equal(t, json.Number("4"), c6["2"]["value"], "clients reuse msg_ids; c6's 2 is its own")
	require.Equal(t, json.Number("9007199254740993"), c6["4"]["value"], "big integers survive")
}

func TestBadInputNeverStopsTheNode(t *testing.T) {
	out, stderr := run(t, soloServer(),
		`{"src":"c5","dest":"n0","body":{"type":"write","key":0,"value":1,"msg_id":1}}`, // before init
		initLine,
		`not json at all`,
		`{"src":"c5","dest":"n0"}`,
		`{"src":"c5","dest":"n0","body":[1,2]}`,
		``,
		`{"src":"c5","dest":"n0","body":{"type":"write","key":0,"msg_id":2}}`,
		`{"src":"c5","dest":"n0","body":{"type":"cas","key":0,"to":1,"msg_id":3}}`,
		`{"src":"c5","dest":"n0","body":{"type":"read","key":{"a":,"msg_id":4}}`,
		`{"src":"c5","dest":"n0","body":{"type":"read","key":0,"value":{"x":1},"msg_id":5,"extra":[1]}}`,
		`{"src":"c5","dest":"n0","body":{"type":"txn","msg_id":6}}`,
		`{"src":"c5","dest":"n0","body":{"type":"write_ok","in_reply_to":77}}`,
		`{"src":"c5","dest":"n0","body":{"type":"write","key":0,"value":1}}`,
		`{"src":"c5","dest":"n0","body":{"type":"read","key":0,"msg_id":7}}`,
		`{"src":"c5","dest":"n0","body":{"type":"write","key":1,"value":2,"msg_id":8}}`,
		`{"src":"c5","dest":"n0","body":{"type":"read","key":1,"msg_id":9}}`,
	)
	c5 := byReply(t, out, "c5")
	require.Equal(t, json.Number("11"), c5["1"]["code"], "before init: temporarily unavailable")
	require.Equal(t, json.Number("12"), c5["2"]["code"])
	require.Contains(t, c5["2"]["text"], "write needs value")
	require.Equal(t, json.Number("12"), c5["3"]["code"])
	require.Contains(t, c5["3"]["text"], "cas needs from")
	require.NotContains(t, c5, "4", "an unparseable line has no msg_id to answer")
	require.Equal(t, json.Number("20"), c5["5"]["code"], "extra fields are tolerated")
	require.Equal(t, json.Number("10"), c5["6"]["code"])
	require.NotContains(t, c5, "77", "a reply nobody waits for is ignored")
	require.Equal(t, json.Number("20"), c5["7"]["code"], "the write without msg_id was rejected, not applied")
	require.Equal(t, map[string]any{"type": "read_ok", "value": json.Number("2"), "in_reply_to": json.Number("9")}, c5["9"])
	require.Len(t, out, 9, "init_ok plus one reply per answerable request")
	require.Contains(t, stderr, "skipping bad input line")
}

func TestInitErrors(t *testing.T) {
	out, _ := run(t, soloServer(),
		`{"src":"c8","dest":"n0","body":{"type":"init","node_id":"n9","node_ids":["n0"],"msg_id":1}}`,
		`{"src":"c9","dest":"n0","body":{"type":"init","node_ids":["n0"],"msg_id":1}}`,
		initLine,
		`{"src":"c1","dest":"n0","body":{"type":"init","node_id":"n1","node_ids":["n0","n1"],"msg_id":1}}`,
		`{"src":"c2","dest":"n0","body":{"type":"init","node_id":"n0","node_ids":["n0"],"msg_id":1}}`,
	)
	require.Equal(t, json.Number("12"), byReply(t, out, "c8")["1"]["code"], "node_id not in node_ids")
	require.Equal(t, json.Number("12"), byReply(t, out, "c9")["1"]["code"], "no node_id")
	require.Equal(t, "init_ok", byReply(t, out, "c0")["1"]["type"])
	require.Equal(t, json.Number("12"), byReply(t, out, "c1")["1"]["code"], "re-init as another node")
	require.Equal(t, "init_ok", byReply(t, out, "c2")["1"]["type"], "the same init again is harmless")
}

func TestLongLines(t *testing.T) {
	big := `"` + strings.Repeat("x", 3<<20) + `"`
	out, _ := run(t, soloServer(), initLine,
		`{"src":"c5","dest":"n0","body":{"type":"write","key":0,"value":`+big+`,"msg_id":1}}`,
		`{"src":"c5","dest":"n0","body":{"type":"read","key":0,"msg_id":2}}`,
	)
	c5 := byReply(t, out, "c5")
	require.Equal(t, "write_ok", c5["1"]["type"])
	require.Len(t, c5["2"]["value"], 3<<20)
}

// clockMachine records the times the runtime hands it.
type clockMachine struct {
	ticks chan time.Duration
	last  time.Duration
}

func (c *clockMachine) Init(now time.Duration, _ nodes.Init, _ *nodes.Outbox) { c.last = now }
func (c *clockMachine) Handle(now time.Duration, _ *nodes.Message, _ *nodes.Outbox) error {
	return nil
}
func (c *clockMachine) Idle(time.Duration, *nodes.Outbox) {}
func (c *clockMachine) Tick(now time.Duration, _ *nodes.Outbox) {
	if now < c.last {
		panic("time went backwards")
	}
	c.last = now
	select {
	case c.ticks <- now:
	default:
	}
}

func TestTicksCarryMonotonicTime(t *testing.T) {
	pr, pw := io.Pipe()
	m := &clockMachine{ticks: make(chan time.Duration, 1)}
	done := make(chan error, 1)
	go func() {
		done <- nodes.Run(m, nodes.Config{Stdin: pr, Stdout: io.Discard, Stderr: io.Discard, TickPeriod: time.Millisecond})
	}()
	_, err := io.WriteString(pw, initLine+"\n")
	require.NoError(t, err)
	first := <-m.ticks
	second := <-m.ticks
	require.Greater(t, second, first, "each tick is later than the one before")
	require.NoError(t, pw.Close())
	require.NoError(t, <-done, "stdin closing ends Run cleanly")
}
