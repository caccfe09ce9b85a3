package report

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEDN(t *testing.T) {
	got, err := ednResults.Encode([]byte(`{"valid?":"unknown","stats":{"ok-count":3,"by-f":{"read":{"valid?":true}}},"results":{"0":{"x":null}},"a b":["s",1.5,false]}`))
	require.NoError(t, err)
	assert.Equal(t, "{:valid? :unknown,\n :stats {:ok-count 3,\n  :by-f {:read {:valid? true}}},\n :results {0 {:x nil}},\n \"a b\" [\"s\" 1.5 false]}", got)
}

func TestStoreLayout(t *testing.T) {
	root := t.TempDir()
	start := time.Date(2026, 11, 25, 19, 0, 0, 123e6, time.UTC)
	s, err := NewStore(root, "lin-kv", start)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(root, "lin-kv", "20261125T190000.123+0000"), s.Dir)
	require.NoError(t, s.WriteResults(map[string]any{"valid?": true}))
	for _, link := range []string{"latest", "lin-kv/latest"} {
		b, err := os.ReadFile(filepath.Join(root, link, "results.edn"))
		require.NoError(t, err)
		assert.Equal(t, "{:valid? true}\n", string(b))
	}
	s2, err := NewStore(root, "lin-kv", start)
	require.NoError(t, err)
	assert.NotEqual(t, s.Dir, s2.Dir, "same millisecond, new directory")
	assert.DirExists(t, filepath.Join(s2.Dir, "node-logs"))
}
