package kvserver

import (
	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// SoloMessage is the message type of [Solo], which never sends any.
type SoloMessage struct{}

// Dest is never called: Solo sends nothing.
func (SoloMessage) Dest() string { return "" }

// Solo is the trivial core of a single node: it leads alone, commits every proposal at once
// and serves every read at the last index. It makes a one-node lin-kv server out of the shared
// server code, for examples, tests and as a no-consensus baseline. It asks to save every command
// (and the snapshots), so with storage it survives a restart. With more than one node each
// would answer from its own state, which is not linearizable.
type Solo struct {
	id         string
	last       uint64
	committed  []consensus.Entry
	readStates []consensus.ReadState
	stable     consensus.Stable
}

// SoloConfig is the server configuration of a one-node lin-kv server over Solo.
func SoloConfig() Config[SoloMessage] {
	return Config[SoloMessage]{
		Kind: "solo",
		NewCore: func(init nodes.Init, rec *consensus.Recovered) consensus.Core[SoloMessage] {
			if len(init.NodeIDs) > 1 {
				init.Logger.Warn("solo runs each node alone: not linearizable with several nodes")
			}
			return NewSolo(init.NodeID, rec)
		},
	}
}

// NewSolo returns a Solo core for the node named id. With rec (what its storage held), the
// commands saved after the snapshot are committed again, so the server replays them.
func NewSolo(id string, rec *consensus.Recovered) *Solo {
	s := &Solo{id: id}
	if rec == nil {
		return s
	}
	if rec.Snapshot != nil {
		s.last = rec.Snapshot.Index
	}
	for _, r := range rec.Records {
		if r.Index == s.last+1 {
			s.last = r.Index
			s.committed = append(s.committed, consensus.Entry{Index: r.Index, Data: r.Data})
		}
	}
	return s
}

// Tick does nothing: a lone node has no timers.
func (s *Solo) Tick() {}

// Step ignores the message: a lone node has no peers.
func (s *Solo) Step(SoloMessage) {}

// Propose commits data at the next index.
func (s *Solo) Propose(data []byte) bool {
	s.last++
	s.committed = append(s.committed, consensus.Entry{Index: s.last, Data: data})
	s.stable.Records = append(s.stable.Records, consensus.Record{Index: s.last, Data: data})
	return true
}

// ReadIndex answers with the last index.
func (s *Solo) ReadIndex(id uint64) bool {
	s.readStates = append(s.readStates, consensus.ReadState{ID: id, Index: s.last})
	return true
}

// Compact saves the snapshot, so that storage can drop the commands it covers.
func (s *Solo) Compact(index uint64, snapshot []byte) {
	s.stable.Snapshot = &consensus.Snapshot{Index: index, Data: snapshot}
}

// Leader is always this node.
func (s *Solo) Leader() string { return s.id }

// HasReady reports whether anything was committed, read or compacted since the last Ready.
func (s *Solo) HasReady() bool {
	return len(s.committed) > 0 || len(s.readStates) > 0 || !s.stable.Empty()
}

// Ready hands over what was committed and read.
func (s *Solo) Ready() consensus.Ready[SoloMessage] {
	rd := consensus.Ready[SoloMessage]{Stable: s.stable, Committed: s.committed, ReadStates: s.readStates, Leader: s.id}
	s.committed, s.readStates, s.stable = nil, nil, consensus.Stable{}
	return rd
}
