// Command solonode is a one-node Maelstrom lin-kv server: the shared server over the trivial
// Solo core, which commits everything at once. It is the runtime's end-to-end example and a
// no-consensus baseline; run with more than one node, its nodes disagree, and the harness's
// checker says so.
package main

import (
	"fmt"
	"os"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
)

func main() {
	if err := nodes.Run(kvserver.New(kvserver.SoloConfig()), nodes.Config{}); err != nil {
		fmt.Fprintln(os.Stderr, "solonode:", err)
		os.Exit(1)
	}
}
