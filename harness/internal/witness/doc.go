// Package witness decides, from the messages a cluster exchanged, whether a
// node could have known that a majority held a request before it answered.
//
// Maelstrom's linearizability check only sees what clients saw: a node that
// acknowledges a write before a majority has it passes unless a partition
// strikes in the gap. Whoever routes every message can do better. Happens-
// before over the routed messages is a partial order: each node's output
// follows all of that node's earlier input, and a message's delivery follows
// its sending. A node that acknowledges a write with only a minority behind
// it has, causally before its reply, events at fewer than a majority of nodes
// that causally follow the request's arrival. That is the necessary condition
// this package checks; every correct quorum protocol meets it, whatever its
// messages look like, because the acknowledgements it counts are such events.
//
// A Tracker keeps one vector clock per participant (the server nodes, and the
// services such as lin-kv, which are linearizable by construction). The caller
// reports two kinds of event:
//
//   - Sent, when a participant emits a message (for a process: when its line
//     is read from stdout). Its current clock goes out as the message's Stamp.
//     Because a process's output is only known to follow the inputs written to
//     it before the line was read, every output is taken to follow all of
//     them: extra edges can only hide a violation, never invent one.
//   - Delivered, when a message is handed to a participant, with the Stamp it
//     carries. It must be reported BEFORE the message's bytes reach the
//     process, so that no output that depends on it can be read first: that
//     ordering is what makes the check free of false alarms.
//
// A message from anyone who is not a participant (a client) carrying a
// msg_id is a request: its delivery is the request's arrival. For each
// pending request the Tracker records, for every participant, the first of
// its events whose clock knows the arrival; knowledge is monotonic along a
// participant's events, so that one number per participant is all it needs.
// When a client matches a reply, Judge takes the reply's Stamp and counts the
// nodes whose first such event the reply's clock covers: the request is
// witnessed when they are a majority of the nodes (the replying node counts
// when its own clock knows the arrival), or when a service has such an event
// (a linearizable service standing in for the quorum, as when a node proxies
// to lin-kv).
//
// The package is pure: no goroutines, no clock, no locks. The harness calls
// it from many goroutines under one mutex; the in-process simulator calls it
// from its one loop with the same events. Memory is bounded by the number of
// participants and of clients, not by the length of the run: clients are
// synchronous, as Maelstrom's are, so a client's new request replaces its
// previous one, and a judged request is forgotten.
package witness
