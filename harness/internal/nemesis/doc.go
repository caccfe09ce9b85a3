// Package nemesis is the fault schedule: Maelstrom's nemesis, which composes
// Jepsen's combined partition and db packages.
//
// Three faults, in any combination: partition, kill and pause. Each is a
// flip-flop of two ops: start-partition then stop-partition, kill then
// start, pause then resume. Schedule (pure, seeded) plans them as Maelstrom
// does: the partition package's flip-flop, and the db package's, which mixes
// the kill and pause flip-flops (each op picks one uniformly, each keeps its
// own alternation), are staggered apart, each first op at t=0 and each later
// one U[0, 2 x interval) after the previous, and merged by due time. A
// start-partition picks a shape (Shape: one, minority-third, majority,
// majorities-ring); a kill or pause picks a target spec (Select: a random
// non-empty subset, one, minority-third, minority, majority, all), so a kill
// of every node at once comes regularly; a start or resume acts on every
// node and is idempotent.
//
// Run plays the schedule one op at a time (as Jepsen's single nemesis
// worker), records each op as an :info invocation (the shape or target
// spec) and an :info completion (the grudge, or each node's outcome: killed,
// started, paused, ...), and at the end resumes and starts every node and
// heals the network. The network takes the partitions; Processes (the
// runner's node processes) take the kills and pauses. Intervals and
// Summarize read a finished history back: the periods of each fault to shade
// on the plots, and the counts for the results' nemesis section.
package nemesis
