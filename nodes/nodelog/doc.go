// Package nodelog names the node log lines that another program reads, so
// that the writer and the reader share one definition instead of a string
// each: the KV server (nodes/kvserver) logs them through the runtime's slog
// text handler, and the harness's benchmark report (harness/internal/bench)
// and scripts/durability parse them back out of node-logs/. A line that only
// people read needs no entry here.
//
// It holds constants only and imports nothing, so that the harness may
// import it without depending on the nodes.
package nodelog
