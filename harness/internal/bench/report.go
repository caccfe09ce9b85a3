package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Meta describes where and how the runs were made; it heads the report.
type Meta struct {
	// Date is when the benchmark ran.
	Date time.Time
	// Commit is the git commit of the code measured, e.g. "1a2b3c4 subject".
	Commit string
	// Machine describes the CPU and core count; GoVersion the toolchain.
	Machine   string
	GoVersion string
	// Load describes the machine's load average during the benchmark.
	Load string
	// Mode is "full" or "QUICK=1 (smoke)".
	Mode string
	// Invocation is how the report was produced, e.g. "make bench".
	Invocation string
	// Commands are the harness commands run, in order (repeats included).
	Commands []string
	// Notes are extra lines for the top of the report, such as a matrix
	// shrunk to fit a deadline.
	Notes []string
}

// Thresholds and sample times the report uses.
const (
	// p99Limit is the p99 latency that ends the latency/throughput curve.
	p99Limit = 100.0 // ms
	// memoryEarly and memoryLate are when RSS is read off the samples.
	memoryEarly = 60.0  // s
	memoryLate  = 600.0 // s
)

// cell is the key that groups the repeats of one measurement.
type cell struct {
	section string
	bin     string
	nodes   int
	latency int64
	rate    float64
}

func cellOf(r *Run) cell {
	o := r.Results.Test.Options
	return cell{r.Section, r.Bin, len(o.Nodes), r.Results.Test.Latency, o.Rate}
}

// report holds the runs grouped by cell while writing.
type report struct {
	runs  []*Run
	cells map[cell][]*Run
	bins  []string
	sb    strings.Builder
	out   string
}

// Write writes out/README.md and the PNG plots for runs, one section after
// the other (header.go, latency.go, curve.go, partition.go, nodes.go,
// memory.go, validity.go), each with its plot.
func Write(out string, runs []*Run, meta Meta) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	rp := &report{runs: runs, cells: map[cell][]*Run{}, out: out}
	for _, r := range runs {
		c := cellOf(r)
		rp.cells[c] = append(rp.cells[c], r)
		if !slices.Contains(rp.bins, r.Bin) {
			rp.bins = append(rp.bins, r.Bin)
		}
	}
	slices.SortFunc(rp.bins, func(a, b string) int { return binOrder(a) - binOrder(b) })
	rp.header(meta)
	for _, s := range []struct {
		section string // "" for a section that is always there
		write   func() error
	}{
		{sectionLatency, rp.latency}, {sectionCurve, rp.curve}, {sectionPartition, rp.partition},
		{sectionNodes, rp.nodeCount}, {sectionMemory, rp.memory}, {"", rp.validity}, {"", rp.durability},
	} {
		if s.section != "" && rp.first(s.section) == nil {
			continue // no runs: the section is left out
		}
		if err := s.write(); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(out, "README.md"), []byte(rp.sb.String()), 0o644)
}

// binOrder puts raftnode first and paxosnode second, so that the ratio
// column reads Paxos/Raft.
func binOrder(bin string) int {
	switch bin {
	case "raftnode":
		return 0
	case "paxosnode":
		return 1
	}
	return 2
}

// p writes one line of the report.
func (rp *report) p(format string, a ...any) { fmt.Fprintf(&rp.sb, format+"\n", a...) }

// heading starts a section of the report.
func (rp *report) heading(title string) { rp.p("## %s\n", title) }

// ratioName heads the ratio column: the second binary over the first.
func (rp *report) ratioName() string {
	if len(rp.bins) < 2 {
		return ""
	}
	if rp.bins[0] == "raftnode" && rp.bins[1] == "paxosnode" {
		return "Paxos/Raft"
	}
	return rp.bins[1] + "/" + rp.bins[0]
}

// table writes a table's header and separator rows: lead's columns, then
// perBin's once for each binary and, when there are two, ratio's for their
// ratio (each of those a format of the binary's or the ratio's name).
func (rp *report) table(lead, perBin, ratio []string) {
	cols := slices.Clone(lead)
	for _, b := range rp.bins {
		for _, f := range perBin {
			cols = append(cols, strings.ReplaceAll(f, "%s", b))
		}
	}
	if rn := rp.ratioName(); rn != "" {
		for _, f := range ratio {
			cols = append(cols, strings.ReplaceAll(f, "%s", rn))
		}
	}
	rp.p("| %s |", strings.Join(cols, " | "))
	rp.p("|%s", strings.Repeat("---|", len(cols)))
}

// where returns the runs of every cell that match keeps.
func (rp *report) where(keep func(cell) bool) []*Run {
	var out []*Run
	for c, runs := range rp.cells {
		if keep(c) {
			out = append(out, runs...)
		}
	}
	return out
}

// first is the first run of section, nil when it has none.
func (rp *report) first(section string) *Run {
	for _, r := range rp.runs {
		if r.Section == section {
			return r
		}
	}
	return nil
}

// keys returns the distinct values of key over the cells of section, sorted.
func keys[T int | int64 | float64](rp *report, section string, key func(cell) T) []T {
	var out []T
	for c := range rp.cells {
		if c.section == section && !slices.Contains(out, key(c)) {
			out = append(out, key(c))
		}
	}
	slices.Sort(out)
	return out
}
