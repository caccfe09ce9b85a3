// Package kv is the replicated state machine behind every node: a map from JSON keys to JSON
// values with Maelstrom lin-kv's three operations.
//
// Keys and values are arbitrary JSON and are kept exactly as they arrived (an integer beyond
// 2^53 survives a round trip unchanged). They are compared with [Canonical], the project's one
// value equality: Clojure's = over JSON as Maelstrom's Jackson reader parses it, so 3, 3.0 and
// "3" are three different keys (and values) while 3.0 and 3.00, "\u0041" and "A", or two
// objects with their members in another order, are one. The harness's checker compares with the
// same function, so a node and the checker that judges it agree on equality by construction.
//
// [Store.Apply] is deterministic: the same commands in the same order give the same results and
// the same [Store.Snapshot] bytes on every replica.
package kv
