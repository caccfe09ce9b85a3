package bench

import (
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/nodelog"
)

// TestLeaderChangedLines reads back lines that the real slog text handler
// wrote, configured as the runtime configures it (nodes.Run: a TextHandler
// with a level, the node id added by With), with the contract's message and
// keys: the parser must find exactly the leader changes, in order, with
// their times, whatever the values need in quoting.
func TestLeaderChangedLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "n1.log")
	f, err := os.Create(path)
	require.NoError(t, err)
	log := slog.New(slog.NewTextHandler(f, &slog.HandlerOptions{Level: slog.LevelInfo})).With("node", "n1")
	before := time.Now()
	log.Info("became candidate", "term", 3, "note", nodelog.LeaderChanged+" soon")
	log.Info(nodelog.LeaderChanged, nodelog.From, "", nodelog.To, "n2")
	log.Info(nodelog.LeaderChanged, nodelog.From, "n2", nodelog.To, "")
	log.Info(nodelog.LeaderChanged, nodelog.From, "", nodelog.To, "node one")
	after := time.Now()
	require.NoError(t, f.Close())

	changes, err := readLeaderChanges(path, "n1")
	require.NoError(t, err)
	require.Len(t, changes, 3, "a line that only mentions the message is not one")
	for i, want := range []string{"n2", "", "node one"} {
		assert.Equal(t, "n1", changes[i].Node)
		assert.Equal(t, want, changes[i].To)
		assert.False(t, changes[i].At.Before(before.Truncate(time.Millisecond)), "slog stamps milliseconds")
		assert.False(t, changes[i].At.After(after))
	}
}

// TestServerLogsLeaderChanged checks the writing side of the contract in the
// KV server's source: one log call whose message is nodelog.LeaderChanged
// and whose keys are nodelog.From and nodelog.To, so that a server that
// renames the line or its keys fails here rather than leaving the benchmark
// report without leaders.
func TestServerLogsLeaderChanged(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "..", "..", "..", "nodes", "kvserver")
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	sel := func(e ast.Expr) string {
		if s, ok := e.(*ast.SelectorExpr); ok {
			if x, ok := s.X.(*ast.Ident); ok {
				return x.Name + "." + s.Sel.Name
			}
		}
		return ""
	}
	var calls [][]string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		require.NoError(t, err)
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 || sel(call.Args[0]) != "nodelog.LeaderChanged" {
				return true
			}
			var keys []string
			for i := 1; i < len(call.Args); i += 2 {
				keys = append(keys, sel(call.Args[i]))
			}
			calls = append(calls, keys)
			return true
		})
	}
	assert.Equal(t, [][]string{{"nodelog.From", "nodelog.To"}}, calls, "the server's leader-changed log calls and their keys")
}
