// Package bench turns a directory of harness runs into the benchmark
// report: results/README.md and its plots.
//
// scripts/bench runs the matrix and stores every run under one root, one
// sub-store per section (BenchRoot/<section>/lin-kv/<timestamp>/); Load
// reads each run's results.json, decoded with the harness's own schema
// (package results; the bench runs nothing, so it imports no runner), and,
// from node-logs/, the leader changes the project's KV server logs, so that a
// partition can be told to have cut off the leader. Those lines are a
// contract with the server, named once in nodes/nodelog (the message and its
// keys) and tested from both ends: the parser reads what the real slog text
// handler writes, and the server's source makes the one call that writes it. Write groups the runs into cells (binary, nodes, latency,
// rate, ...), takes the median of each figure over a cell's repeats, and
// writes the markdown tables beside PNG plots drawn with gonum/plot.
//
// The figures and their floors are explained in the report itself. Each
// section of the report has its file (header.go, latency.go, curve.go with
// the messages per op, partition.go, nodes.go, memory.go, validity.go), the
// per-run figures and their formats are in figures.go, and the plots, which
// share their look, in plots.go.
package bench
