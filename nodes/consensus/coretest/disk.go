package coretest

import (
	"fmt"
	"slices"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// Disk is one node's stable storage in a core's tests. The fields are what it holds; a test
// reads them to compare the disk with the node, and sets Keep or Damaged to shape what a
// restart finds.
type Disk struct {
	// State is the last hard state saved, nil if none ever was.
	State []byte
	// Snap is the last snapshot saved, nil if none ever was.
	Snap *consensus.Snapshot
	// Records are the saved records in save order: those above Snap's index, or all of them
	// with Keep.
	Records []consensus.Record
	// Keep makes the disk keep the records a snapshot covers: the contract lets a storage
	// drop them, and a core must cope with one that does not.
	Keep bool
	// Damaged is what the next recovery reports: a record in the middle was lost. Storage
	// reports it once, at the open that finds it, as a log that repairs itself would.
	Damaged bool
	// Repaired counts the Stables that said the node caught up after damage.
	Repaired int
}

// Save applies one Stable as a storage does. A snapshot no newer than the one saved is an
// error: a core never goes back on what it handed the server, nor hands the same one twice.
func (d *Disk) Save(st consensus.Stable) error {
	if s := st.Snapshot; s != nil && d.Snap != nil && s.Index <= d.Snap.Index {
		return fmt.Errorf("snapshot %d saved after snapshot %d", s.Index, d.Snap.Index)
	}
	if st.Repaired {
		d.Repaired++
	}
	if st.State != nil {
		d.State = slices.Clone(st.State)
	}
	if st.Snapshot != nil {
		snap := *st.Snapshot
		d.Snap = &snap
		if !d.Keep {
			d.Records = slices.DeleteFunc(d.Records, func(r consensus.Record) bool { return r.Index <= snap.Index })
		}
	}
	for _, r := range st.Records {
		if d.Keep || r.Index > d.SnapIndex() {
			d.Records = append(d.Records, r)
		}
	}
	return nil
}

// SnapIndex is the index of the saved snapshot, 0 without one.
func (d *Disk) SnapIndex() uint64 {
	if d.Snap == nil {
		return 0
	}
	return d.Snap.Index
}

// Recovered is what the node's storage hands a restart; it reports damage once.
func (d *Disk) Recovered() *consensus.Recovered {
	rec := &consensus.Recovered{State: d.State, Snapshot: d.Snap, Records: slices.Clone(d.Records), Damaged: d.Damaged}
	d.Damaged = false
	return rec
}

// Lose drops record i, as a flipped bit does, marks the disk damaged and returns the record.
func (d *Disk) Lose(i int) consensus.Record {
	lost := d.Records[i]
	d.Records = slices.Delete(d.Records, i, i+1)
	d.Damaged = true
	return lost
}
