// Package check analyses a finished run the way Maelstrom's checkers do, and
// checks what the clients saw beyond that.
//
// Linearizable splits the history by key and checks each key with
// porcupine against a cas-register model (Model): an :ok read of nil is
// always legal, :fail ops are removed, and :info ops (and invocations that
// never completed) may take effect at any time after their invocation or
// never, which porcupine expresses as an operation that returns at the end
// of time. This is Maelstrom's check, and its rules stay Maelstrom's. Values
// compare with Value, the nodes' own equality (kv.Canonical: Clojure's =
// over JSON).
//
// Observations is the harness's addition: Maelstrom drops every definite
// failure, yet a read answered 20 (key does not exist) saw nil, a cas
// answered 20 saw nil, and a cas answered 22 (precondition failed) saw a
// value other than its from. It checks each key's operations together with
// those observations, and takes an :ok read of nil at its word, with the
// same model, which knows these ops too; the error's code decides, never its
// text. A lost write that a cluster answers with 20 is caught here. A key
// that passes it passes Maelstrom's check too, so Check, which runs both,
// runs porcupine for Maelstrom's rules only on the keys that failed it: the
// verdicts are those of the two checks, at about the cost of one.
// QuorumWitness is the other addition: the verdicts of internal/witness on
// every :ok write or cas. The simulator (harness/sim) reaches its verdict
// with these same checks. Stats, Availability and Net compute the other
// sub-results, and Validity.Worst merges them: false beats unknown beats
// true.
package check
