package main

import (
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/paxosnode/paxos"
)

// NewServerConfig returns the server configuration for a Multi-Paxos node whose core is built from
// base, with the identity, peers, randomness and logging filled in at init.
func NewServerConfig(base paxos.Config) kvserver.Config[paxos.Message] {
	return kvserver.Config[paxos.Message]{
		Kind: "paxos",
		NewCore: func(init nodes.Init) kvserver.Core[paxos.Message] {
			cfg := base
			cfg.ID, cfg.Peers, cfg.Rand, cfg.Logf = init.NodeID, init.NodeIDs, init.Rand, kvserver.Logf(init.Logger)
			return core{paxos.New(cfg)}
		},
	}
}

// core adapts the Multi-Paxos node to the server's Core interface: the core imports only the standard
// library, so its Ready is converted here.
type core struct{ *paxos.Node }

func (c core) Ready() kvserver.Ready[paxos.Message] {
	rd := c.Node.Ready()
	out := kvserver.Ready[paxos.Message]{Leader: rd.Leader}
	if len(rd.Messages) > 0 {
		out.Messages = make([]kvserver.PeerMessage[paxos.Message], len(rd.Messages))
		for i, m := range rd.Messages {
			out.Messages[i] = kvserver.PeerMessage[paxos.Message]{To: m.To, Msg: m}
		}
	}
	if len(rd.Committed) > 0 {
		out.Committed = make([]kvserver.Entry, len(rd.Committed))
		for i, e := range rd.Committed {
			out.Committed[i] = kvserver.Entry{Index: e.Index, Data: e.Data}
		}
	}
	for _, rs := range rd.ReadStates {
		out.ReadStates = append(out.ReadStates, kvserver.ReadState{ID: rs.ID, Index: rs.Index})
	}
	if rd.Snapshot != nil {
		out.Snapshot = &kvserver.Snapshot{Index: rd.Snapshot.Index, Data: rd.Snapshot.Data}
	}
	return out
}
