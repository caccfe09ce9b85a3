package process

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKillTakesTheWholeProcessGroup(t *testing.T) {
	log := filepath.Join(t.TempDir(), "n0.log")
	var mu sync.Mutex
	var lines []string
	n, err := Start(Config{ID: "n0", Bin: "/bin/sh", Args: []string{"-c", "sleep 60 & echo $!; echo started >&2; wait"},
		Dir: os.TempDir(), LogPath: log, OnStdout: func(l []byte) {
			mu.Lock()
			lines = append(lines, string(l))
			mu.Unlock()
		}})
	require.NoError(t, err)
	var child int
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(lines) == 0 {
			return false
		}
		child, _ = strconv.Atoi(lines[0])
		return child > 0
	}, 5*time.Second, 10*time.Millisecond)
	require.NoError(t, n.Kill())
	assert.True(t, n.Killed())
	assert.Equal(t, "signal: killed", n.Status())
	assert.Eventually(t, func() bool { return syscall.Kill(child, 0) == syscall.ESRCH },
		5*time.Second, 10*time.Millisecond, "the grandchild died with the group")
	b, err := os.ReadFile(log)
	require.NoError(t, err)
	assert.Equal(t, "started\n", string(b))
}

func TestEarlyExitKeepsTheStderrTail(t *testing.T) {
	script := `for i in $(seq 1 40); do echo "line $i" >&2; done; exit 7`
	n, err := Start(Config{ID: "n1", Bin: "/bin/sh", Args: []string{"-c", script}, Dir: os.TempDir(),
		LogPath: filepath.Join(t.TempDir(), "n1.log")})
	require.NoError(t, err)
	<-n.Exited()
	assert.False(t, n.Killed())
	assert.Equal(t, "exit status 7", n.Status())
	tail := n.StderrTail(time.Second)
	require.Len(t, tail, TailLines)
	assert.Equal(t, "line 40", tail[len(tail)-1])
	assert.True(t, strings.HasPrefix(tail[0], "line 9"))
	require.NoError(t, n.Kill(), "killing an exited node is harmless")
}

// TestPauseStopsTheWholeProcessGroup pauses a node that forked a child:
// both stop, both resume, and a kill of the paused group ends both.
func TestPauseStopsTheWholeProcessGroup(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	var mu sync.Mutex
	var lines []string
	n, err := Start(Config{ID: "n0", Bin: "/bin/sh", Args: []string{"-c", "sleep 60 & echo $!; wait"},
		Dir: os.TempDir(), LogPath: filepath.Join(t.TempDir(), "n0.log"), OnStdout: func(l []byte) {
			mu.Lock()
			lines = append(lines, string(l))
			mu.Unlock()
		}})
	require.NoError(t, err)
	defer n.Kill()
	var child int
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		if len(lines) > 0 {
			child, _ = strconv.Atoi(lines[0])
		}
		return child > 0
	}, 5*time.Second, 10*time.Millisecond)
	group := []int{n.Pid(), child}

	require.NoError(t, n.Pause())
	assert.True(t, n.Paused())
	for _, pid := range group {
		assert.Eventually(t, func() bool { return State(pid) == "T" }, 5*time.Second, 5*time.Millisecond, "pid %d stopped", pid)
	}
	require.NoError(t, n.Resume())
	assert.False(t, n.Paused())
	for _, pid := range group {
		assert.Eventually(t, func() bool { return State(pid) != "T" }, 5*time.Second, 5*time.Millisecond, "pid %d running again", pid)
	}
	require.NoError(t, n.Resume(), "resuming a running node is harmless")

	require.NoError(t, n.Pause())
	require.NoError(t, n.Kill(), "SIGKILL ends a stopped group")
	assert.Equal(t, "signal: killed", n.Status())
	assert.Eventually(t, func() bool { return syscall.Kill(child, 0) == syscall.ESRCH },
		5*time.Second, 10*time.Millisecond, "the stopped child died with the group")
	assert.ErrorIs(t, n.Pause(), ErrExited)
	assert.ErrorIs(t, n.Resume(), ErrExited)
}
