// Package report writes a run's store directory, laid out like Maelstrom's:
// store/<workload>/<yyyyMMdd'T'HHmmss.SSSZ>/ with the store/latest and
// store/<workload>/latest symlinks, results.json and results.edn (the same
// map, the second in Clojure's notation for tools written against
// Maelstrom, through package edn), history.jsonl, history.edn and
// history.txt, node-logs/, and the pictures of a checked run
// (WritePictures): timeline.html, the perf plots (latency-raw.png,
// latency-quantiles.png, rate.png, drawn with gonum/plot, partition, kill and
// pause periods shaded, each in Jepsen's colour), and, for each key found not
// linearizable, independent/<key>/linear.html, porcupine's visualization of
// the violation (observations.html for a key whose observations are not).
//
// The runner checks, this package draws: WritePictures takes the checked
// results.Results and records in it the pages it wrote, so that writing a
// picture never lives in the code that runs the nodes.
package report
