// Package paxos is a pure Multi-Paxos consensus core: a deterministic state
// machine that the shared KV server drives exactly like the Raft core, through
// Tick, Step, Propose, ReadIndex, Compact and Ready (see
// the contract in nodes/consensus, whose types it returns directly). It
// imports only the standard library and that contract, starts no goroutines, reads no clock (time arrives as ticks, one per
// millisecond) and draws randomness only from Config.Rand, so a seed replays
// a run exactly. Every node is proposer, acceptor and learner at once; an
// Index in the API is a slot.
//
// # Ballots and roles
//
// A Ballot is (Round, Node), Node being the proposer's position in
// Config.Peers, ordered by round and then node, so ballots never collide. A
// Follower that hears no leader for its suspicion timeout becomes a
// PreCandidate and asks every peer whether it too lost the leader
// (MsgPreVote). A peer agrees only if it has not heard from a leader for
// ElectionTicks, so an isolated node that rejoins cannot depose a healthy
// leader: it never raises its ballot. An answer counts only for the attempt
// whose send tick it echoes: the ballot asked about repeats from attempt to
// attempt while no higher round is seen, and a grant delayed from an earlier
// attempt (given while the grantor had lost the leader too) would otherwise
// let a node cut off from a healthy leader raise its ballot. With a majority it becomes a
// Candidate, picks a round above every one it has seen (pre-vote answers carry
// the peers' promises) and runs phase 1 once, for every slot above its chosen
// point (MsgPrepare). The acceptors' MsgPromise answers carry every value
// they accepted above that point, their own chosen point and, when they have
// compacted past it, their snapshot.
//
// With a majority of promises it becomes Leader and fills its log: every open
// slot up to the highest one reported gets the value known chosen there, else
// the value accepted at the highest ballot (the rule that keeps a chosen
// value chosen), else a no-op (Entry.Data nil) for a true gap. All of them
// are re-proposed at the new ballot before anything after them can be
// delivered, since delivery is in slot order.
//
// # Phase 2: pipelined and batched
//
// The leader gives each proposal the next slot and does not wait for earlier
// slots. Accepts go out from Ready: everything proposed since the previous
// Ready leaves as one MsgAccept per acceptor, split only at MaxBatch entries,
// with at most MaxInflight unanswered Accepts per acceptor. Acceptors accept
// any ballot at or above their promise (acceptance implies the promise) and
// answer with the range accepted, their chosen point and match, the end of
// the run of slots they hold at this ballot. A slot is chosen when a majority
// accepted it; the chosen point is the end of the contiguous chosen prefix.
// An acceptor that makes no progress for one smoothed round trip gets the
// run of slots above its match that it has not acknowledged (selective
// repeat: usually one straggling Accept holds back every later slot); when
// every Accept was answered and a hole remains, or it answers after a silence
// (a healed partition), the leader goes back to its match. An acceptor that
// needs compacted slots gets MsgSnapshot.
//
// A stale ballot is rejected with MsgNack carrying the higher promise, and a
// proposer that receives one steps aside at once. A leader that has not
// heard from a majority within its timeout steps down (check-quorum).
//
// # Learning
//
// The chosen point is piggybacked on every Accept and heartbeat (Commit).
// An acceptor treats a slot up to that point as chosen when the value it
// holds there was accepted at a ballot at least the leader's: once v is
// chosen at ballot b every proposal above b is v, so such a value is the
// chosen one. Cost: zero extra messages. Under load followers learn with the
// next Accept, one round trip after the leader; when idle, with the next
// heartbeat (at most 2 x HeartbeatTicks later: a round sends a heartbeat only
// to acceptors that got no Accept for HeartbeatTicks, so under load there are
// no heartbeats at all, and the Accepts carry the round). The leader itself learns a slot
// one round trip after proposing it, which is what clients wait for. The
// price of that choice is follower lag, which only matters to followers'
// local state: reads are served by the leader.
//
// # Reads without a slot
//
// ReadIndex needs a leader that is ready: phase 1 done and every slot it found
// open chosen (readyIndex), so its chosen point covers everything chosen under
// earlier ballots; this plays the part of Raft's no-op commit. Then either:
//
//   - Quorum read point: the read records the chosen point at the call and
//     waits until a majority acknowledged a heartbeat round started after
//     the call (Round numbers). Each of them had promised no higher ballot
//     when it answered, so any later leader completes phase 1 after the
//     call; everything chosen before the call was chosen by this leader (or
//     before it) and is within the recorded point.
//   - Lease (Config.LeaseReads): served at once, at the chosen point.
//
// The lease argument. An acceptor that receives a message from its leader at
// a ballot it has not promised away refuses, for ElectionTicks ticks of its
// own clock, to promise any other proposer (refusesPromise); a leader promises
// nobody while it leads. The leader's lease starts at the tick it SENT a
// heartbeat round that a majority acknowledged, and is valid while
// now < sent + ElectionTicks - 3. Every acknowledging acceptor received that
// round no earlier than it was sent, so it refuses other proposers until at
// least sent + ElectionTicks of real time, less one tick of discretization on
// each side (both clocks count whole milliseconds). Any new leader needs
// promises from a majority, which shares an acceptor with the acknowledging
// one, so no new leader and no new choice exists before the lease ends. The
// server ticks the core once per millisecond of monotonic time, including
// time it was paused, which is what makes ticks comparable across machines.
// The adaptive timeout below never goes under ElectionTicks, so it cannot
// shorten the refusal the argument relies on.
//
// # Compaction and catch-up
//
// Compact(index, snapshot) drops slots through index and keeps the snapshot.
// A replica that needs a compacted slot gets the snapshot (MsgSnapshot from the
// leader, or in a MsgPromise when a candidate is behind), restores it through
// Ready.Snapshot, and then receives the chosen slots after it.
//
// # Durability
//
// Every message that promises something rests on state the same Ready, or an
// earlier one, asks to be made durable (Ready.Stable): the server writes and
// syncs it once per Ready before it sends a message or applies a slot of
// that Ready, and a Ready lost before its write sent nothing. What is kept
// (durable.go has the encodings, encoding/binary):
//
//   - Hard state: the promised ballot, the incarnation and the damaged flag,
//     written after the promise changes (a prepare answered, an Accept of a
//     higher ballot, the node's own candidacy), after a restart and when the
//     damaged mode ends. It backs promises and nacks, and a candidate's
//     promise to itself, so a restarted node never runs a ballot twice.
//   - Records, one per acceptance: Index is the slot, Data the ballot and
//     the value (a no-op kept apart from an empty command); a later record
//     for a slot supersedes earlier ones. An acceptor writes one for every
//     value it accepts (not for one it already holds at that ballot), before
//     its MsgAccepted acknowledges it; a leader for each proposal and each
//     value it re-proposes after phase 1, before the Accepts carrying them
//     leave, since its own acceptance counts in the majority.
//   - Snapshots: Compact's, with the next Ready (the storage may then drop
//     the records it covers), and one installed from a peer, with the answer
//     that acknowledges it.
//
// Nothing else is kept: not the chosen point (a restarted node learns it
// again), nor the leader's bookkeeping. A Ready that changes none of this (a
// heartbeat and its answers, say) has an empty Stable.
//
// Recovery (Config.Restore) rebuilds the promise (raised to the highest
// ballot of any record: accepting implies promising), the snapshot, at which
// the chosen point and applied index start, so that Committed resumes at
// Snapshot.Index+1, and every acceptance above it. The node is a follower
// that knows no leader and holds values it cannot tell are chosen: learning
// needs a value at the leader's ballot or above, so a chosen slot it holds at
// an older ballot must be sent again. Hence the incarnation, one more at
// every restart and carried by every MsgAccepted: a leader that hears a newer
// one learns the acceptor's position afresh (it may have told the leader it
// knew more), and ignores answers of an older one.
//
// Leases across restarts. The lease rests on acceptors refusing other
// proposers for ElectionTicks after hearing the leader; a restarted node has
// forgotten when it last did. So for ElectionTicks after it starts it
// promises nobody and grants no pre-vote (quietUntil): the span every lease
// assumes, which the adaptive timeout never shortens.
// TestRestartQuietPeriodKeepsLeases is the stale read this prevents. A node
// that starts with nothing saved needs no quiet period: it acknowledged
// nothing.
//
// Damage. Recovered.Damaged, or saved bytes that do not decode, mean that
// something the node saved, and may have acknowledged, is lost. Until it has
// caught up the node answers no prepare (not even one of the ballot it
// promised, whose answer could lack a value), grants no pre-vote and never
// campaigns, and flags its answers Damaged: a leader counts them toward no
// quorum (acceptance, heartbeat rounds for reads and leases, check-quorum)
// but still learns from them what to send. The flag is in the hard state, so
// a restart before it has caught up keeps it even if the storage no longer
// reports the damage. It has caught up when its chosen point reaches
// Catchup, which a leader whose Accept it took (so of a ballot B at or above
// its promise) names in its Accepts to this incarnation: the leader's last
// slot when it sent them, after it heard of the incarnation. That covers
// every acknowledgement the node may have lost. Those at ballots below B were
// of values chosen, if at all, below B, which the leader's phase 1 placed at
// or below its readyIndex; those at B were of slots the leader had proposed
// before. So the node now holds again (or in its snapshot) every value that
// was chosen with an acknowledgement it lost, and the rest were of values
// not chosen, which a later phase 1 may forget. It is safe while one copy of
// a chosen value is lost at a time: a quorum that chose a value and a phase 1
// quorum without the damaged node (of n-1 nodes) share an intact acceptor.
//
// How close this is to protocol-aware recovery (CTRL, Alagappan et al., FAST
// 2018): CTRL's storage names the damaged entries and the node repairs just
// those from the cluster; here the storage only says that something was
// lost, so the node gives up every quorum role and has a leader re-deliver
// the chosen prefix up to the catch-up slot (at the leader's ballot, or as a
// snapshot). Like CTRL it never lets a damaged node vote before it is
// repaired; unlike CTRL it needs a leader elected without it, so a cluster
// where a majority is damaged at once stays unavailable (a one-node cluster
// after any damage: no peer holds what it lost).
//
// What remains unsafe is damage to the hard state itself. If the lost record
// is the last saved State, the storage hands back an older promise. The
// records raise it to every ballot the node accepted at, but not to one it
// only promised in phase 1. While damaged that is harmless (nothing it says
// counts); once it has caught up from a leader of ballot B it accepts at B
// although it may have promised B' > B, and a leader of B' whose phase 1
// counted that promise can choose a value that conflicts with one chosen at
// B. (The incarnation regresses too, which costs only liveness: that leader
// ignores the node until it restarts or a new leader is elected.) Closing it
// takes the promise in two places on disk, or a recovery round that asks a
// majority for the highest ballot seen and promises above it.
//
// Without storage the node never gets a Restore: incarnation 0, no quiet
// period, no damage, and on the wire exactly the messages it sent before
// (the new fields are zero and omitted), as the simulation checks.
//
// # Timing
//
// The timing and flow-control settings, their defaults and the adaptive timeout rule are the
// ones both cores share (consensus.Timing, consensus.DefaultTiming), so that Multi-Paxos and
// Raft differ in the benchmarks by their algorithms only. What each setting is for here:
//
//   - ElectionTicks: a follower suspects the leader after [ElectionTicks,
//     1.5*ElectionTicks) of silence, and an acceptor that heard the leader refuses other
//     proposers for ElectionTicks. The floor is set by the lease: a lease lasts
//     ElectionTicks-3 ticks from the send tick of a quorum-acknowledged round, so it must
//     exceed the round trip or it has expired by the time the acknowledgement arrives, and
//     every read becomes a quorum round. A false suspicion is cheap: pre-vote fails while
//     the other acceptors still hear the leader.
//   - HeartbeatTicks: the longest an acceptor goes without an Accept from the leader, which
//     renews leases and carries the chosen point when idle.
//   - MaxElectionTicks caps the adaptive timeout.
//   - MaxInflight and MaxBatch bound phase 2 (Bounds).
//
// The waits for answers in an election and the leader's check-quorum window adapt upward from
// the floor by the shared rule, timeout = clamp(srtt + rttvar + HeartbeatTicks,
// ElectionTicks, MaxElectionTicks), measured by the leader from echoed send ticks and shared
// on every Accept (check-quorum adds one heartbeat period), and raised by a (pre-)candidate to
// twice the round trip of any answer to its pre-votes or prepares (timing.go). Failover is
// suspicion plus a pre-vote, a prepare and one phase 2 round trip (to choose the open slots
// before reads); TestFailoverTime measures it in virtual time, and results/timing.md has the
// figures behind these choices.
//
// # Bounds
//
// MaxBatch entries per Accept, MaxInflight Accepts per acceptor, maxOpenSlots
// slots above the chosen point (Propose returns false beyond it, acceptors
// drop accepts beyond it), maxPendingReads waiting reads, and memory flat
// under the server's periodic Compact.
//
// # Files
//
// types.go (ballots), message.go (messages and describe),
// config.go (NewCore and the settings), node.go (the API), slots.go (the slot log), election.go
// (pre-vote, phase 1, role changes), replicate.go (the leader's phase 2),
// acceptor.go (the acceptor's phase 2 and learning), read.go (read points
// and leases), timing.go (timeouts), durable.go (what is saved, recovery,
// the quiet period and the damaged mode).
//
// # Tests
//
// Protocol scenarios as data (testdata/, run by nodes/consensus/scenario from
// scenario_test.go; -rewrite regenerates them) tell the same stories as
// raftnode/raft's: election and propose, stale leader, lease handover, gap
// fill and more. Go tests (scenario_test.go, election_test.go, read_test.go,
// durable_test.go) pin the other rules on a cluster stepped by hand, and
// failover_test.go measures failover in virtual time. Every node has an
// in-memory disk with the contract's semantics (nodes/consensus/coretest;
// its decoded view and the checks in disk_test.go), and every
// Ready is saved to it before anything of it is used; each message sent and
// each slot delivered is then checked against the disk, as a restart right
// after the save would read it back (persist before send, at every step).
// The seeded simulation (sim_test.go, swarm_test.go) runs
// on the shared simulated network (harness/simnet): each seed draws its
// cluster size (3 or 5), settings (MaxInflight 1..16, MaxBatch, leases,
// compaction) and fault mix (simnet.Swarm, plus holds biased toward election
// messages, and cuts and pauses aimed at the leader), runs three seconds of
// faults under client load, then stops them and demands a marker chosen
// everywhere and a read served. In one seed in two, nodes are also killed
// (crash_test.go): one, a minority, a majority or all at once, at any point of
// a Ready (before it, after it is taken and lost, after its save, after its
// sends), down for up to two election timeouts; in a quarter of those a kill
// may also lose a record in the middle of the disk (one node at a time), and
// a strike aims at the lease across restarts. Acceptances count as such once
// saved. An oracle (oracle_test.go) that records
// every acceptance checks at every step what this comment claims: one value
// per ballot and slot, at most one chosen per slot, only chosen values
// delivered, one tenure per ballot, no valid lease beside a leader of a
// higher ballot (the lease argument), every value chosen below a leader's
// ballot in its log (phase 1), reads covering every slot chosen before the
// call, no candidacy that the peers refusing pre-votes throughout the
// attempt left without a quorum (the pre-vote argument), and after every
// restart every saved acceptance held again unless the disk lost it.
package paxos
