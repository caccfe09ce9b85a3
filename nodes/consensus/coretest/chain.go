package coretest

import (
	"encoding/binary"
	"hash/fnv"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// ChainHash extends h, the hash of a replica's applied state, with entry e: its index, its
// term, whether it is a no-op, and its data. Replicas that applied the same entries hold the
// same hash, so a test compares two replicas at an index by one number instead of by their
// whole state, which the simulations could not afford at every entry.
func ChainHash(h uint64, e consensus.Entry) uint64 {
	f := fnv.New64a()
	var b [24]byte
	binary.LittleEndian.PutUint64(b[0:], h)
	binary.LittleEndian.PutUint64(b[8:], e.Index)
	binary.LittleEndian.PutUint64(b[16:], e.Term)
	f.Write(b[:])
	if e.Data == nil {
		f.Write([]byte{0})
	} else {
		f.Write([]byte{1})
		f.Write(e.Data)
	}
	return f.Sum64()
}
