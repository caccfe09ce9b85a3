// Package consensus is the one contract between a consensus core (raftnode/raft,
// paxosnode/paxos) and the KV server that drives it (nodes/kvserver). It imports the standard
// library only, so a core can return these types directly and stay pure: the cores import it
// and the standard library only, and the server consumes what they return without copying it.
//
// The shape follows etcd's RawNode: the server feeds a core events (Tick, Step, Propose,
// ReadIndex), then takes everything the core wants done as one Ready and does it in a fixed
// order. What a Ready asks to be made durable is written and synced before any of its messages
// is sent, because a message may promise (a vote, an accept, an acknowledged append) what only
// stable storage can keep across a crash.
//
// Both cores also take the same settings (Config) and timing (Timing, DefaultTiming): one
// round-trip estimator (RTT) and one adaptive timeout rule (Timing.Timeout), so that the two
// algorithms are compared under the same settings; DefaultTiming.String states them for a
// report. They log through Logger, which a *slog.Logger satisfies. Decoder reads the varint
// encodings that the cores' hard states and records and the storage's batches are made of,
// so that one reader, not one per package, decides what a truncated encoding is.
package consensus
