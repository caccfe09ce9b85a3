// Package clock is the harness's only source of time.
//
// The workload, the nemesis, the network and the checker never call
// time.Now or time.Sleep themselves: they are handed a Clock. The real
// clock measures monotonic time since the start of a run; a virtual clock
// can later drive the same code in simulated time, so a run can be replayed
// exactly from a seed.
package clock
