package main

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// mutant is one entry of the catalog: a patch file in the catalog directory.
type mutant struct {
	// name is the patch file's name without .patch; MUTANTS selects by it.
	name string
	// path is the patch file's absolute path, as git apply needs it from a scratch directory.
	path string
	// desc is the patch's first line: what bug the mutant plants.
	desc string
	// files are the paths, relative to the repository root, that the patch changes.
	files []string
}

// loadCatalog reads every *.patch in dir, sorted by name.
func loadCatalog(dir string) ([]mutant, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.patch"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no *.patch in %s", dir)
	}
	slices.Sort(paths)
	var out []mutant
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(abs)
		if err != nil {
			return nil, err
		}
		m, err := parsePatch(strings.TrimSuffix(filepath.Base(p), ".patch"), data)
		if err != nil {
			return nil, err
		}
		m.path = abs
		out = append(out, m)
	}
	return out, nil
}

// parsePatch reads a catalog entry: the first line is the description, then free notes, then
// a git diff. A mutant plants a bug in the code, so a patch that changes a test, or anything
// but Go source, is refused: it would judge the tests by other tests.
func parsePatch(name string, data []byte) (mutant, error) {
	m := mutant{name: name}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	m.desc = strings.TrimSpace(string(first))
	if m.desc == "" || strings.HasPrefix(m.desc, "diff ") {
		return m, fmt.Errorf("%s: the first line must describe the mutant", name)
	}
	for line := range strings.Lines(string(data)) {
		rest, ok := strings.CutPrefix(line, "diff --git a/")
		if !ok {
			continue
		}
		_, file, ok := strings.Cut(strings.TrimSpace(rest), " b/")
		if !ok {
			return m, fmt.Errorf("%s: cannot read the file names in %q", name, strings.TrimSpace(line))
		}
		if !strings.HasSuffix(file, ".go") || strings.HasSuffix(file, "_test.go") {
			return m, fmt.Errorf("%s: changes %s; a mutant changes only non-test Go code", name, file)
		}
		m.files = append(m.files, file)
	}
	if len(m.files) == 0 {
		return m, fmt.Errorf("%s: no `diff --git` in the patch", name)
	}
	return m, nil
}

// selectMutants keeps the mutants named in filter (comma-separated; empty keeps all), in
// catalog order. An unknown name is an error, so a typo does not pass as a clean run.
func selectMutants(all []mutant, filter string) ([]mutant, error) {
	if strings.TrimSpace(filter) == "" {
		return all, nil
	}
	want := map[string]bool{}
	for _, name := range strings.Split(filter, ",") {
		if name = strings.TrimSpace(name); name != "" {
			want[name] = true
		}
	}
	var out []mutant
	for _, m := range all {
		if want[m.name] {
			out = append(out, m)
			delete(want, m.name)
		}
	}
	if len(want) > 0 {
		return nil, fmt.Errorf("no such mutant: %s", strings.Join(slices.Sorted(maps.Keys(want)), ", "))
	}
	return out, nil
}

// Markers of the generated catalog table in the catalog's README.
const (
	tableBegin = "<!-- catalog: generated from the patches by `go run ./scripts/mutants -readme` -->"
	tableEnd   = "<!-- end of catalog -->"
)

// catalogTable is the markdown table of the catalog, between its markers.
func catalogTable(all []mutant) string {
	var b strings.Builder
	b.WriteString(tableBegin + "\n\n| mutant | bug | changes |\n|---|---|---|\n")
	for _, m := range all {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", m.name, strings.ReplaceAll(m.desc, "|", `\|`), strings.Join(m.files, ", "))
	}
	b.WriteString("\n" + tableEnd)
	return b.String()
}

// withTable returns readme with the text between the markers replaced by table; it fails if
// the markers are missing.
func withTable(readme, table string) (string, error) {
	i := strings.Index(readme, tableBegin)
	j := strings.Index(readme, tableEnd)
	if i < 0 || j < i {
		return "", fmt.Errorf("the README has no catalog markers (%q ... %q)", tableBegin, tableEnd)
	}
	return readme[:i] + table + readme[j+len(tableEnd):], nil
}
