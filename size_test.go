package quorumkit_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The sizes the project keeps its code to: a file a reader can hold, a function that fits on
// a screen. Tests and test data are exempt: a table of cases may run long.
const (
	maxFileLines = 600
	maxFuncLines = 80
)

// TestCodeStaysSmall fails on any non-test Go file over maxFileLines lines or function over
// maxFuncLines lines, naming each, so that a file or function that grows past them is split
// in the change that grows it, not found later.
func TestCodeStaysSmall(t *testing.T) {
	require.Empty(t, oversized(t, "."), "split these")
}

// TestSizeCheckSeesALongFunction: the check above finds what it is for.
func TestSizeCheckSeesALongFunction(t *testing.T) {
	dir := t.TempDir()
	body := strings.Repeat("\t_ = 1\n", maxFuncLines)
	src := "package p\n\nfunc long() {\n" + body + "}\n\nfunc short() {}\n"
	require.NoError(t, writeFile(filepath.Join(dir, "p.go"), src))
	require.NoError(t, writeFile(filepath.Join(dir, "p_test.go"), src), "tests are exempt")
	require.Equal(t, []string{fmt.Sprintf("%s: func long is %d lines", filepath.Join(dir, "p.go"), maxFuncLines+2)},
		oversized(t, dir))
}

// oversized lists the non-test Go files under root, outside testdata, store and hidden
// folders, that are over maxFileLines lines, and the functions over maxFuncLines.
func oversized(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == "testdata" || name == "store" || strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		if n := fset.Position(f.End()).Line; n > maxFileLines {
			out = append(out, fmt.Sprintf("%s: %d lines", path, n))
		}
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Body != nil {
				if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > maxFuncLines {
					out = append(out, fmt.Sprintf("%s: func %s is %d lines", path, fn.Name.Name, n))
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func writeFile(path, src string) error { return os.WriteFile(path, []byte(src), 0o644) }
