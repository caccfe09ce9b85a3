// Package raft is the Raft consensus core of raftnode: a deterministic state machine with no
// goroutines, clocks, I/O or global randomness, in the style of etcd's RawNode. It implements the
// one core contract, nodes/consensus, and returns its types directly.
//
// # How it is driven
//
// The server feeds events in and then takes one batch out:
//
//	n.Tick()              // once per millisecond of monotonic time, catching up after pauses
//	n.Step(msg)           // a peer message
//	n.Propose(cmd)        // a client write (leader only)
//	n.ReadIndex(id)       // a client read (leader only)
//	if n.HasReady() {
//		rd := n.Ready()   // save rd.Stable, restore rd.Snapshot, apply rd.Committed,
//		                  // serve rd.ReadStates once applied far enough, send rd.Messages
//	}
//	n.Compact(i, state)   // now and then, with the state through an applied index i
//
// Messages are only created inside Ready (or queued by Step for it), so every proposal of a
// burst of events leaves in one append per follower, and what they rest on is saved with them
// in one write (see Durability). A node restarts from what its storage held with
// consensus.Config.Restore.
//
// # Files
//
//   - raft.go: the node, the core's API, Step dispatch, one step function per role, becomeX.
//   - config.go: NewCore, the settings and Raft's own bounds.
//   - election.go: election timer, pre-vote, votes, leader stickiness (inLease).
//   - replication.go: heartbeat rounds, pipelined appends, check-quorum, commit rule, the
//     follower side of appends, heartbeats and snapshots.
//   - progress.go: the leader's per-follower state (probe / replicate / snapshot, the window).
//   - log.go: the in-memory log with its compacted prefix.
//   - read.go: ReadIndex and leases.
//   - timing.go: the adaptive election timeout, by the rule both cores share.
//   - message.go: the wire types, Ready, and Describe.
//   - durable.go: the encoding of what is saved, each Ready's Stable, recovery, and the
//     catching up of a node that restarted from damaged storage.
//
// The tests run nodes on the project's one simulated network (harness/simnet; cluster_test.go
// wraps it with cut, block, isolate, heal, pause, filter) that also plays the server and checks
// safety on every step: one leader per term, agreement and equal state at every applied index,
// every new leader holding every applied entry, no newer leader while a lease holds and no vote
// from a lease's quorum for anyone else, check-quorum as seen from the delivered acks, and
// reads covering every earlier commit. On it: adversarial schedules built message by message
// for the lease and pre-vote rules (lease_test.go) and for replication (replication_test.go),
// timing across Maelstrom's latency distributions (timing_test.go), a swarm-tested simulation with adversaries aimed at leases and stale
// answers (sim_test.go), and a benchmark. In the simulation every node saves each Ready to a
// disk with the contract's semantics (nodes/consensus/coretest; its decoded mirror in crash_test.go) and the cluster checks, at every save,
// that the disk holds the term, vote and entries each of the Ready's messages and commits rests
// on; nodes crash (any number, all at once in some seeds) with their last Ready lost or saved
// but unsent, stay down a while, and restart from their disk, a lone one sometimes from
// damaged storage. Scenario tests for restarts, the quiet period and damage are in
// durable_test.go. The mutation catalog (mutants/) says which of these catch which classic
// bug. The paper's cases (election and propose, stale leader, lease handover, gap fill, ...)
// are protocol scenarios as data in testdata/, the same stories paxosnode/paxos tells, run by
// nodes/consensus/scenario (raft_test.go, TestScenarios; -rewrite regenerates them).
//
// # Protocol summary
//
// Elections use randomized timeouts in [T, 2T) where T is the current election timeout, a
// pre-vote round (a node cut off from the majority never raises its term, so it cannot depose a
// healthy leader when it returns; answers count only for the campaign whose send tick they
// echo, since a pre-vote asks for the same term again and again), check-quorum (a leader that
// has not heard from a quorum within T steps down; an ack counts when it arrives, however old
// the message it answers, because counting by send tick made idle clusters with variable
// latency depose healthy leaders, and the lease below counts by send tick anyway) and leader
// stickiness (a node that heard from the leader within T ignores vote and pre-vote requests
// of higher terms and grants no vote). Two pre-candidates with equal logs do not grant each
// other: the lower id wins the tie, so followers whose timers started together (constant
// latency) do not split the vote (results/timing.md has the failover it saves). A new leader
// appends a no-op of its term; it serves no reads until that commits. Requests from older
// terms are answered with the current term, so a deposed leader steps down on its first
// exchange.
//
// Replication probes a follower with one append at a time until it finds the match (rejections
// carry a conflict hint, so a whole divergent term is skipped per round trip), then pipelines
// up to MaxInflight appends of up to MaxBatch entries. Latency reorders messages, so a follower
// holds an append that arrives ahead of a gap (up to 2*MaxInflight of them) and applies it when
// the gap fills, and a replicating leader ignores the "log too short" rejection that such an
// append also triggers; an append that was really lost is detected when a follower's match has
// not moved for a retransmission timeout (max(2 heartbeats, srtt + 4*rttvar)) after the first
// outstanding append went out, and the follower is probed again. That clock restarts only when
// an append leaves with everything before it acknowledged: a heartbeat answer frees a slot of
// a full window without any acknowledgement, and restarting the clock then kept a follower
// with one lost append frozen for as long as new entries came (with MaxInflight 1). A heartbeat goes only to a
// follower that heard nothing from the leader for HeartbeatTicks (or to every follower when
// reads wait for a round), so under load, when appends flow, there are none: an append renews
// the follower's timer and the leader's lease as well as a heartbeat. Heartbeats carry
// min(commit, the follower's match). The leader commits the highest index a quorum holds only
// if that entry is of its current term (paper §5.4.2). A follower that needs compacted entries
// gets the snapshot, re-sent if unacknowledged for an election timeout.
//
// # Reads
//
// ReadIndex(id) records the commit index and waits for a quorum to acknowledge a heartbeat round
// sent after the call (all reads of one burst share one round; appends count as the round
// too). With LeaseReads, a leader whose lease is valid answers at once.
//
// Lease safety. All nodes run on one machine and count ticks of the same monotonic clock, one
// tick per elapsed millisecond, and a paused process is ticked for the time it missed before it
// handles anything else. Let E = ElectionTicks. The argument:
//
//  1. A follower that accepts a message from the leader of its term records the tick
//     (leaderHeard), and until leaderHeard + T (T >= E always; the adaptive rule below only
//     raises it) it grants no vote, in any term, and ignores vote and pre-vote requests of
//     higher terms. The record is kept across term changes on purpose: a follower can adopt a
//     higher term without any election, from the answer to a request of its own (a candidate
//     rejecting an old pre-vote carries its term), and that must not free its vote. A
//     candidate's own vote comes at least a timeout after its last leader contact, since it
//     campaigns only then. The leader itself never votes while it leads; if it steps down
//     (check-quorum, or a higher term in some answer) it may vote, but it serves no more
//     reads. (TestNoVoteWhileLeaseRestsOnUs replays the schedule that broke an earlier
//     version of this rule, which forgot the leader when the term changed.)
//  2. The leader stamps each heartbeat or append with its tick s at send time; responses echo
//     it. The lease start is the largest s such that a quorum (the leader included, at "now")
//     acknowledged a message stamped s; the lease holds while now < s + E - 3.
//  3. Any new leader needs votes from a quorum, which intersects the acknowledging quorum in
//     some follower F. F received the message after it was sent, i.e. after leader tick s, and
//     its vote for the new leader, in whatever term, comes after its leaderHeard window. Tick
//     counters lag real time by less than one tick on each side, so F refuses to vote until real
//     time at least s + E - 1 (in the leader's frame, up to one tick of discretization on F's
//     side), while the leader stops using the lease by its tick s + E - 3, which is before real
//     time s + E - 2 (one tick on its side). So no other leader exists while the lease is used:
//     the leader's commit index covers every write acknowledged to any client before the read,
//     and a lease read at it is linearizable. Like ReadIndex, the lease is only used once the
//     leader has committed an entry of its own term.
//
// The argument needs equal clock rates (one machine), not synchronized clocks, and it breaks if
// the server acts on a lease without first ticking for elapsed time.
//
// # Timing
//
// The timing and flow-control settings, their defaults and the adaptive timeout rule are the
// ones both cores share (consensus.Timing, consensus.DefaultTiming), so that Raft and
// Multi-Paxos differ in the benchmarks by their algorithms only. What each setting is for here:
//
//   - ElectionTicks is the floor of the election timeout T and the leader-stickiness window:
//     a follower that heard from the leader within T grants no vote. The lease lasts
//     ElectionTicks-3 (Reads), so ElectionTicks must exceed the round trip with room to spare,
//     or a lease expires before the acknowledgements that grant it arrive.
//   - HeartbeatTicks is the longest a follower goes without a message from the leader; it is
//     well under ElectionTicks, so that several messages must be lost or late in a row before
//     anyone suspects the leader.
//   - MaxElectionTicks caps T, so that a wild measurement cannot stall failover for long.
//   - MaxInflight and MaxBatch bound replication (below).
//
// A failover costs one timeout (a random point in [T, 2T)) plus about three round trips
// (pre-vote, vote, no-op). Every append, heartbeat and (pre-)vote carries its send tick, which
// the answer echoes; a node smooths these round trips (consensus.RTT: RFC 6298's srtt and
// rttvar) and sets T by the shared rule
//
//	T = clamp(srtt + rttvar + HeartbeatTicks, ElectionTicks, MaxElectionTicks)
//
// the time by which the answer to the next heartbeat is normally back. A leader uses T as its
// check-quorum window and sends it in every append and heartbeat, and followers adopt it. T is
// never below the floor ElectionTicks, so adaptation cannot weaken the lease (which stays
// ElectionTicks-3 whatever T is); it matters when the round trip nears the floor, where a new
// leader would otherwise step down before its first ack arrived. It deliberately is not TCP's
// srtt + 4*rttvar: a leader hears a stream of acks, one per heartbeat, and check-quorum fails
// only if a whole window of them is late, so a larger T would only slow failover. The go-back
// probe of a follower that stopped acknowledging (Replication) does use srtt + 4*rttvar, at
// least two heartbeats: a spurious probe re-sends the whole window. results/timing.md has the
// measurements behind these choices.
//
// # Bounds
//
// MaxInflight appends per follower, MaxBatch entries per append, MaxUncommitted entries in the
// leader's uncommitted tail (Propose returns false beyond it), MaxPendingReads reads, and at most
// 8192 entries per Ready.Committed. Compact keeps CompactMargin entries below the snapshot.
//
// # Durability
//
// Every Ready carries in Stable what its messages and commits rest on, and the server saves it
// before it does anything else with the Ready. A Ready with nothing new to save has an empty
// Stable; a memory-only server ignores Stable, and the messages are the same either way.
//
//   - State, the hard state, whenever it differs from the one last handed over: the term, the
//     vote, the index and term of the last snapshot handed over (a snapshot does not carry the
//     term of its last entry, which the log needs), and the recovering flag below. Encoded as
//     a version byte (1), unsigned varints for the term, the vote's length, the vote, the
//     snapshot's index and term, and a flag byte.
//   - Records, one per log entry not yet saved as it is now: a leader's new entries; a
//     follower's appended entries from the first one that differs. Index is the entry's index,
//     Data a kind byte (0 a no-op, 1 a command, 2 a cut), the term as an unsigned varint, and
//     the command. A record at index i replaces every record saved before at i or after it, so
//     a follower's conflicting tail is cut by the first record of the leader's entries. All
//     records of a Ready share one buffer: two allocations per Ready that has entries.
//   - Snapshot, when Compact takes a new one and when a snapshot from the leader is installed
//     (in the Ready that acknowledges it). The storage may then drop the records it covers.
//     A cut record at index+1 follows whenever the saved log may hold records beyond the log's
//     end: after a snapshot from the leader replaced the log, after a damaged log was dropped,
//     and when a snapshot covers the whole log while records beyond it were ever saved (the
//     record that replaced them lies under the snapshot and may be dropped, and they would come
//     back). This relies on the storage dropping records under a snapshot only once the whole
//     Stable that carries it is saved.
//
// So a vote is saved before the grant leaves, a term before any message of that term, an
// entry before the append that carries it (the leader counts itself toward commit) and before
// the acknowledgement of it, and a commit is applied only once its entries are saved. In the
// simulation this is checked after every save, and crash-restarts test what it is for.
//
// Recovery (NewCore with Config.Restore): the log is the snapshot plus the records replayed in the
// order saved; it is committed and delivered up to the snapshot, which the server has already
// restored, so Committed goes on from the snapshot's index+1. The node rejoins as a follower
// with its term, vote and log.
//
// The quiet period. A leader's lease rests on its followers' promise to vote for nobody for an
// election timeout after they heard it (Reads, step 1); a node that crashed has forgotten when
// that was. So every restarted node acts as if it heard a leader at its first tick: for
// ElectionTicks it grants no vote or pre-vote and ignores vote requests of higher terms. That
// is the whole lease-safe interval: the lease lasts ElectionTicks-3 from the send tick of the
// round a quorum acknowledged, whatever the adaptive timeout T (which only lengthens the
// stickiness), and the restart follows the follower's acknowledgement, so the follower refuses
// until real time restart + ElectionTicks - 1 > s + ElectionTicks - 1 as step 3 needs. Its own
// candidacy comes a timeout after the restart anyway. (TestRestartQuietPeriod.)
//
// Damage. A node restarted from storage that reported a damaged record (Recovered.Damaged), or
// whose hard state is missing beside records or a snapshot, or whose hard state or records do
// not decode or do not form a log, or whose snapshot's term is unknown, may have lost something
// it acknowledged, and what it holds may mix old and new. It
// keeps its snapshot only (the server restored it; a snapshot is committed state), cuts the
// saved log there, and recovers: the recovering flag is saved in the hard state, so a later
// restart does not end it, and until it clears the node
//
//   - grants no vote or pre-vote and does not campaign (its own vote would count for it);
//   - flags its answers (Message.Recovering); a leader counts them in no quorum (commit, read
//     rounds, lease; check-quorum still counts them, so that the leader stays to repair it),
//     tells it its last index (Message.Last, also in heartbeats, with the last entry's index
//     and term), and forgets its match (probing it again) when its answers show its log is
//     shorter: acknowledgements from before the crash no longer hold;
//   - clears the flag when its log matches a leader of its current term through the first last
//     index that leader told it: an append accepted through it, or a heartbeat whose last
//     entry it holds. The flag's clearing is saved before the answer leaves.
//
// Why that is enough, if the hard state survived: an entry committed with this node's
// acknowledgement from before the crash was acknowledged to a leader of a term at most the
// recovered term R. A leader L of the node's current term T >= R holds it: if T > R, L was
// elected without this node's vote, and its electing quorum meets the committing quorum in an
// intact node; if T = R, the entry is L's own, or was committed in an earlier term and is in
// L's log by the usual argument (L's election came before the crash, with intact votes). L held
// it before the restart, so at an index at most the last index L tells the node, and matching L
// through that index gives the node everything it ever acknowledged before it votes again.
// Acknowledgements sent before the crash and delivered after it cannot be told apart, and a
// leader of term R may count them; that is safe by the same argument.
// (TestDamagedNodeStaysOutUntilCaughtUp; the simulation damages one node at a time.)
//
// Compared with protocol-aware recovery (CTRL, Alagappan et al., FAST 2018), which tells a
// corrupted entry from a torn one, keeps every intact entry, repairs only the faulty ones (a
// leader's from its followers too) and keeps the node's vote available, this is coarse: it
// needs no more from the storage than "something was damaged", refetches everything after the
// snapshot, and a damaged node adds nothing to availability until it has caught up (in a
// three-node cluster with one node damaged and another down there is no quorum). A damaged
// majority can lose committed entries and leave no electable node.
//
// What remains unsafe: the hard state itself. If the damaged record was the hard state, or the
// storage hands back an older one, the node may have forgotten a vote in a term above the one
// it recovers with; once caught up (from a leader of an older term than that vote, say) it can
// vote again in that term, and two leaders can be elected in it. It may equally have forgotten
// its term and count for a deposed leader. Nothing in the recovered state tells which record was
// lost; only a storage that keeps the hard state safe on its own (two copies, say) closes this.
//
// # Beyond the shared core contract
//
// Entry carries Term (Raft needs it on the wire). Besides the shared settings
// (consensus.Config), a node has MaxUncommitted, MaxPendingReads and CompactMargin, which only
// its tests change. Message has Recovering and Last (durability).
package raft
