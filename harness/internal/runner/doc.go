// Package runner runs one harness test end to end, in Maelstrom's phases:
// create the store, register and spawn the nodes and send each its init
// (10 s limit), open the clients, run the workload and the nemesis until the
// time limit, resume and start every node and heal, SIGKILL every node, then
// check the history and write the report. A node that exits early stops the
// run; it is reported by name with its exit status and the tail of its
// stderr, and the history and results up to that point are still written
// (Maelstrom writes nothing in that case).
//
// The nemesis kills, starts, pauses and resumes the node processes through
// nodeProcesses (faults.go): a killed node stays in the network, down, until
// a start reruns its binary and its new process answers a fresh init; a
// paused node's process group is stopped while its messages queue. Each
// process has its own stdin pump and its own exit watch, so a stopped node
// holds nobody else up, and only an exit the harness did not cause crashes
// the run. Teardown kills every current process, stopped ones included, and
// a process that a restart starts after teardown began is killed at once.
//
// Every message goes through the network, and the network shows each one to
// a witness.Tracker (causality, in witness.go): when a node's line is read
// from stdout, and when a message is handed to a node, before its pump writes
// it to stdin. Each client asks the tracker for the verdict on the reply it
// matched, which rides on its completion into the history; the analysis turns
// the verdicts into the quorum-witness section. That section, like every
// check Maelstrom does not have (the observations section too), counts in
// valid? unless Options.MaelstromParity is set (results.Results.Verdict).
//
// Options holds the parsed flags (the part the results record is
// results.Options); Run returns the results.Results and the process exit code
// (0 valid, 1 invalid, 2 unknown, 255 crash; results.Results.ExitCode).
// Analyse is the last phase on its own: every checker over a finished run's
// Analysis, then the store written from it, the pictures by the report
// package (report.WritePictures); the summary a run prints is in summary.go.
// The simulator (harness/sim) calls Analyse too, so a failing simulated run
// leaves the directory a harness run leaves.
package runner
