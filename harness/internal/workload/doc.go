// Package workload is Maelstrom's lin-kv workload: the operation generator,
// the synchronous RPC clients, and the mapping from replies to history
// outcomes.
//
// Generator reproduces Jepsen's linearizable-register generator as Maelstrom
// calls it: worker threads are split into groups of 2N, group g starts on key
// g, threads 0..N-1 only read and every other thread writes (1/3) or cas's
// (2/3) with values drawn from 0..4, and a key is retired once more than 20
// distinct processes have worked on it (each :info crash gives a thread a
// new process). Dispatcher is the schedule, with no clock of its own: it
// issues ops at the --rate with Jepsen's stagger, to a uniformly chosen free
// thread, until the time limit, and turns an :info into a new process for
// its thread. Run waits for it in real time with goroutine workers; the
// simulator (harness/sim) drives the same Dispatcher in virtual time.
// Client is one synchronous Maelstrom client bound to one node; Request
// builds its bodies, Match picks its reply, Classify maps the reply to :ok,
// :fail or :info following the table of spec §3.4 and the one error table
// (nodes.Code), and Invoke and Completion.Op make the history's ops. The
// simulator's clients use these same functions.
package workload
