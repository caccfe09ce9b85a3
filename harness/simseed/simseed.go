package simseed

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

var (
	only  = flag.Int64("sim.seed", -1, "run only this seed (negative: off, run -sim.seeds seeds from -sim.first)")
	count = flag.Int("sim.seeds", 0, "how many seeds a simulation runs (0: the test's own count)")
	first = flag.Uint64("sim.first", 0, "the first seed a simulation runs")
)

// Seeds is the seeds a simulation runs: -sim.seed alone when it is set, else -sim.seeds seeds
// (n when that flag is 0) from -sim.first.
func Seeds(n int) []uint64 {
	if *only >= 0 {
		return []uint64{uint64(*only)}
	}
	if *count > 0 {
		n = *count
	}
	seeds := make([]uint64, 0, n)
	for i := range uint64(n) {
		seeds = append(seeds, *first+i)
	}
	return seeds
}

// Replay is the go test command that replays one seed of the test named test: the t.Name()
// of the test that runs the seeds, not of a subtest per seed or per chunk of seeds, whose
// names -sim.seed changes.
func Replay(test string, seed uint64) string {
	return Command(test, "-sim.seed", strconv.FormatUint(seed, 10))
}

// Command is the go test command that runs the test named name (a t.Name()) alone, in the
// package of the working directory, with extra flags.
func Command(name string, flags ...string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	pkg := "."
	if _, rel, err := ModuleRoot(); err == nil && rel != "." {
		pkg = "./" + filepath.ToSlash(rel)
	}
	return strings.Join(append([]string{"go test", pkg, "-run", "'" + strings.Join(parts, "/") + "'"}, flags...), " ")
}

// ModuleRoot finds the folder of go.mod above the working directory, and the working
// directory's path from there (".", "raftnode", ...).
func ModuleRoot() (root, rel string, err error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			return dir, rel, err
		}
		if filepath.Dir(dir) == dir {
			return "", "", errors.New("simseed: no go.mod above the working directory")
		}
	}
}
