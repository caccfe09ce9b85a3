package runner

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/nemesis"
	"github.com/quorumkit/quorumkit/harness/internal/process"
	"github.com/quorumkit/quorumkit/harness/internal/testkit"
)

// TestKillDropsWhileDownAndRestartsWithInit kills an echo node: requests
// sent while it is down are lost (never answered, even after the restart);
// the restart runs a new process, which is sent init again by a new client
// and answers again; start and kill are idempotent.
func TestKillDropsWhileDownAndRestartsWithInit(t *testing.T) {
	tt, p := startEcho(t, 2)
	c := newEchoClient(t, tt.net, "c100")
	first := tt.processes()[0]

	assert.Equal(t, nemesis.Killed, p.Kill("n0"))
	<-first.Exited()
	assert.Equal(t, nemesis.NotRunning, p.Kill("n0"), "a kill of a down node does nothing")
	assert.Equal(t, nemesis.NotRunning, p.Pause("n0"))
	assert.Equal(t, nemesis.NotPaused, p.Resume("n0"))
	c.send("n0", 1, 11)
	assert.Empty(t, c.replies(200*time.Millisecond, 1), "a down node answers nothing")
	assert.Equal(t, int64(10), tt.net.Stats().Lost)

	assert.Equal(t, nemesis.Started, p.Start("n0"))
	second := tt.processes()[0]
	assert.NotEqual(t, first.Pid(), second.Pid(), "a new process")
	assert.Eventually(t, func() bool {
		logs, err := os.ReadFile(tt.store.NodeLog("n0"))
		return err == nil && strings.Count(string(logs), "n0: init, mode echo") == 2
	}, 5*time.Second, 10*time.Millisecond, "the new process logs its init, after the first's, in the node's log")
	c.send("n0", 11, 21)
	got := c.replies(5*time.Second, 10)
	for i := 11; i < 21; i++ {
		assert.True(t, got[i], "request %d after the restart is answered", i)
	}
	for i := 1; i < 11; i++ {
		assert.False(t, got[i], "request %d sent while down was lost", i)
	}
	assert.Equal(t, nemesis.AlreadyRunning, p.Start("n0"))

	tt.teardown()
	testkit.AssertGone(t, []int{first.Pid(), second.Pid(), tt.processes()[1].Pid()})
}

// TestPauseQueuesAndBlocksNobodyElse pauses an echo node and floods it with
// far more than its stdin pipe holds: nothing is answered while it is
// paused, the other node answers at once all along, and after the resume
// every request is answered.
func TestPauseQueuesAndBlocksNobodyElse(t *testing.T) {
	tt, p := startEcho(t, 2)
	c0, c1 := newEchoClient(t, tt.net, "c100"), newEchoClient(t, tt.net, "c101")
	n0 := tt.processes()[0]

	assert.Equal(t, nemesis.NotPaused, p.Resume("n0"))
	assert.Equal(t, nemesis.Paused, p.Pause("n0"))
	assert.Equal(t, nemesis.AlreadyPaused, p.Pause("n0"))
	require.Eventually(t, func() bool { return process.State(n0.Pid()) == "T" }, 5*time.Second, 5*time.Millisecond)
	const flood = 5000 // ~0.6 MB of requests, well past the pipe and the pump's buffer
	c0.send("n0", 1, flood+1)
	c1.send("n1", 1, 11)
	assert.Len(t, c1.replies(2*time.Second, 10), 10, "the other node is not held up by the paused one")
	assert.Empty(t, c0.replies(200*time.Millisecond, 1), "a paused node answers nothing")
	assert.Positive(t, tt.net.Inbox("n0").Len(), "the pipe is full; the rest waits in the queue")
	assert.Equal(t, nemesis.AlreadyRunning, p.Start("n0"), "a paused node is up")

	assert.Equal(t, nemesis.Resumed, p.Resume("n0"))
	assert.Len(t, c0.replies(10*time.Second, flood), flood, "every queued request is delivered after the resume")
	assert.Zero(t, tt.net.Stats().Lost)
}

// TestKillOfAPausedNodeLosesItsQueue kills a paused node with a full queue:
// nothing it held is delivered to its restart, and it is not paused.
func TestKillOfAPausedNodeLosesItsQueue(t *testing.T) {
	tt, p := startEcho(t, 1)
	c := newEchoClient(t, tt.net, "c100")
	first := tt.processes()[0]
	require.Equal(t, nemesis.Paused, p.Pause("n0"))
	c.send("n0", 1, 5001)
	require.Eventually(t, func() bool { return tt.net.Inbox("n0").Len() > 0 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, nemesis.Killed, p.Kill("n0"))
	assert.Positive(t, tt.net.Stats().Lost, "the queue went with the process")
	assert.Equal(t, "", process.State(first.Pid()), "SIGKILL ended the stopped process")
	assert.Equal(t, nemesis.Started, p.Start("n0"))
	assert.False(t, tt.processes()[0].Paused())
	c.send("n0", 5001, 5002)
	got := c.replies(5*time.Second, 1)
	assert.Equal(t, map[int]bool{5001: true}, got, "only the request sent after the restart is answered")
}

// TestFailedRestartCrashesTheRunAndLeavesNothing: a node whose new process
// exits before init_ok crashes the run (as a first init would), and teardown
// leaves no process, paused ones included.
func TestFailedRestartCrashesTheRunAndLeavesNothing(t *testing.T) {
	tt, p := startEcho(t, 3)
	var pids []int
	for _, n := range tt.processes() {
		pids = append(pids, n.Pid())
	}
	require.Equal(t, nemesis.Paused, p.Pause("n1"))
	require.Equal(t, nemesis.Killed, p.Kill("n0"))
	tt.bin = "/bin/false" // the node can no longer start
	assert.Equal(t, nemesis.StartFailed, p.Start("n0"))
	require.NotNil(t, tt.crash)
	assert.Contains(t, tt.crash.Message, "node n0 did not come back after a kill")
	select {
	case <-tt.stop:
	default:
		t.Fatal("a failed restart halts the run")
	}
	require.Equal(t, nemesis.Killed, p.Kill("n2"))
	assert.Equal(t, nemesis.NotStarted, p.Start("n2"), "a halting run starts nothing")
	tt.teardown()
	testkit.AssertGone(t, pids)
	for _, n := range tt.processes() {
		assert.Equal(t, "", process.State(n.Pid()), "%s", n.ID())
	}
}
