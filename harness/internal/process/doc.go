// Package process runs node binaries.
//
// Start spawns one node with its three stdio streams on pipes. The node runs
// in its own process group, so Kill can SIGKILL it together with anything it
// forked, and with Pdeathsig set, so the kernel kills it if the harness dies
// first, even by SIGKILL: no orphan, ever. Pause and Resume send SIGSTOP and
// SIGCONT to the same group. SIGKILL ends a stopped process too, so a paused
// node is never left behind either; and should the harness die while a
// node's group is stopped, the node dies of Pdeathsig and the rest of its
// group, now an orphaned process group with a stopped member, is sent SIGHUP
// and SIGCONT by the kernel. Each stdout line is handed to a callback; each
// stderr line is appended, unbuffered, to the node's log file and kept in a
// ring of the last lines for the crash report. ReadMemory and State read a
// process's memory figures and state letter from /proc.
package process
