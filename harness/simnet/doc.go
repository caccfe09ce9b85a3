// Package simnet is the tree's one simulated network: a pure, deterministic, virtual-time
// network, generic over the message type, that the consensus cores' cluster tests and the
// whole-node simulation share, and whose latency model the harness's real-time network draws
// from too.
//
// Time is virtual and counted in whole milliseconds, the cores' tick. A Network advances only
// when its driver calls Step: one millisecond, in which the messages now due arrive and every
// node that is not paused ticks. Scenario tests that want no time to pass call DeliverAll
// instead, which settles everything in flight in due order at one instant. Randomness comes
// only from the *rand.Rand the network is given, and a feature that is off draws nothing, so
// a seed replays a run exactly.
//
// The fault model (Faults) has every feature off by default:
//
//   - latency (Latency): Maelstrom's constant, uniform and exponential, a heavy-tailed Pareto,
//     and a bimodal Slow fraction on top of any of them;
//   - holds: a rare message delayed far past the others on its link, for seconds;
//   - reordering: holds and varying latency reorder across instants, Shuffle within one;
//   - asymmetric links (a latency factor per directed link) and one-way partitions;
//   - flapping links, each down for part of its own period;
//   - partitions as Maelstrom makes them: a grudge per directed link, checked when a message
//     is dequeued for delivery, so a message sent before a cut and due during it is lost;
//   - loss and duplication;
//   - pauses: a paused node receives nothing (its messages wait for it) and gets no ticks;
//     when it resumes it first ticks for all the time it missed, then gets its messages;
//   - crashes: a crashed node is down (messages to it are dead, it gets no ticks, what waited
//     for it is lost) until it restarts, and the caller is told of both (Crashed, Restarted)
//     to throw away the process and start a new one on what its disk kept;
//   - random partition, pause and crash schedules (the nemesis), with Maelstrom's shapes;
//     crashes strike any number of nodes, up to all of them at once.
//
// Swarm draws a whole fault model from a seed (each fault on or off, its own intensities;
// SwarmCrashes draws a crash schedule, for callers whose nodes keep state on disk), and
// Faults.String names what was drawn, for the failure message. Tests build adversarial
// schedules by hand with a Filter, which may rewrite, drop or hold any message, and Release,
// which lets held messages go when the test chooses.
package simnet
