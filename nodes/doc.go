// Package nodes is the Maelstrom runtime every node binary of this project shares.
//
// A Maelstrom node talks JSON over its standard streams: one message per line on stdin and
// stdout, logs on stderr. This package owns everything about that edge so that a node's logic
// can be a deterministic [Machine]:
//
//   - [Message] is the envelope Maelstrom delivers, with the reserved body fields (type, msg_id,
//     in_reply_to) decoded once, and [Outgoing] is what a machine hands back to be sent.
//   - [Code] is the one table of Maelstrom's error codes, each with its name and whether it is
//     definite; [Error] is the error a handler returns to produce an "error" reply.
//   - [Run] owns every goroutine: a stdin reader with no line-length limit, one event loop that is
//     the only caller of the machine, a ticker, and a buffered stdout writer that is flushed when
//     the loop has nothing more to do. It answers the init handshake itself.
//
// The machine never reads a clock: [Run] passes the monotonic time elapsed since start to every
// call, and randomness comes from the seeded source in [Init]. Nothing but whole, valid messages
// is ever written to stdout; bad input is logged to stderr or answered with an error reply, and
// never stops the node.
package nodes
