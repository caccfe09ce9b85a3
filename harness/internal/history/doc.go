// Package history holds the record of a run: every client invocation and
// completion and every nemesis operation, in the order they happened, with
// Jepsen's fields (index, type, f, value, process, time, error). A History is
// appended to concurrently by client workers and the nemesis; each append is
// stamped with the next index and the clock's time under one lock, so index
// order and time order agree.
//
// WriteJSONL, WriteEDN and WriteText store it as history.jsonl,
// history.edn (Jepsen op maps) and history.txt
// (Maelstrom's tab-separated process, type, f, value, error columns), the EDN
// through the harness's one encoder (package edn). ClientPairs is how every
// checker and plot reads a history: each invocation with its completion.
// Interval is a period of the run on the history's time scale (a partition,
// a kill, a pause), which the nemesis reads off a history and the plots shade.
package history
