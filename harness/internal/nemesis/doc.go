// Package nemesis is the fault schedule: Maelstrom's partition nemesis.
//
// Shape computes a grudge (who drops messages from whom) for one of the
// four shapes Maelstrom picks from: one, majority, minority-third and
// majorities-ring. Run alternates start-partition and stop-partition ops,
// the first at t=0 and each later one U[0, 2 x interval) after the previous,
// records each as an :info invocation and completion in the history, and
// heals the network when it stops.
package nemesis
