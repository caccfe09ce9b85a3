package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout))
}

// options are the command's flags.
type options struct {
	dir, logDir, filter string
	// tests, when set, is passed to go test as -run: an analysis of which tests alone catch
	// which mutants (the simulations, say). make mutants never sets it.
	tests  string
	jobs   int
	readme bool
}

func parseOptions(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("mutants", flag.ContinueOnError)
	fs.StringVar(&o.dir, "dir", "mutants", "the catalog: a directory of *.patch files")
	fs.StringVar(&o.logDir, "logs", "store/mutants", "where each mutant's log goes (one file per mutant)")
	fs.StringVar(&o.filter, "mutants", os.Getenv("MUTANTS"), "comma-separated mutant names to judge (default $MUTANTS; empty: all)")
	fs.StringVar(&o.tests, "tests", "", "judge by the tests matching this go test -run pattern only (an analysis; not the score)")
	// Two at a time on the project's 2-core machine: the sweeps keep both cores busy, but
	// each go test also spends seconds building and linking on one core (mutants/README.md).
	fs.IntVar(&o.jobs, "j", 2, "mutants judged at a time")
	fs.BoolVar(&o.readme, "readme", false, "rewrite the catalog table in the catalog's README.md and exit")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 || o.jobs < 1 {
		return o, fmt.Errorf("usage: mutants [-mutants a,b] [-j N] [-tests REGEXP] [-dir mutants] [-logs DIR] [-readme]")
	}
	return o, nil
}

func run(args []string, stdout io.Writer) int {
	o, err := parseOptions(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		return 2
	}
	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		return 2
	}
	dir := under(root, o.dir)
	catalog, err := loadCatalog(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		return 2
	}
	stale, err := checkReadme(filepath.Join(dir, "README.md"), catalog, o.readme)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		return 2
	}
	if o.readme {
		return 0
	}
	selected, err := selectMutants(catalog, o.filter)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	results, err := judgeAll(ctx, root, under(root, o.logDir), selected, o, stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		return 2
	}
	return summarize(stdout, results, stale, o, time.Since(start))
}

// under resolves a path given relative to the repository root.
func under(root, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	return filepath.Join(root, path)
}

// repoRoot is the top of the git working tree around the current directory.
func repoRoot() (string, error) {
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		return "", fmt.Errorf("not in a git working tree: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// checkReadme compares the catalog table in readme with the patches, or rewrites it when
// write is set. It reports whether the table was stale (and not rewritten).
func checkReadme(path string, catalog []mutant, write bool) (bool, error) {
	old, err := os.ReadFile(path)
	if err != nil {
		return false, err
	}
	updated, err := withTable(string(old), catalogTable(catalog))
	if err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	if updated == string(old) {
		return false, nil
	}
	if write {
		return false, os.WriteFile(path, []byte(updated), 0o644)
	}
	return true, nil
}

// judgeAll judges the mutants, jobs at a time, each worker in a scratch directory of its own,
// and prints each result as soon as those before it in catalog order are printed.
func judgeAll(ctx context.Context, root, logDir string, ms []mutant, o options, stdout io.Writer) ([]result, error) {
	g, err := loadGraph(root)
	if err != nil {
		return nil, err
	}
	tree, err := snapshotTree(root)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	base, err := os.MkdirTemp("", "quorumkit-mutants-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(base)

	results := make([]result, len(ms))
	done := make([]chan struct{}, len(ms))
	for i := range done {
		done[i] = make(chan struct{})
	}
	next := make(chan int, len(ms))
	for i := range ms {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := range min(o.jobs, len(ms)) {
		j := &judge{ctx: ctx, tree: tree, graph: g, scratch: filepath.Join(base, fmt.Sprint("w", w)), logDir: logDir, tests: o.tests}
		wg.Go(func() {
			for i := range next {
				if ctx.Err() != nil {
					results[i] = result{m: ms[i], verdict: skipped, reason: "interrupted"}
				} else {
					results[i] = j.run(ms[i])
				}
				close(done[i])
			}
		})
	}
	width := 0
	for _, m := range ms {
		width = max(width, len(m.name))
	}
	for i := range ms {
		<-done[i]
		fmt.Fprintln(stdout, results[i].line(width))
	}
	wg.Wait()
	return results, nil
}

// line is the mutant's line of the report.
func (r result) line(width int) string {
	head := fmt.Sprintf("%-8s  %-*s  %6.1fs  ", r.verdict, width, r.m.name, r.elapsed.Seconds())
	switch r.verdict {
	case caught:
		test := r.test
		if test == "" {
			test = "(no test named)"
		}
		return head + "by " + r.pkg + " " + test + ": " + r.reason
	case survived:
		return head + "passed: " + strings.Join(r.passed, ", ")
	}
	return head + r.reason
}

// summarize prints the final lines and returns the exit code.
func summarize(stdout io.Writer, results []result, stale bool, o options, wall time.Duration) int {
	count := map[verdict]int{}
	for _, r := range results {
		count[r.verdict]++
	}
	fmt.Fprintf(stdout, "mutants: %d caught, %d survived\n", count[caught], count[survived])
	fmt.Fprintf(stdout, "mutants: wall time %s for %d, %d at a time; logs in %s\n",
		wall.Round(time.Second), len(results), o.jobs, o.logDir)
	if o.tests != "" {
		fmt.Fprintf(stdout, "mutants: judged only by the tests matching %q, not the score\n", o.tests)
	}
	code := 0
	if count[survived] > 0 {
		code = 1
	}
	if count[broken] > 0 {
		fmt.Fprintf(stdout, "mutants: %d in error (patch does not apply, or the mutant does not build or vet)\n", count[broken])
		code = 1
	}
	if count[skipped] > 0 {
		fmt.Fprintf(stdout, "mutants: interrupted, %d not judged\n", count[skipped])
		code = 1
	}
	if stale {
		fmt.Fprintf(stdout, "mutants: %s/README.md's catalog table is stale; run `go run ./scripts/mutants -readme`\n", o.dir)
		code = 1
	}
	return code
}
