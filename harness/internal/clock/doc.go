// Package clock is the harness's only source of time.
//
// The workload, the nemesis, the network and the checker never call
// time.Now or time.Sleep themselves: they are handed a Clock. The real
// clock measures monotonic time since the start of a run; the manual clock
// moves only when told to, which is how the simulator (harness/sim) stamps
// its history with virtual time, so a run replays exactly from a seed.
package clock
