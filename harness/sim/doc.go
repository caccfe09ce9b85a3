// Package sim runs a whole lin-kv cluster inside one goroutine, under virtual time, and judges
// what its clients saw with the harness's own oracle.
//
// Every node is a real [nodes.Machine] (the shared server over a real core, built as the
// binary builds it); every message is encoded and parsed exactly as on stdio, so the wire
// format is exercised too. Between the nodes lies the tree's one simulated network,
// [simnet.Network], in whole milliseconds: it delivers the lines that come due (latency,
// holds, asymmetric and flapping links, partitions checked on arrival as Maelstrom does,
// loss, duplication) and gives each node its milliseconds. A paused node gets nothing: its
// lines wait, and when it resumes it is first ticked with all the time it missed (the
// machines take the time as a duration, so one tick at the resume instant says it), then
// handed what waited. The simulator only adds what the network does not know: the ticker of
// each node (Machine.Tick every TickPeriod, as the runtime's), Idle once a node's input has
// run dry, and the fault log and intervals for the report.
//
// Crashes: with Config.NewDurable each node gets a simulated disk (wal.MemFS) that outlives
// its processes. When the network crashes a node, its process is thrown away with all it held
// in memory, and its disk loses what was not synced, perhaps tearing the last write (and, with
// Config.Corrupt, once per run, a bit of what was synced flips); when the network restarts it,
// a new process is built on the disk and sent init, as Maelstrom's kill nemesis does. Requests
// to a node that is down go unanswered and time out.
//
// Clients are outside the network, as in Maelstrom: a request reaches its node at once, or
// when the node resumes if it is paused, and a reply its client at once; they are never
// partitioned. Everything that decides what a run means is the harness's, not a copy: the
// clients take their ops from the harness's generator (Maelstrom's key, value and op mix, one
// key per group of threads, a new process after each :info) on the schedule of its
// dispatcher (the rate with Jepsen's stagger, a uniformly chosen free thread), build request
// bodies and classify replies with the harness's workload package and the one error table
// (nodes.Code), and record a harness history stamped by a manual clock that follows virtual
// time. The verdict is the harness's: its linearizability checker, whose values compare with
// the one value equality (kv.Canonical) the nodes' store uses; its observations check, which
// keeps the reads and cas's answered 20 or 22 that the linearizability checker drops as
// Maelstrom's does (a read answered 20 saw nil, a cas answered 22 saw another value than its
// from) and checks them with each key's operations; and its quorum-witness check,
// fed by a witness.Tracker that hears of every delivery (before the node sees the line) and
// every line a node sends (with the node's vector clock, which travels with the line), so
// that each acknowledged write or cas carries the verdict of whether a majority could have
// held it before the reply. A run that fails writes the same store directory a harness run
// writes (Result.WriteStore), with node logs from an exact replay, simulation.txt (the seed,
// what it drew, the fault log) and the go test command that replays it.
//
// One seed fixes everything (latencies, faults, operations), so a failing seed replays
// exactly. After the faults stop, the cluster must serve clients again (liveness), and once
// the clients stop, the replicas must all reach one applied index and hold one state
// (Result.Divergence): a follower that diverged or fell behind for good is caught even when
// no client read the difference. CheckBinary runs a binary's whole-node checks, so that each
// binary's test is the few lines that say what the binary is: a sweep of many seeds in
// parallel in the manner of swarm testing, where each seed draws its cluster size, its node
// settings (snapshot frequency and a disk included) and its fault mix (simnet.Swarm, and
// crashes on a disk); Maelstrom's 3-node majorities-ring; and a check of the binary's hold bias.
//
// Seeds: the sweeps take the tree's one seed-flag convention (package simseed): -sim.seed N
// runs seed N alone, -sim.seeds K runs K seeds (400 by default), -sim.first F starts them at
// seed F (0 by default), and a failing seed prints `go test ./pkg -run ... -sim.seed N`.
package sim
