package main

import (
	"regexp"
	"strings"
)

// failure is what the output of a failing `go test PKG` says about why it failed.
type failure struct {
	// test is the first failing test, down to its deepest failing subtest
	// ("TestSimulation/3-nodes/seeds-1-32"), or the test running when the binary timed out;
	// "" when no test is named (a crash outside any test).
	test string
	// reason is the first line of the failure's message.
	reason string
	// build is set when the package did not build: no test ran.
	build bool
}

var (
	failLine  = regexp.MustCompile(`^(\s*)--- FAIL: (\S+)`)
	buildLine = regexp.MustCompile(`^FAIL\s+\S+\s+\[(build|setup) failed\]`)
	locLine   = regexp.MustCompile(`^\S+\.go:\d+:`)
)

// maxReason bounds the reason quoted on a mutant's line; the log has the rest.
const maxReason = 110

// parseFailure reads the output of a failing `go test PKG` (without -v, as make test runs
// it): the first `--- FAIL:` line names a top-level test, and the lines indented under it
// name its failing subtests, the deepest of which is reported with its first message line.
func parseFailure(out string) failure {
	lines := strings.Split(out, "\n")
	for _, l := range lines {
		if buildLine.MatchString(l) {
			return failure{build: true, reason: firstCompileError(lines)}
		}
	}
	top, deepest, at := "", "", -1
	indent := 0
	for i, l := range lines {
		m := failLine.FindStringSubmatch(l)
		switch {
		case m == nil:
			continue
		case top == "":
			top, deepest, at, indent = m[2], m[2], i, len(m[1])
		case len(m[1]) <= indent:
			return failure{test: deepest, reason: reasonAfter(lines, at)}
		case strings.HasPrefix(m[2], deepest+"/"):
			deepest, at = m[2], i
		}
	}
	if top != "" {
		return failure{test: deepest, reason: reasonAfter(lines, at)}
	}
	if i := indexPrefix(lines, "panic: test timed out"); i >= 0 {
		f := failure{reason: strings.TrimPrefix(lines[i], "panic: ")}
		if j := indexPrefix(lines, "\trunning tests:"); j >= 0 && j+1 < len(lines) {
			f.test, _, _ = strings.Cut(strings.TrimSpace(lines[j+1]), " ")
		}
		return f
	}
	return failure{reason: clip(firstLine(out))}
}

// reasonAfter returns the first message line after the FAIL line at i. A testify failure
// puts only the location on that line and the message in the fields below it: the
// Messages field (or else the Error field) is appended to the location.
func reasonAfter(lines []string, i int) string {
	for k, l := range lines[i+1:] {
		l = strings.TrimSpace(l)
		if l == "" || failLine.MatchString(l) {
			continue
		}
		if strings.HasSuffix(l, ":") {
			if field := testifyField(lines[i+1+k+1:]); field != "" {
				l += " " + field
			}
		}
		return clip(l)
	}
	return ""
}

// testifyField returns the Messages field of the testify report at the head of lines, or
// its Error field (with its continuation lines, such as "expected: 0 actual: 2") when it has
// no message.
func testifyField(lines []string) string {
	var errText []string
	inError := false
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if failLine.MatchString(l) || locLine.MatchString(l) || l == "FAIL" {
			break // the next failure's report
		}
		if v, ok := strings.CutPrefix(l, "Messages:"); ok {
			return strings.TrimSpace(v)
		}
		switch field, _, _ := strings.Cut(l, ":"); {
		case field == "Error" && errText == nil:
			errText, inError = []string{strings.TrimSpace(strings.TrimPrefix(l, "Error:"))}, true
		case field == "Error Trace" || field == "Error" || field == "Test":
			inError = false
		case inError:
			errText = append(errText, l)
		}
	}
	return strings.Join(errText, " ")
}

func firstCompileError(lines []string) string {
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") && !strings.HasPrefix(l, "FAIL") {
			return clip(l)
		}
	}
	return ""
}

func indexPrefix(lines []string, prefix string) int {
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) {
			return i
		}
	}
	return -1
}

func clip(s string) string {
	if len(s) > maxReason {
		return s[:maxReason-3] + "..."
	}
	return s
}
