package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// TimestampLayout is Maelstrom's store directory name format.
const TimestampLayout = "20060102T150405.000-0700"

// Store is one run's directory.
type Store struct {
	// Dir is the run's directory.
	Dir string
}

// NewStore creates root/workload/<timestamp>/ with its node-logs folder and
// points root/latest and root/workload/latest at it.
func NewStore(root, workload string, start time.Time) (*Store, error) {
	name := start.Format(TimestampLayout)
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
	edn, err := EDN(b)
	if err != nil {
		return err
	}
	return os.WriteFile(s.Path("results.edn"), []byte(edn+"\n"), 0o644)
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

// EDN converts a JSON document to EDN, keeping key order: object keys
// become keywords (integer-looking keys become integers), the string
// "unknown" under a "valid?" key becomes :unknown, and everything else maps
// to its obvious EDN form.
func EDN(doc []byte) (string, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var sb strings.Builder
	if err := ednValue(d, &sb, "", 0); err != nil {
		return "", fmt.Errorf("report: edn: %w", err)
	}
	return sb.String(), nil
}

func ednValue(d *json.Decoder, sb *strings.Builder, key string, depth int) error {
	tok, err := d.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			sb.WriteByte('{')
			first := true
			for d.More() {
				kt, err := d.Token()
				if err != nil {
					return err
				}
				k := kt.(string)
				if !first {
					sb.WriteString(",\n" + strings.Repeat(" ", depth+1))
				}
				first = false
				sb.WriteString(ednKey(k) + " ")
				if err := ednValue(d, sb, k, depth+1); err != nil {
					return err
				}
			}
			d.Token()
			sb.WriteByte('}')
		case '[':
			sb.WriteByte('[')
			first := true
			for d.More() {
				if !first {
					sb.WriteByte(' ')
				}
				first = false
				if err := ednValue(d, sb, "", depth+1); err != nil {
					return err
				}
			}
			d.Token()
			sb.WriteByte(']')
		}
	case nil:
		sb.WriteString("nil")
	case bool:
		sb.WriteString(strconv.FormatBool(t))
	case json.Number:
		sb.WriteString(t.String())
	case string:
		if key == "valid?" {
			sb.WriteString(":" + t)
		} else {
			sb.WriteString(strconv.Quote(t))
		}
	}
	return nil
}

func ednKey(k string) string {
	if _, err := strconv.ParseInt(k, 10, 64); err == nil {
		return k
	}
	if k == "" || strings.ContainsAny(k, " \t\n\"(){}[],;") {
		return strconv.Quote(k)
	}
	return ":" + k
}

// SortedKeys returns m's keys in order, for stable reports.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
