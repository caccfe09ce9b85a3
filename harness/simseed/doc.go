// Package simseed is the one seed-flag convention of the tree's seeded simulations, and the
// command that replays a failing seed.
//
// Every simulation draws everything from its seed, so a failure is shared by naming the seed
// ("any failure can be reproduced by sharing a seed"). For that to work the same way
// everywhere, the core sweeps (raftnode/raft, paxosnode/paxos) and the whole-node sweeps
// (harness/sim, run by raftnode and paxosnode) take the same flags, with the tree's options
// rule (the zero value is the default, a negative value turns a mechanism off):
//
//	-sim.seed N    run only seed N (default -1: off, run the range below)
//	-sim.seeds K   run K seeds (default 0: the test's own count)
//	-sim.first F   start the range at seed F (default 0)
//
// A failing seed prints the command that replays it, `go test ./pkg -run '^TestX$' -sim.seed N`
// (Replay).
package simseed
