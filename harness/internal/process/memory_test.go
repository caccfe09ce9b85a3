package process

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStatus(t *testing.T) {
	m, err := parseStatus([]byte("Name:\traftnode\nVmPeak:\t  1000 kB\nVmHWM:\t    7168 kB\nVmRSS:\t    5120 kB\nThreads:\t5\n"))
	require.NoError(t, err)
	assert.Equal(t, Memory{RSS: 5120, HWM: 7168}, m)

	_, err = parseStatus([]byte("Name:\tkthreadd\nState:\tS (sleeping)\n"))
	assert.Error(t, err, "a kernel thread has no VmRSS")
	_, err = parseStatus([]byte("VmHWM:\t7168 kB\nVmRSS:\tmany kB\n"))
	assert.Error(t, err)
}

func TestReadMemoryOfSelf(t *testing.T) {
	if _, err := os.Stat("/proc/self/status"); err != nil {
		t.Skip("no /proc")
	}
	m, err := ReadMemory(os.Getpid())
	require.NoError(t, err)
	assert.Positive(t, m.RSS)
	assert.GreaterOrEqual(t, m.HWM, m.RSS)
}

func TestStateOfThisProcessAndOfNone(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	assert.Equal(t, "R", State(os.Getpid()), "the test is running")
	assert.Equal(t, "", State(1<<30), "no such process")
}
