package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/edn"
	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// timestampLayout is Maelstrom's store directory name format.
const timestampLayout = "20060102T150405.000-0700"

// Store is one run's directory.
type Store struct {
	// Dir is the run's directory.
	Dir string
}

// NewStore creates root/workload/<timestamp>/ with its node-logs folder and
// points root/latest and root/workload/latest at it.
func NewStore(root, workload string, start time.Time) (*Store, error) {
	name := start.Format(timestampLayout)
	dir := filepath.Join(root, workload, name)
	for i := 1; ; i++ {
		if _, err := os.Stat(dir); os.IsNotExist(err) {
			break
		}
		dir = filepath.Join(root, workload, fmt.Sprintf("%s-%d", name, i))
	}
	if err := os.MkdirAll(filepath.Join(dir, "node-logs"), 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	for _, link := range []string{filepath.Join(root, "latest"), filepath.Join(root, workload, "latest")} {
		os.Remove(link)
		if err := os.Symlink(abs, link); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
	}
	return &Store{Dir: dir}, nil
}

// Path is a file's path inside the store directory.
func (s *Store) Path(elem ...string) string {
	return filepath.Join(append([]string{s.Dir}, elem...)...)
}

// NodeLog is the stderr log path of node id.
func (s *Store) NodeLog(id string) string { return s.Path("node-logs", id+".log") }

// WriteResults writes v as results.json (indented) and results.edn.
func (s *Store) WriteResults(v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("report: results: %w", err)
	}
	if err := os.WriteFile(s.Path("results.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	doc, err := ednResults.Encode(b)
	if err != nil {
		return fmt.Errorf("report: results: %w", err)
	}
	return os.WriteFile(s.Path("results.edn"), []byte(doc+"\n"), 0o644)
}

// WriteHistory writes history.jsonl, history.txt and history.edn.
func (s *Store) WriteHistory(ops []history.Op) error {
	for name, write := range map[string]func(*os.File) error{
		"history.jsonl": func(f *os.File) error { return history.WriteJSONL(f, ops) },
		"history.txt":   func(f *os.File) error { return history.WriteText(f, ops) },
		"history.edn":   func(f *os.File) error { return history.WriteEDN(f, ops) },
	} {
		f, err := os.Create(s.Path(name))
		if err != nil {
			return err
		}
		err = write(f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("report: %s: %w", name, err)
		}
	}
	return nil
}

// ednResults writes results.edn as Maelstrom does: keyword keys, one map
// entry a line, and a verdict of "unknown" as the keyword :unknown.
var ednResults = edn.Style{KeywordKeys: true, Pretty: true, Keyword: func(_ string, at edn.Place) bool {
	return at.Key == "valid?"
}}

// SortedKeys returns m's keys in order, for stable reports.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
