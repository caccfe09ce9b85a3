package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

// verdict is what became of a mutant.
type verdict int

const (
	// caught: a test failed with the mutant applied.
	caught verdict = iota
	// survived: every package that could judge the mutant passed.
	survived
	// broken: the mutant could not be judged (the patch does not apply, or the mutant does
	// not build or vet); the catalog needs fixing.
	broken
	// skipped: the run was interrupted before the mutant was judged.
	skipped
)

func (v verdict) String() string {
	return [...]string{"caught", "survived", "error", "skipped"}[v]
}

// result is the judgement of one mutant.
type result struct {
	m       mutant
	verdict verdict
	// pkg and test are the package (relative directory) and the first failing test that
	// caught the mutant; reason is the first line of its message, or what broke the mutant.
	pkg, test, reason string
	// passed are the packages (relative directories) whose tests passed.
	passed  []string
	elapsed time.Duration
}

// judge is a worker's context: the tree to copy, the package graph and where to write.
type judge struct {
	ctx     context.Context
	tree    []treeFile
	graph   *graph
	scratch string // this worker's scratch directory, rewritten for each mutant
	logDir  string
	tests   string // a go test -run pattern, for an analysis; "" for the score
}

// run judges one mutant; the full output of every command goes to its log.
func (j *judge) run(m mutant) result {
	start := time.Now()
	var log bytes.Buffer
	fmt.Fprintf(&log, "mutant %s: %s\n", m.name, m.desc)
	r := j.judge(m, &log)
	r.m, r.elapsed = m, time.Since(start)
	fmt.Fprintf(&log, "\n%s after %s\n", r.verdict, r.elapsed.Round(100*time.Millisecond))
	if j.logDir != "" {
		if err := os.WriteFile(filepath.Join(j.logDir, m.name+".log"), log.Bytes(), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "mutants:", err)
		}
	}
	return r
}

func (j *judge) judge(m mutant, log *bytes.Buffer) result {
	if err := writeTree(j.scratch, j.tree); err != nil {
		return result{verdict: broken, reason: "scratch copy: " + err.Error()}
	}
	if out, err := j.command(log, "git", "apply", m.path); err != nil {
		return result{verdict: broken, reason: "the patch does not apply: " + firstLine(out)}
	}
	var mutated []string
	for _, f := range m.files {
		p, err := j.graph.packageOf(f)
		if err != nil {
			return result{verdict: broken, reason: err.Error()}
		}
		mutated = append(mutated, p)
	}
	slices.Sort(mutated)
	mutated = slices.Compact(mutated) // several files of one package
	if out, err := j.command(log, "go", append([]string{"vet"}, mutated...)...); err != nil {
		return result{verdict: broken, reason: "go vet fails: " + firstCompileError(strings.Split(out, "\n"))}
	}
	if out, err := j.command(log, "gofmt", append([]string{"-l"}, m.files...)...); err != nil || len(out) > 0 {
		return result{verdict: broken, reason: "gofmt needed: " + firstLine(out)}
	}
	var r result
	for _, p := range j.graph.testOrder(mutated) {
		if j.ctx.Err() != nil {
			return result{verdict: skipped, reason: "interrupted"}
		}
		rel := j.graph.rel(p)
		t0 := time.Now()
		args := []string{"test", p}
		if j.tests != "" {
			args = []string{"test", "-run", j.tests, p}
		}
		out, err := j.command(log, "go", args...)
		fmt.Fprintf(log, "(%s in %s)\n", rel, time.Since(t0).Round(100*time.Millisecond))
		if err == nil {
			r.passed = append(r.passed, rel)
			continue
		}
		if j.ctx.Err() != nil {
			return result{verdict: skipped, reason: "interrupted"}
		}
		f := parseFailure(out)
		if f.build {
			return result{verdict: broken, reason: rel + " does not build: " + f.reason}
		}
		return result{verdict: caught, pkg: rel, test: f.test, reason: f.reason, passed: r.passed}
	}
	r.verdict = survived
	return r
}

// command runs name args in the scratch directory, appending the command line and its
// output to log. Git must not find a repository above the scratch copy, or it would apply
// the patch relative to that one. The command runs in a process group of its own, so that
// an interrupted run also stops the test binaries go test started.
func (j *judge) command(log *bytes.Buffer, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(j.ctx, name, args...)
	cmd.Dir = j.scratch
	cmd.Env = append(os.Environ(), "GIT_CEILING_DIRECTORIES="+filepath.Dir(j.scratch))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	out, err := cmd.CombinedOutput()
	fmt.Fprintf(log, "\n$ %s %s\n%s", name, strings.Join(args, " "), out)
	return string(out), err
}

func firstLine(s string) string {
	for line := range strings.Lines(s) {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}
