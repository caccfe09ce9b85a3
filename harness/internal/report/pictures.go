package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/quorumkit/quorumkit/harness/internal/check"
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/results"
)

// WritePictures draws a checked run into its store: timeline.html, the perf
// plots with the faults shaded, and porcupine's page of each key that is not
// linearizable (independent/<key>/linear.html) or whose observations are not
// (independent/<key>/observations.html). It records in res what it wrote: each
// such key's (and offending observation's) Visualization, and an unknown
// timeline or perf verdict when that picture could not be written, for a
// picture that is missing makes the analysis incomplete, not the run wrong.
// What could not be written is said on log.
func WritePictures(s *Store, res *results.Results, ops []history.Op, faults []history.Interval, log io.Writer) {
	for _, k := range res.Workload.Failures {
		kr := res.Workload.Key(k)
		kr.Visualization = visualize(s, k, "linear.html", kr, log)
	}
	for _, k := range res.Observations.Failures {
		kr := res.Observations.Key(k)
		kr.Visualization = visualize(s, k, "observations.html", &kr.KeyResult, log)
	}
	for _, op := range res.Observations.Ops {
		op.Visualization = res.Observations.Key(op.Key).Visualization
	}
	if err := timeline(s, ops); err != nil {
		res.Timeline = results.Simple{Valid: check.Unknown}
		fmt.Fprintln(log, "harness: timeline:", err)
	}
	if err := plots(s, ops, faults); err != nil {
		res.Perf.Valid = check.Unknown
		fmt.Fprintln(log, "harness: plots:", err)
	}
}

// visualize writes porcupine's page of key k's result as
// independent/<k>/<name> and returns its path relative to the store, or ""
// when it could not be written.
func visualize(s *Store, k int64, name string, kr *check.KeyResult, log io.Writer) string {
	dir := s.Path("independent", strconv.FormatInt(k, 10))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(log, "harness: visualization:", err)
		return ""
	}
	if err := kr.Visualize(filepath.Join(dir, name)); err != nil {
		fmt.Fprintln(log, "harness: visualization:", err)
		return ""
	}
	return filepath.Join("independent", strconv.FormatInt(k, 10), name)
}
