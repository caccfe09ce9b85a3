// Package service runs Maelstrom's built-in services, which nodes may call
// like any other node: lin-kv (an atomic map), seq-kv and lww-kv (served
// here by the same atomic map: a linearizable store is a legal, if
// stronger, implementation of both), and lin-tso (a counter from 0). Each
// service handles one request at a time, answers with in_reply_to and no
// msg_id, and ignores requests of a type it does not know, as Maelstrom's do.
// Its replies travel with normal node latency.
package service
