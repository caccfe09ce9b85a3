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
// server code, for examples, tests and as a no-consensus baseline. With more than one node each
// would answer from its own state, which is not linearizable.
type Solo struct {
	id         string
	last       uint64
	committed  []consensus.Entry
	readStates []consensus.ReadState
}

// SoloConfig is the server configuration of a one-node lin-kv server over Solo.
func SoloConfig() Config[SoloMessage] {
	return Config[SoloMessage]{
		Kind: "solo",
		NewCore: func(init nodes.Init, _ *consensus.Recovered) consensus.Core[SoloMessage] {
			if len(init.NodeIDs) > 1 {
				init.Logger.Warn("solo runs each node alone: not linearizable with several nodes")
			}
			return NewSolo(init.NodeID)
		},
	}
}

// NewSolo returns a Solo core for the node named id.
func NewSolo(id string) *Solo { return &Solo{id: id} }

// Tick does nothing: a lone node has no timers.
func (s *Solo) Tick() {}

// Step ignores the message: a lone node has no peers.
func (s *Solo) Step(SoloMessage) {}

// Propose commits data at the next index.
func (s *Solo) Propose(data []byte) bool {
	s.last++
	s.committed = append(s.committed, consensus.Entry{Index: s.last, Data: data})
	return true
}

// ReadIndex answers with the last index.
func (s *Solo) ReadIndex(id uint64) bool {
	s.readStates = append(s.readStates, consensus.ReadState{ID: id, Index: s.last})
	return true
}

// Compact does nothing: Solo keeps no log.
func (s *Solo) Compact(uint64, []byte) {}

// Leader is always this node.
func (s *Solo) Leader() string { return s.id }

// HasReady reports whether anything was committed or read since the last Ready.
func (s *Solo) HasReady() bool { return len(s.committed) > 0 || len(s.readStates) > 0 }

// Ready hands over what was committed and read.
func (s *Solo) Ready() consensus.Ready[SoloMessage] {
	rd := consensus.Ready[SoloMessage]{Committed: s.committed, ReadStates: s.readStates, Leader: s.id}
	s.committed, s.readStates = nil, nil
	return rd
}
