// Package process runs node binaries.
//
// Start spawns one node with its three stdio streams on pipes. The node runs
// in its own process group, so Kill can SIGKILL it together with anything it
// forked, and with Pdeathsig set, so the kernel kills it if the harness dies
// first, even by SIGKILL: no orphan, ever. Each stdout line is handed to a
// callback; each stderr line is appended, unbuffered, to the node's log file
// and kept in a ring of the last lines for the crash report.
package process
