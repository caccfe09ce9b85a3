// Package kv is the replicated state machine behind every node: a map from JSON keys to JSON
// values with Maelstrom lin-kv's three operations.
//
// Keys and values are arbitrary JSON and are kept exactly as they arrived: 3, 3.0 and "3" are
// three different keys (and values), as they are to Maelstrom's Clojure checker, and an integer
// beyond 2^53 survives a round trip unchanged because nothing here ever decodes a number. Two
// spellings of one value compare equal: insignificant whitespace is ignored, string escapes are
// normalised and object keys are sorted (see [Canonical]).
//
// [Store.Apply] is deterministic: the same commands in the same order give the same results and
// the same [Store.Snapshot] bytes on every replica.
package kv
