// Package results is the schema of a run's results.json (and results.edn):
// the Results map with Maelstrom's keys and the harness's own sections, the
// Options it records under test.options, the verdict rule that combines the
// sections into valid? (Results.Verdict), and Maelstrom's exit codes that a
// verdict becomes (Results.ExitCode).
//
// It is a package of its own so that what writes the map (the runner, the
// simulator through the runner's Analyse) and what reads it back (the
// benchmark report and the CLI's bench subcommands, which run nothing)
// share one definition without the reader importing the live runner. The
// checkers' sections keep their types in check (and nemesis); this package
// assembles them.
package results
