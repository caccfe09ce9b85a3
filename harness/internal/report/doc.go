// Package report writes a run's store directory, laid out like Maelstrom's:
// store/<workload>/<yyyyMMdd'T'HHmmss.SSSZ>/ with the store/latest and
// store/<workload>/latest symlinks, results.json and results.edn (the same
// map, the second in Clojure's notation for tools written against
// Maelstrom), history.jsonl, history.edn and history.txt, node-logs/,
// timeline.html, the perf plots (latency-raw.png, latency-quantiles.png,
// rate.png, drawn with gonum/plot, partition, kill and pause periods shaded,
// each in Jepsen's colour), and, for each key found not linearizable,
// independent/<key>/linear.html, porcupine's visualization of the violation.
package report
