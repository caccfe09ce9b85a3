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
	srv := kvserver.New(kvserver.Config[kvserver.SoloMessage]{
		Kind: "solo",
		NewCore: func(init nodes.Init) kvserver.Core[kvserver.SoloMessage] {
			if len(init.NodeIDs) > 1 {
				init.Logger.Warn("solonode runs each node alone: not linearizable with several nodes")
			}
			return kvserver.NewSolo(init.NodeID)
		},
	})
	if err := nodes.Run(srv, nodes.Config{}); err != nil {
		fmt.Fprintln(os.Stderr, "solonode:", err)
		os.Exit(1)
	}
}
