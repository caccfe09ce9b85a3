// Package sim runs a whole lin-kv cluster inside one goroutine, under virtual time, and judges
// what its clients saw with the harness's own oracle.
//
// Every node is a real [nodes.Machine] (the shared server over a real core); every message is
// encoded and parsed exactly as on stdio, so the wire format is exercised too. The simulated
// world lives in network.go behind a narrow seam (schedule an event, send a line between
// nodes, run until a time): virtual time, node-to-node latency drawn at random in whole
// milliseconds (which reorders messages), loss, duplication, random partitions (some
// one-directional; a partition drops a message when it would be delivered, as Maelstrom
// does), and pauses (a paused node handles nothing, and on resume sees the time that passed
// before anything else).
//
// Everything that decides what a run means is the harness's, not a copy: the clients take
// their ops from the harness's generator (Maelstrom's key, value and op mix, one key per group
// of threads, a new process after each :info) on the schedule of its dispatcher (the rate with
// Jepsen's stagger, a uniformly chosen free thread), build request bodies and classify replies
// with the harness's workload package and the one error table (nodes.Code), and record a
// harness history stamped by a manual clock that follows virtual time. The verdict is the
// harness's linearizability checker, whose values compare with the one value equality
// (kv.Canonical) the nodes' store uses. A run whose history fails writes the same store
// directory a harness run writes (Result.WriteStore), with node logs from an exact replay, the
// seed, and the go test command that replays it.
//
// One seed fixes everything (latencies, faults, operations), so a failing seed replays
// exactly. After the faults stop, the cluster must serve clients again (liveness). Sweep and
// SweepClusters run many seeds in parallel; CheckOneWayRing runs Maelstrom's 3-node
// majorities-ring.
package sim
