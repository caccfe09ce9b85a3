package coretest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

func rec(i uint64) consensus.Record { return consensus.Record{Index: i, Data: []byte{byte(i)}} }

// The disk keeps what the contract says a storage keeps: the last State, records in order,
// none a snapshot covers (unless Keep), and damage reported at one recovery only.
func TestDiskKeepsWhatTheContractSays(t *testing.T) {
	var d Disk
	require.NoError(t, d.Save(consensus.Stable{State: []byte("a"), Records: []consensus.Record{rec(1), rec(2), rec(3)}}))
	require.NoError(t, d.Save(consensus.Stable{State: []byte("b"), Records: []consensus.Record{rec(4)},
		Snapshot: &consensus.Snapshot{Index: 2}}))
	require.Equal(t, []consensus.Record{rec(3), rec(4)}, d.Records, "the snapshot drops what it covers")
	require.Equal(t, uint64(2), d.SnapIndex())
	require.Error(t, d.Save(consensus.Stable{Snapshot: &consensus.Snapshot{Index: 1}}), "a snapshot older than the saved one")
	require.Error(t, d.Save(consensus.Stable{Snapshot: &consensus.Snapshot{Index: 2}}), "the saved snapshot again")

	require.Equal(t, rec(3), d.Lose(0))
	got := d.Recovered()
	require.Equal(t, []byte("b"), got.State)
	require.Equal(t, []consensus.Record{rec(4)}, got.Records)
	require.True(t, got.Damaged)
	require.False(t, d.Recovered().Damaged, "damage is reported once")

	require.NoError(t, d.Save(consensus.Stable{Repaired: true}))
	require.Equal(t, 1, d.Repaired)

	k := Disk{Keep: true}
	require.NoError(t, k.Save(consensus.Stable{Records: []consensus.Record{rec(1), rec(2)}, Snapshot: &consensus.Snapshot{Index: 2}}))
	require.Len(t, k.Records, 2, "Keep keeps the covered records")
}

// The chain tells apart what replicas must agree on: the order of entries, their terms, and a
// no-op from an empty command.
func TestChainHashTellsApartWhatReplicasMustAgreeOn(t *testing.T) {
	a, b := consensus.Entry{Index: 1, Data: []byte("a")}, consensus.Entry{Index: 2, Data: []byte("b")}
	h := ChainHash(ChainHash(0, a), b)
	require.Equal(t, h, ChainHash(ChainHash(0, a), b))
	require.NotEqual(t, h, ChainHash(ChainHash(0, b), a))
	require.NotEqual(t, ChainHash(0, a), ChainHash(0, consensus.Entry{Index: 1, Term: 2, Data: []byte("a")}))
	require.NotEqual(t, ChainHash(0, consensus.Entry{Index: 1}), ChainHash(0, consensus.Entry{Index: 1, Data: []byte{}}))
}
