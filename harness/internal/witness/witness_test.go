package witness

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// msg is a message in flight in a hand-built schedule: Sent has been
// recorded, Delivered not yet.
type msg struct {
	src   string
	stamp Stamp
	body  string
}

// cluster drives a Tracker the way the harness does: send stamps a message
// when its sender emits it, deliver records it before the receiver acts.
type cluster struct {
	t *testing.T
	w *Tracker
}

func newCluster(t *testing.T, n int, services ...string) *cluster {
	var ids []string
	for i := range n {
		ids = append(ids, "n"+strconv.Itoa(i))
	}
	return &cluster{t: t, w: New(ids, services)}
}

// send is src emitting a message (a node-to-node body unless given).
func (c *cluster) send(src string) msg {
	return msg{src: src, stamp: c.w.Sent(src), body: `{"type":"x"}`}
}

// deliver hands m to dest.
func (c *cluster) deliver(m msg, dest string) {
	c.w.Delivered(dest, m.src, m.stamp, []byte(m.body))
}

// hop is src sending to dest and dest receiving at once.
func (c *cluster) hop(src, dest string) { c.deliver(c.send(src), dest) }

// request is client's write with msgID arriving at node.
func (c *cluster) request(client string, msgID int64, node string) {
	c.w.Delivered(node, client, Stamp{}, []byte(`{"type":"write","key":0,"value":1,"msg_id":`+strconv.FormatInt(msgID, 10)+`}`))
}

// reply is node emitting a reply to client; judge gives it its verdict as
// the client that matched it.
func (c *cluster) reply(node string) msg { return c.send(node) }

func (c *cluster) judge(client string, msgID int64, m msg) Verdict {
	return c.w.Judge(client, msgID, m.src, m.stamp)
}

func TestLeaderRepliesAfterAMajorityAcked(t *testing.T) {
	c := newCluster(t, 3)
	c.request("c1", 1, "n1")
	c.hop("n1", "n0") // forward to the leader
	app := c.send("n0")
	c.deliver(app, "n2")
	c.deliver(app, "n1")
	c.hop("n2", "n0") // n2's ack
	v := c.judge("c1", 1, c.reply("n0"))
	assert.True(t, v.Witnessed)
	assert.Equal(t, []string{"n0", "n1", "n2"}, v.Witnesses, "n1 from its arrival; n2 from its ack; n0 itself")
	assert.Equal(t, "n1", v.Arrival)
	assert.Equal(t, 2, v.Quorum)
}

func TestForwardThenLeaderReplies(t *testing.T) {
	// The leader answers as soon as the forward arrives: the arrival node and
	// the leader are 2 of 3, a majority; of 5 they are not.
	for _, tc := range []struct {
		nodes     int
		witnessed bool
	}{{3, true}, {5, false}} {
		c := newCluster(t, tc.nodes)
		c.request("c1", 7, "n1")
		c.hop("n1", "n0")
		v := c.judge("c1", 7, c.reply("n0"))
		assert.Equal(t, []string{"n0", "n1"}, v.Witnesses, "%d nodes", tc.nodes)
		assert.Equal(t, tc.witnessed, v.Witnessed, "%d nodes", tc.nodes)
		assert.Equal(t, "n0", v.Node)
	}
}

func TestReplyBeforeAnyPeerAnswered(t *testing.T) {
	c := newCluster(t, 3)
	c.request("c1", 1, "n0")
	app := c.send("n0") // the append goes out...
	r := c.reply("n0")  // ...and the leader answers at once
	c.deliver(app, "n1")
	c.deliver(app, "n2")
	c.hop("n1", "n0") // the acks come back after the reply was read
	c.hop("n2", "n0")
	v := c.judge("c1", 1, r)
	assert.False(t, v.Witnessed, "acks that follow the reply do not witness it")
	assert.Equal(t, []string{"n0"}, v.Witnesses)
	// A second reply, sent after the acks, would have been witnessed; the
	// request is forgotten once judged, so judging again finds nothing.
	again := c.judge("c1", 1, c.reply("n0"))
	assert.False(t, again.Witnessed)
	assert.Empty(t, again.Arrival)
}

func TestMajorityReachedThroughARelay(t *testing.T) {
	// n0 leads 5 nodes but hears n3 and n4 only through n1, which relays
	// both ways: n0 -> n1 -> n3, n4 and back. n0 never gets a message from
	// n3 or n4, yet their acks reach it transitively.
	c := newCluster(t, 5)
	c.request("c9", 3, "n0")
	app := c.send("n0")
	c.deliver(app, "n1")
	relay := c.send("n1")
	c.deliver(relay, "n3")
	c.deliver(relay, "n4")
	c.hop("n3", "n1")
	c.hop("n4", "n1")
	c.hop("n1", "n0") // n1's ack carries the relayed acks
	v := c.judge("c9", 3, c.reply("n0"))
	assert.True(t, v.Witnessed)
	assert.Equal(t, []string{"n0", "n1", "n3", "n4"}, v.Witnesses)

	// Without the relay's return leg only n0 and n1 are known: not 3 of 5.
	c = newCluster(t, 5)
	c.request("c9", 3, "n0")
	c.hop("n0", "n1")
	relay = c.send("n1")
	c.deliver(relay, "n3")
	c.hop("n1", "n0") // n1 answers before it hears back from n3
	c.hop("n3", "n1")
	v = c.judge("c9", 3, c.reply("n0"))
	assert.False(t, v.Witnessed)
	assert.Equal(t, []string{"n0", "n1"}, v.Witnesses)
}

func TestAnAckFromBeforeTheArrivalIsNoWitness(t *testing.T) {
	// A heartbeat answer that left n1 before n1 heard of the request says
	// nothing about it, even if it reaches the leader afterwards.
	c := newCluster(t, 3)
	hb := c.send("n0")
	c.deliver(hb, "n1")
	c.deliver(hb, "n2")
	stale1, stale2 := c.send("n1"), c.send("n2")
	c.request("c1", 1, "n0")
	c.deliver(stale1, "n0")
	c.deliver(stale2, "n0")
	v := c.judge("c1", 1, c.reply("n0"))
	assert.False(t, v.Witnessed)
	assert.Equal(t, []string{"n0"}, v.Witnesses)
}

func TestAStampIsFrozenWhenSent(t *testing.T) {
	// n1's message leaves before n1 hears of the request, and is delivered
	// after: it must not carry what n1 learned in between.
	c := newCluster(t, 3)
	early := c.send("n1")
	c.request("c1", 1, "n0")
	c.hop("n0", "n1")
	c.deliver(early, "n2")
	c.hop("n2", "n0")
	v := c.judge("c1", 1, c.reply("n0"))
	assert.Equal(t, []string{"n0"}, v.Witnesses, "n2 knows n1 only from before the request")
}

func TestEveryOutputFollowsEveryEarlierInput(t *testing.T) {
	// The tracker cannot tell which input a process's line answers, so an
	// ack sent after the append was delivered counts, whatever it acks.
	c := newCluster(t, 3)
	c.request("c1", 1, "n0")
	app := c.send("n0")
	c.deliver(app, "n1")
	c.hop("n1", "n0")
	v := c.judge("c1", 1, c.reply("n0"))
	assert.True(t, v.Witnessed)
}

func TestAServiceIsAFullWitness(t *testing.T) {
	// A proxy: the node hands the request to lin-kv and relays its answer.
	c := newCluster(t, 5, "lin-kv", "seq-kv")
	c.request("c3", 2, "n2")
	c.hop("n2", "lin-kv")
	c.hop("lin-kv", "n2")
	v := c.judge("c3", 2, c.reply("n2"))
	assert.True(t, v.Witnessed)
	assert.Equal(t, "lin-kv", v.Service)
	assert.Equal(t, []string{"n2"}, v.Witnesses)

	// A service event from before the arrival is no witness.
	c = newCluster(t, 5, "lin-kv")
	c.hop("n2", "lin-kv")
	old := c.send("lin-kv")
	c.request("c3", 2, "n2")
	c.deliver(old, "n2")
	v = c.judge("c3", 2, c.reply("n2"))
	assert.False(t, v.Witnessed)
	assert.Empty(t, v.Service)
}

func TestRequestsAreKeyedByClientAndMsgID(t *testing.T) {
	c := newCluster(t, 3)
	c.request("c1", 1, "n0")
	c.request("c2", 1, "n1")
	c.hop("n0", "n1")
	c.hop("n1", "n0")
	r := c.reply("n0")
	assert.Equal(t, "n1", c.judge("c2", 1, r).Arrival, "c2's request is told apart from c1's with the same msg_id")
	assert.Equal(t, "n0", c.judge("c1", 1, r).Arrival)
	assert.Equal(t, 0, c.w.Pending())

	// A new request replaces the client's pending one: a late reply to the
	// old one finds no arrival.
	c.request("c1", 2, "n0")
	c.request("c1", 3, "n2")
	assert.Equal(t, 1, c.w.Pending())
	v := c.judge("c1", 2, c.reply("n0"))
	assert.Empty(t, v.Arrival)
	assert.False(t, v.Witnessed)
	assert.Equal(t, "n2", c.judge("c1", 3, c.reply("n2")).Arrival)
}

func TestARedeliveredRequestKeepsItsFirstArrival(t *testing.T) {
	c := newCluster(t, 3)
	c.request("c1", 1, "n0")
	c.hop("n0", "n1")
	c.hop("n1", "n0")
	c.request("c1", 1, "n0") // the same request again, after n1 acked
	v := c.judge("c1", 1, c.reply("n0"))
	assert.True(t, v.Witnessed, "n1's ack follows the first arrival")
}

func TestANodeThatNeverSawTheRequestIsNoWitness(t *testing.T) {
	// A reply that does not causally follow the arrival at all: n1 answers
	// c1's request, which went to n0 and never left it.
	c := newCluster(t, 3)
	c.request("c1", 1, "n0")
	c.hop("n2", "n1")
	v := c.judge("c1", 1, c.reply("n1"))
	assert.False(t, v.Witnessed)
	assert.Empty(t, v.Witnesses)
	assert.Equal(t, "n0", v.Arrival)
}

func TestNonRequestsAreIgnored(t *testing.T) {
	c := newCluster(t, 3)
	c.w.Delivered("n0", "c1", Stamp{}, []byte(`{"type":"read","key":0}`))
	c.w.Delivered("n0", "c1", Stamp{}, []byte(`not json`))
	c.w.Delivered("c1", "n0", c.w.Sent("n0"), []byte(`{"type":"read_ok","in_reply_to":1}`))
	assert.Equal(t, 0, c.w.Pending())
	assert.Equal(t, Stamp{}, c.w.Sent("c1"), "a client carries no clock")
}

func TestSingleNodeWitnessesItself(t *testing.T) {
	c := newCluster(t, 1)
	c.request("c1", 1, "n0")
	v := c.judge("c1", 1, c.reply("n0"))
	require.Equal(t, 1, v.Quorum)
	assert.True(t, v.Witnessed)
}
