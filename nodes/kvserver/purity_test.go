package kvserver

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCoresArePure enforces the core contract of ARCHITECTURE.md on both cores: their
// non-test code imports only the standard library and none of the packages that would let
// a core read a clock, touch the OS, start goroutines safely, or encode JSON.
func TestCoresArePure(t *testing.T) {
	forbidden := map[string]bool{"time": true, "os": true, "sync": true, "encoding/json": true,
		"math/rand": true, "log": true, "log/slog": true, "net": true}
	for _, dir := range []string{"../../raftnode/raft", "../../paxosnode/paxos"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		require.NotEmpty(t, files, dir)
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.ImportsOnly)
			require.NoError(t, err)
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				require.False(t, forbidden[path], "%s imports %s", file, path)
				require.NotContains(t, strings.SplitN(path, "/", 2)[0], ".", "%s imports %s, not the standard library", file, path)
			}
			require.NotContains(t, string(src), "go func", "%s starts a goroutine", file)
		}
	}
}
