package scenario

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestBothCoresTellTheSameStories: every scenario exists for Raft and for Paxos, with the
// same commands and comments; only what the cores printed may differ. A script changed for
// one core alone would stop the two transcripts from being compared line by line.
func TestBothCoresTellTheSameStories(t *testing.T) {
	raft, paxos := "../../../raftnode/raft/testdata", "../../../paxosnode/paxos/testdata"
	names := func(dir string) []string {
		files, err := filepath.Glob(filepath.Join(dir, "*.txt"))
		require.NoError(t, err)
		for i, f := range files {
			files[i] = filepath.Base(f)
		}
		return files
	}
	require.NotEmpty(t, names(raft))
	require.Equal(t, names(raft), names(paxos))
	for _, name := range names(raft) {
		require.Equal(t, script(t, filepath.Join(raft, name)), script(t, filepath.Join(paxos, name)), name)
	}
}

// script is a scenario file without the output of its commands.
func script(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var out []string
	output := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case line == "----":
			output = true
		case line == "":
			output = false
		case !output:
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
