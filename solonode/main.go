// Command solonode is a one-node Maelstrom lin-kv server: the shared server over the trivial
// Solo core, which commits everything at once. It is the runtime's end-to-end example and a
// no-consensus baseline; run with more than one node, its nodes disagree, and the harness's
// checker says so. It takes the flags every node binary takes (-data-dir makes it durable).
package main

import "github.com/quorumkit/quorumkit/nodes/kvserver"

func main() {
	kvserver.Main("solonode", func(kvserver.Options) kvserver.Config[kvserver.SoloMessage] { return kvserver.SoloConfig() })
}
