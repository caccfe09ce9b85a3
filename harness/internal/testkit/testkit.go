package testkit

import (
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// AssertGone waits up to five seconds for every pid to have died and been reaped (signal 0
// finds no such process), and fails t for each that outlives that.
func AssertGone(t testing.TB, pids []int) {
	t.Helper()
	for _, pid := range pids {
		assert.Eventually(t, func() bool { return syscall.Kill(pid, 0) == syscall.ESRCH },
			5*time.Second, 10*time.Millisecond, "pid %d outlived the run", pid)
	}
}
