// Package net is the harness's real-time network.
//
// Every message between clients, nodes and services goes through a Network:
// Send stamps it with a global message id and a delivery deadline (now plus
// a latency drawn from the configured distribution, or zero when either end
// is a client) and puts it in the receiver's Inbox, a priority queue ordered
// by deadline. The distribution is simnet's latency model, the one the
// virtual-time simulations draw from, so a --latency-dist means the same in
// both. The receiver's pump calls Inbox.Recv, which takes the earliest
// message, drops it silently if the receiver currently holds a grudge
// against the sender (a partition, checked at dequeue exactly as Maelstrom
// does), and otherwise waits until the deadline before handing it over.
//
// A killed node stays registered, as in Maelstrom: Down throws away what
// waits for it and makes every message sent to it lost, until Restart
// delivers its new process's init first, into an empty queue. A paused node
// needs nothing here: its pump keeps taking messages and blocks writing to
// the full stdin pipe, so they wait in the queue until the node resumes, and
// since every node has its own pump, nobody else waits with them.
//
// A Tracer, if configured, sees every message at both ends: Send asks it
// for the sender's vector clock, which travels as the message's Cause, and
// Recv tells it of each delivery before the receiver gets the message. The
// runner's quorum-witness check is built on these two calls.
//
// The Network also counts sends and receives, split into all, clients
// (either end is a client) and servers (everything else), which the checker
// turns into msgs-per-op. ParseLine validates one line of a node's stdout
// against Maelstrom's closed message schema.
package net
