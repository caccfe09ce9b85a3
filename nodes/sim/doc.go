// Package sim runs a whole lin-kv cluster inside one goroutine, under virtual time, and checks
// what its clients saw with porcupine.
//
// Every node is a real [nodes.Machine] (the shared server over a real core); every message is
// encoded and parsed exactly as on stdio, so the wire format is exercised too. The network
// delays node-to-node messages by a random number of milliseconds (which reorders them), loses
// and duplicates them, and cuts links in random partitions, some one-directional; a partition
// drops a message when it would be delivered, as Maelstrom does. Nodes are also paused: a
// paused node handles nothing, and on resume sees the time that passed before anything else.
// Clients behave like Maelstrom's: each is bound to one node, has one request outstanding,
// gives up after a timeout, and maps replies to ok, fail or info with the same rules.
//
// One seed fixes everything (latencies, faults, operations), so a failing seed replays
// exactly. After the faults stop, the cluster must serve clients again (liveness).
package sim
