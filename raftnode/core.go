package main

import (
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
	"github.com/quorumkit/quorumkit/raftnode/raft"
)

// NewServerConfig returns the server configuration for a Raft node whose core is built from
// base, with the identity, peers, randomness and logging filled in at init.
func NewServerConfig(base raft.Config) kvserver.Config[raft.Message] {
	return kvserver.Config[raft.Message]{
		Kind: "raft",
		NewCore: func(init nodes.Init) kvserver.Core[raft.Message] {
			cfg := base
			cfg.ID, cfg.Peers, cfg.Rand, cfg.Logf = init.NodeID, init.NodeIDs, init.Rand, kvserver.Logf(init.Logger)
			return core{raft.New(cfg)}
		},
	}
}

// core adapts the Raft node to the server's Core interface: the core imports only the standard
// library, so its Ready is converted here.
type core struct{ *raft.Node }

func (c core) Ready() kvserver.Ready[raft.Message] {
	rd := c.Node.Ready()
	out := kvserver.Ready[raft.Message]{Leader: rd.Leader}
	if len(rd.Messages) > 0 {
		out.Messages = make([]kvserver.PeerMessage[raft.Message], len(rd.Messages))
		for i, m := range rd.Messages {
			out.Messages[i] = kvserver.PeerMessage[raft.Message]{To: m.To, Msg: m}
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
