// Command harness is the project's Maelstrom-compatible test runner.
//
//	harness test -w lin-kv --bin ./bin/raftnode --node-count 3 --concurrency 2n \
//	    --time-limit 20 --nemesis partition --nemesis-interval 3 --latency 10
//
// It takes the flags of `maelstrom test` with Maelstrom's defaults and
// behaves as shared/maelstrom-spec.md describes, so that a script written
// for one runs on the other; --nemesis takes partition, kill and pause, as
// upstream Maelstrom's does (kill: SIGKILL, then a restart that is sent init
// again; pause: SIGSTOP, then SIGCONT). Exit codes: 0 valid, 1 invalid, 2
// unknown, 254 bad arguments, 255 crash. Beyond Maelstrom: --seed makes the
// generator, the nemesis and the latency draws reproducible, --per-key-limit
// spreads a long run over many keys, and a node that crashes still leaves
// its history and results in the store. The harness also checks what
// Maelstrom cannot see: the quorum-witness section (internal/witness) flags
// every :ok write or cas whose reply did not causally follow events at a
// majority of the nodes after the request arrived, which a node that
// acknowledges before its copies hold the write cannot avoid; the
// observations section checks the reads and cas's answered 20 or 22, which
// Maelstrom drops, with each key's operations (a read answered 20 saw nil),
// which a cluster that lost acknowledged writes cannot pass. Such additional
// checks make a run invalid; --maelstrom-parity judges validity exactly as
// Maelstrom does and only reports them. The work is done by the internal
// packages; see internal/runner for the phases of a run. The same packages
// judge the in-process simulator, harness/sim, so a simulated run and a
// harness run are checked by one oracle and leave the same store directory.
//
// Two more subcommands serve scripts/bench: `harness bench-report` turns a
// directory of runs into results/README.md and its plots (internal/bench),
// and `harness bench-get FILE PATH` prints one value of a results.json.
package main
