package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// pkg is what `go list -json` says about one package of the module.
type pkg struct {
	ImportPath   string
	Dir          string
	Imports      []string
	TestImports  []string
	XTestImports []string
	TestGoFiles  []string
	XTestGoFiles []string
}

func (p *pkg) hasTests() bool { return len(p.TestGoFiles)+len(p.XTestGoFiles) > 0 }

// graph is the module's packages and who imports whom. A package's tests judge a mutant when
// their binary links it: through the package's own imports, or its tests' (as nodes's external
// tests import nodes/kvserver). Only the first kind carries on to the package's importers:
// what nodes's tests import is not in the nodes that harness/internal/net imports.
type graph struct {
	root string
	pkgs map[string]*pkg // by import path
	// importers[q] are the packages whose non-test code imports q directly.
	importers map[string][]string
}

// loadGraph lists the packages of the module at root.
func loadGraph(root string) (*graph, error) {
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, stderr.Bytes())
	}
	return parseGraph(root, out)
}

// parseGraph reads the concatenated JSON objects `go list -json` prints.
func parseGraph(root string, list []byte) (*graph, error) {
	g := &graph{root: root, pkgs: map[string]*pkg{}, importers: map[string][]string{}}
	dec := json.NewDecoder(bytes.NewReader(list))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		g.pkgs[p.ImportPath] = &p
	}
	for _, p := range g.pkgs {
		for _, q := range p.Imports {
			if _, ours := g.pkgs[q]; ours {
				g.importers[q] = append(g.importers[q], p.ImportPath)
			}
		}
	}
	return g, nil
}

// packageOf returns the import path of the package holding file (relative to the root).
func (g *graph) packageOf(file string) (string, error) {
	dir := filepath.Join(g.root, filepath.Dir(file))
	for _, p := range g.pkgs {
		if p.Dir == dir {
			return p.ImportPath, nil
		}
	}
	return "", fmt.Errorf("%s is in no package of the module", file)
}

// testOrder returns the packages to test for a mutant of the given packages: those
// packages, then every package whose test binary links them, nearest first (ties by import
// path), leaving out packages without tests. The distance of a package is the length of the
// shortest import chain from it to a mutated package, its tests' imports counting as its own.
func (g *graph) testOrder(mutated []string) []string {
	code := map[string]int{} // distance along non-test imports
	queue := slices.Clone(mutated)
	for _, p := range mutated {
		code[p] = 0
	}
	for len(queue) > 0 {
		q := queue[0]
		queue = queue[1:]
		for _, p := range g.importers[q] {
			if _, ok := code[p]; !ok {
				code[p] = code[q] + 1
				queue = append(queue, p)
			}
		}
	}
	dist := map[string]int{}
	for path, p := range g.pkgs {
		if !p.hasTests() {
			continue
		}
		d, ok := code[path]
		for _, q := range slices.Concat(p.TestImports, p.XTestImports) {
			if dq, linked := code[q]; linked && q != path && (!ok || dq+1 < d) {
				d, ok = dq+1, true
			}
		}
		if ok {
			dist[path] = d
		}
	}
	order := slices.Collect(maps.Keys(dist))
	slices.SortFunc(order, func(a, b string) int {
		return cmp.Or(cmp.Compare(dist[a], dist[b]), strings.Compare(a, b))
	})
	return order
}

// rel returns the package's directory relative to the root ("raftnode/raft"), its shortest
// readable name.
func (g *graph) rel(path string) string {
	if p, ok := g.pkgs[path]; ok {
		if r, err := filepath.Rel(g.root, p.Dir); err == nil {
			return filepath.ToSlash(r)
		}
	}
	return path
}
