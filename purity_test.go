package quorumkit_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// contract is the one package a core may import besides the standard library.
const contract = "github.com/quorumkit/quorumkit/nodes/consensus"

// TestCoresArePure enforces the core contract of ARCHITECTURE.md on both cores: their non-test
// code imports the standard library and the contract package only, and none of the standard
// packages that would let a core read a clock, touch the OS, start goroutines safely, encode
// JSON or draw unseeded random numbers. Randomness comes from the *rand.Rand in the config, so
// the package-level functions of math/rand/v2 are banned too: a seed must fix a run.
func TestCoresArePure(t *testing.T) {
	forbidden := map[string]bool{"time": true, "os": true, "sync": true, "encoding/json": true,
		"math/rand": true, "log": true, "log/slog": true, "net": true}
	for _, dir := range []string{"raftnode/raft", "paxosnode/paxos", "nodes/consensus"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		require.NotEmpty(t, files, dir)
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			src, err := os.ReadFile(file)
			require.NoError(t, err)
			f, err := parser.ParseFile(token.NewFileSet(), file, src, 0)
			require.NoError(t, err)
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				require.False(t, forbidden[path], "%s imports %s", file, path)
				if path == contract && dir != "nodes/consensus" {
					continue
				}
				require.NotContains(t, strings.SplitN(path, "/", 2)[0], ".", "%s imports %s, neither the standard library nor the contract", file, path)
			}
			require.NotContains(t, string(src), "go func", "%s starts a goroutine", file)
			require.Empty(t, globalRandCalls(f), "%s draws from math/rand/v2's unseeded global source", file)
		}
	}
}

// TestPurityCheckSeesGlobalRand shows the rand rule can fail: it flags a package-level call
// and lets a seeded generator through.
func TestPurityCheckSeesGlobalRand(t *testing.T) {
	src := `package p
import r "math/rand/v2"
func f(g *r.Rand) int { return g.IntN(3) + r.IntN(3) + int(r.New(r.NewPCG(1, 2)).Uint64()) }`
	f, err := parser.ParseFile(token.NewFileSet(), "p.go", src, 0)
	require.NoError(t, err)
	require.Equal(t, []string{"r.IntN"}, globalRandCalls(f))
}

// globalRandCalls lists the calls of math/rand/v2's package-level functions other than the
// constructors of a seeded generator.
func globalRandCalls(f *ast.File) []string {
	name := ""
	for _, imp := range f.Imports {
		if path, _ := strconv.Unquote(imp.Path.Value); path == "math/rand/v2" {
			name = "rand"
			if imp.Name != nil {
				name = imp.Name.Name
			}
		}
	}
	if name == "" {
		return nil
	}
	seeded := map[string]bool{"New": true, "NewPCG": true, "NewChaCha8": true, "NewZipf": true}
	var calls []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == name && id.Obj == nil && !seeded[sel.Sel.Name] {
				calls = append(calls, name+"."+sel.Sel.Name)
			}
		}
		return true
	})
	return calls
}
