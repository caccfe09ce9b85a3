// Package kvserver is the lin-kv server that every node binary shares, generic over the
// consensus core that orders its commands (Raft, Multi-Paxos, or the one-node [Solo]).
//
// It implements [nodes.Machine]. Each mechanism is a type of its own, and the [Server] holds
// them together:
//
//   - replica (state.go): the replicated state, that is the store, the client sessions and the
//     applied index, with snapshot and restore. It knows nothing of cores or the network.
//   - answers (answers.go): the clients this node owes an answer, for the writes it proposed
//     and the reads it asked a read point for.
//   - batchQueue (batch.go): when a batch of proposals or forwards leaves.
//   - handoffs (retry.go): the requests parked until a leader is known, and the ones handed
//     on, to hand again to a new leader.
//   - overlay (relay.go): relaying round one-way links, behind two calls, receive for every
//     message that arrives and send for every message to a peer.
//
// A client write takes the request path (request.go) top to bottom: Handle, handleClient,
// then at the leader propose and flushProposals into the core, elsewhere forward and
// flushForwards to the leader. It comes back on the Ready path (ready.go): Idle takes Ready
// after Ready from the core in one loop, and for each saves its Stable, applies its entries
// (the proposer answers the client), hands the requests handed on before to a new leader,
// and sends its messages. When the core first has nothing ready, the loop does the turn's
// own work once (parked requests go to a leader, due batches leave) and takes what that gave
// the core in the same loop.
//
// The paths a client request takes:
//
//   - write and cas: the node proposes the command to its core. If the core does not lead, the
//     request is forwarded, verbatim with the client's id, to the leader the core knows of, and
//     that node proposes it (a "forward" message carries any number of requests, and requests
//     may also ride on a core message to the leader as its "reqs"). The command carries
//     (client, msg_id); every replica applies it in log order, and the node that proposed it
//     answers the client directly, with the client's msg_id as in_reply_to (Maelstrom accepts
//     a reply from any node).
//   - read: the node asks its core for a read point (ReadIndex: a quorum-confirmed heartbeat
//     round, or a valid leader lease) and answers once its state machine has applied that
//     point. Reads never write the log. Followers forward reads like writes.
//
// A request that finds no leader known (an election is under way) is parked, and handed on as
// soon as a leader is known; after ParkFor (400 ms, well inside the client's 1 s) it fails.
//
// A request handed to a leader that is then cut off or deposed would be lost with it, and its
// client would wait out its 1 s timeout although a new leader takes over after an election.
// So each node remembers the requests it forwarded or proposed for RetryFor (1 s), and
// whenever its core learns of a leader it hands those it has not applied to that leader again
// (retry.go); the sessions below make that safe.
//
// One-way links. When a link works in one direction only (Maelstrom's 3-node
// :majorities-ring cuts every link so), a request and its answer cannot both pass. Each node
// names, on its core messages, the peers that have left what it sent them unanswered for
// DeafAfter (150 ms), and a node so named sends that peer its messages by way of the others too,
// for RelayFor (500 ms) after the last notice; relayed copies of a body already handled are
// dropped (relay.go). In a healthy cluster nobody is named and nothing is relayed.
//
// Batching. Everything one burst of input brings leaves together: the leader hands all its
// new commands to the core before the core's next Ready, so they go out in one append per
// follower, and a follower's forwards go in one message. Under load (more than BatchRate,
// 150 requests per second, arriving at the leader's proposals or at a follower's forwards)
// the server also lingers, for at most BatchDelay (10 ms): the leader hands over its commands
// at most once per BatchDelay, and a follower's forwards wait for the next message its core
// sends the leader (an append's answer, usually) and ride on it, or leave on their own when
// the oldest has waited BatchDelay; either kind leaves at once when BatchSize (8) requests
// wait (batch.go). This trades a few milliseconds of latency under load for far fewer
// messages per operation (results/ has the figures); at low rates nothing waits, and at high
// rates batches fill before BatchDelay.
//
// Options. Every number of [Config] and [Options] follows one rule: zero means the default
// named on the field, and a negative value turns the mechanism off (for a limit: no limit);
// MaxHops, which no request path can do without, refuses a negative value. The binaries'
// flags pass their values through unchanged (-batch-delay -1 turns lingering off), and -help
// says so.
//
// Errors follow Maelstrom's rule that a definite error means the operation never happened and
// never will. 11 (temporarily-unavailable) is only sent by the node that took the request from
// the client, before it was proposed or forwarded; a forwarded write that finds no leader gets
// 13 (crash, indefinite), because that hop cannot rule out that a copy of the request reached a
// log. Once proposed, a write is answered only by its result (20 and 22 are results, so
// definite) or not at all. Reads may fail with any code: a read changes nothing.
//
// The replicated state is the [kv.Store] plus, per client, the last msg_id applied and its
// outcome (ok, or the error code and text). Since a Maelstrom client's msg_ids grow and it has
// one request outstanding at a time, a command whose msg_id is not above its client's last one
// is a copy (a retry, a duplicated or delayed forward) or was abandoned by its client for a
// later request, and is skipped, so that no request is applied twice or after a later write of
// the same client. A copy of the last request is answered with the stored outcome, as the
// first copy was (the Raft dissertation's client sessions, §6.3).
//
// Durability (storage.go): with -data-dir (or a simulation's disk) the node opens its log
// (nodes/wal) at init, restores the store and the sessions from the snapshot it holds, and
// hands the core the rest (consensus.Recovered). Every Ready's Stable is written and synced
// before anything of that Ready is applied or sent, since a vote, a promise or an
// acknowledged append must not outlive the disk's copy of it; an idle loop turn writes
// nothing, a busy one writes what its Ready asks in one write and one fsync. A failed write
// stops the node: after a failed fsync nothing says what the disk holds, and a restart reads it
// back. Without storage the node says at init that it keeps everything in memory. A snapshot
// at index i holds the effect of entry i, as everyone who restores it goes on from i+1.
//
// Time: the core counts milliseconds as ticks. Every event first ticks the core for the time
// that passed, so a process that was paused acts on no lease or timeout before it has seen that
// time go by.
package kvserver
