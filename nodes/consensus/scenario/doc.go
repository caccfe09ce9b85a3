// Package scenario runs protocol scenarios, written as data, against any consensus core.
//
// A protocol change should be reviewed as a text diff, and the same story (a stale leader, a
// lease handed over, a gap filled) should be told to Raft and to Multi-Paxos in the same
// words, so that the two can be compared line by line. So each core keeps its scenarios in
// testdata/ as scripts in the manner of etcd's interaction tests, read by
// github.com/cockroachdb/datadriven: a command, then "----", then what it printed. After an
// intended change, `go test ./raftnode/raft -run TestScenarios -rewrite` (or ./paxosnode/paxos)
// regenerates the expected output, and the diff is the review.
//
// The driver knows a core only through the contract ([consensus.Core]) and a few Hooks that
// the core's own tests supply: how to build a node, its messages' text form (Describe), how
// to make a node campaign now, and a one-line status that says whether its lease is valid. It plays the network (the tree's one
// simulated network, simnet, with no latency and explicit delivery) and the server (it applies
// what each Ready commits to a list of values, records read points, hands snapshots to
// Compact), and it checks on every Ready what the contract promises whatever the script
// says: committed indexes follow each other with no gap, every node holds the same value at
// an index, a snapshot agrees with what was applied, and a read point covers every index
// applied anywhere before the read was asked.
//
// The vocabulary, one command a line; nodes are named n0, n1, ...:
//
//	cluster nodes=3 [seed=1] [lease] [election=300] [heartbeat=40]
//	                                  build the cluster (the first command of every file),
//	                                  every core with the same timing
//	campaign n0                       n0 starts an election now, as if its timer fired
//	propose n0 a b                    n0 is asked to propose "a" then "b"; prints refusals
//	read n0                           n0 is asked for a read point; prints a refusal
//	compact n0 n1                     each hands its core a snapshot of what it applied
//	isolate n0 | cut n0 n1 | block n0 n1 | heal
//	                                  partitions: n0 from everyone, both ways between two
//	                                  nodes, one way (n0 to n1), and the end of all of them
//	deliver [from=n0] [to=n1]         take every Ready, then deliver the messages in flight
//	                                  (those matching, the rest stay in flight) once
//	drop [from=n0] [to=n1]            take every Ready, then lose the messages in flight
//	stabilize                         take Readies and deliver until nothing is left to do
//	tick [N] [elections=E] [heartbeats=H] [n0 n1 ...] [quiet]
//	                                  N ticks (or E election timeouts, or H heartbeat
//	                                  intervals) on the nodes named (all when none), the
//	                                  cluster stabilizing after each tick; quiet prints how
//	                                  many messages were delivered instead of each one
//	status [n0 ...]                   each node's leader and the core's status line
//
// What a command prints: every delivered message as the core's Describe line (during tick,
// prefixed with the virtual time, "@312 "), a dropped one after "dropped ", and what the
// Readies said: "n1 applied 2..3: "a" "b"" (no-op for an entry without a command),
// "n0 read 1 at 3", "n2 restored snapshot 20", "n1 leader n0" when a node's belief about
// the leader changes ("none" when it has none), and "n0 lease on" or "n0 lease off" when a
// node starts or stops being allowed to serve reads from its lease. In place of a node a
// command may name "leader": the node that believes it leads and that most nodes follow.
package scenario
