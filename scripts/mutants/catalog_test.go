package main

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCatalogIsCurrent keeps the catalog from rotting between runs of `make mutants`: every
// patch parses and applies to the working tree as it is, and the README's table is the one
// the patches make.
func TestCatalogIsCurrent(t *testing.T) {
	dir := filepath.Join("..", "..", "mutants")
	catalog, err := loadCatalog(dir)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(catalog), 18)
	stale, err := checkReadme(filepath.Join(dir, "README.md"), catalog, false)
	require.NoError(t, err)
	require.False(t, stale, "mutants/README.md's table is stale: run go run ./scripts/mutants -readme")
	root := filepath.Join("..", "..")
	if err := exec.Command("git", "-C", root, "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		t.Skipf("not in a git working tree (%v): cannot check that the patches apply", err)
	}
	for _, m := range catalog {
		cmd := exec.Command("git", "apply", "--check", m.path)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s no longer applies: %s", m.name, out)
	}
}
