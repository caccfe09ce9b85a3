// Package check analyses a finished run the way Maelstrom's checkers do.
//
// Linearizable splits the history by key and checks each key with
// porcupine against a cas-register model (Model): an :ok read of nil is
// always legal, :fail ops are removed, and :info ops (and invocations that
// never completed) may take effect at any time after their invocation or
// never, which porcupine expresses as an operation that returns at the end
// of time. Values compare with Value, the nodes' own equality
// (kv.Canonical: Clojure's = over JSON). The simulator (harness/sim)
// reaches its verdict with this same checker. Stats, Availability and Net compute the other sub-results, and
// Validity.Worst merges them: false beats unknown beats true.
package check
