package simseed

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReplay(t *testing.T) {
	require.Equal(t, `go test ./harness/simseed -run '^TestSimulation$' -sim.seed 17`, Replay("TestSimulation", 17))
	require.Equal(t, `go test ./harness/simseed -run '^TestX$/^a\.b$' -v`, Command("TestX/a.b", "-v"))
}

// TestSeeds: the range by default, and -sim.seed alone when it is set. The flags are set to
// their defaults first and restored after, even when an assertion stops the test early, so
// neither the command line nor this test leaks into the other tests of the binary.
func TestSeeds(t *testing.T) {
	o, c, f := *only, *count, *first
	t.Cleanup(func() { *only, *count, *first = o, c, f })
	*only, *count, *first = -1, 0, 0
	require.Equal(t, []uint64{0, 1, 2}, Seeds(3))
	*first = 5
	*count = 2
	require.Equal(t, []uint64{5, 6}, Seeds(3))
	*only = 9
	require.Equal(t, []uint64{9}, Seeds(3))
}
