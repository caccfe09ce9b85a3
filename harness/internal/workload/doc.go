// Package workload is Maelstrom's lin-kv workload: the operation generator,
// the synchronous RPC clients, and the mapping from replies to history
// outcomes.
//
// Generator reproduces Jepsen's linearizable-register generator as Maelstrom
// calls it: worker threads are split into groups of 2N, group g starts on key
// g, threads 0..N-1 only read and every other thread writes (1/3) or cas's
// (2/3) with values drawn from 0..4, and a key is retired once more than 20
// distinct processes have worked on it (each :info crash gives a thread a
// new process). Run is the dispatcher: it issues ops at the --rate with
// Jepsen's stagger, to a uniformly chosen free thread, until the time limit,
// then waits for the outstanding ones. Client is one synchronous Maelstrom
// client bound to one node; Classify maps its replies to :ok, :fail or :info
// following the table of spec §3.4.
package workload
