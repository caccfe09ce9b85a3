package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/bench"
	"github.com/quorumkit/quorumkit/harness/internal/results"
)

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, "; ") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// BenchReport runs `harness bench-report`: it reads the runs under a
// benchmark root (see scripts/bench) and writes README.md and the plots.
func BenchReport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("harness bench-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	root := fs.String("store", "store/bench", "benchmark root: one sub-store per section")
	out := fs.String("out", "results", "directory for README.md and the plots")
	commands := fs.String("commands", "", "file listing the commands run, one per line")
	mode := fs.String("mode", "full", "the benchmark's mode, for the header")
	invocation := fs.String("invocation", "make bench", "how the report was produced, for the header")
	goVersion := fs.String("go", runtime.Version(), "Go version, for the header")
	load := fs.String("load", "", "the machine's load average during the runs, for the header")
	var notes stringList
	fs.Var(&notes, "note", "a line for the top of the report (repeatable)")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return results.ExitBadArgs
	}
	runs, err := bench.Load(*root)
	if err != nil {
		fmt.Fprintln(stderr, "harness:", err)
		return 1
	}
	if len(runs) == 0 {
		fmt.Fprintf(stderr, "harness: no runs under %s\n", *root)
		return 1
	}
	meta := bench.Meta{
		Date: time.Now(), Commit: gitCommit(), Machine: machine(), GoVersion: *goVersion,
		Mode: *mode, Invocation: *invocation, Notes: notes, Load: *load,
	}
	if *commands != "" {
		b, err := os.ReadFile(*commands)
		if err != nil {
			fmt.Fprintln(stderr, "harness:", err)
			return 1
		}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l != "" {
				meta.Commands = append(meta.Commands, l)
			}
		}
	}
	if err := bench.Write(*out, runs, meta); err != nil {
		fmt.Fprintln(stderr, "harness:", err)
		return 1
	}
	fmt.Fprintf(stdout, "bench-report: %d runs -> %s/README.md\n", len(runs), *out)
	return 0
}

// gitCommit names the checked-out commit, with "(dirty)" when tracked
// files differ from it.
func gitCommit() string {
	out, err := exec.Command("git", "log", "-1", "--format=%h %s (%cI)").Output()
	if err != nil {
		return "unknown (not a git checkout)"
	}
	c := strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(st) > 0 {
		c += " (dirty)"
	}
	return c
}

// machine describes the CPU: model, core count, OS and architecture.
func machine() string {
	model := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s/%s", model, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
}

// BenchGet runs `harness bench-get FILE PATH`: it prints the value at a
// dotted PATH (e.g. perf.steady.all.p99) of a JSON file such as
// results.json, so that scripts need no JSON tool. A missing path exits 1.
func BenchGet(args []string, stdout, stderr io.Writer) int {
	if len(args) != 2 {
		fmt.Fprintln(stderr, "usage: harness bench-get FILE PATH   (e.g. perf.steady.all.p99)")
		return results.ExitBadArgs
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "harness:", err)
		return 1
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		fmt.Fprintln(stderr, "harness:", err)
		return 1
	}
	for _, k := range strings.Split(args[1], ".") {
		m, ok := v.(map[string]any)
		if !ok {
			fmt.Fprintf(stderr, "harness: %s: no %s\n", args[0], args[1])
			return 1
		}
		if v, ok = m[k]; !ok {
			fmt.Fprintf(stderr, "harness: %s: no %s\n", args[0], args[1])
			return 1
		}
	}
	out, _ := json.Marshal(v)
	fmt.Fprintln(stdout, string(out))
	return 0
}
