// Command mutants measures whether the tests bite: it applies each patch of the catalog in
// mutants/ (a classic consensus bug, planted in the project's own code) to a scratch copy of
// the working tree and runs the tests `make test` runs against it, expecting them to fail.
//
//	go run ./scripts/mutants                 every mutant, two at a time
//	MUTANTS=raft-commit-old-term,kvserver-no-session-dedup go run ./scripts/mutants
//	go run ./scripts/mutants -readme         rewrite the catalog table in mutants/README.md
//	go run ./scripts/mutants -tests TestSimulation
//	                                         which mutants the simulations alone catch (an
//	                                         analysis: -tests goes to go test as -run)
//
// For each mutant it copies the tracked files of the working tree (uncommitted changes
// included) to a scratch directory, applies the patch with git apply, checks that the mutant
// is a fair one (it builds, go vet and gofmt are clean on the packages it touches), and then
// runs `go test PKG` package by package, with no flags of its own: the mutated packages
// first, then every package whose tests import them directly or not, nearest first, and
// stops at the first failure. A mutant is caught when a test fails, and survives when every
// one of those packages passes. A patch that no longer applies, or a mutant that does not
// build or vet, is an error: the catalog must not rot silently.
//
// It prints one line per mutant in catalog order (caught or survived, by which package and
// test, after how long), then `mutants: C caught, S survived` and the wall time, and writes
// the output of every failing package to the log directory. It exits 1 if any mutant
// survived or was in error.
//
// The catalog's one source of truth is the patch files: a patch's first line is its one-line
// description, lines up to the first `diff --git` are free notes, and the table in
// mutants/README.md is generated from them (-readme); a run fails if that table is stale.
package main
