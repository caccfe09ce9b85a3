package wal

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// ErrClosed is what Save and Repaired return after Close.
var ErrClosed = errors.New("wal: log closed")

// Stats counts what a Log did, for benchmarks and results.
type Stats struct {
	// Saves counts Saves that had something to save.
	Saves uint64
	// Compactions counts Saves that carried a snapshot and so started a new generation.
	Compactions uint64
	// Writes counts write calls; Syncs counts fsyncs of files and of directories. Both
	// include the few that Open issues.
	Writes, Syncs uint64
	// Bytes counts bytes written.
	Bytes uint64
}

// contents is what the log holds: the result of replaying its batches in order.
type contents struct {
	// state is the last State saved, nil if none ever was.
	state []byte
	// snapshot is the last Snapshot saved.
	snapshot *consensus.Snapshot
	// records are every saved record with an index above snapshot's, in save order.
	records []consensus.Record
	// damaged is set from recovery that found damage until Repaired.
	damaged bool
}

// apply replays one batch. Records at or below the snapshot's index are dropped whether they
// came before the snapshot or after it, so the rule has no exception to remember.
func (c *contents) apply(bt batch) {
	if bt.flags&flagState != 0 {
		c.state = bt.state
	}
	if bt.flags&flagSnapshot != 0 {
		c.snapshot = bt.snapshot
		kept := make([]consensus.Record, 0, len(c.records))
		for _, r := range c.records {
			if r.Index > c.snapshot.Index {
				kept = append(kept, r)
			}
		}
		c.records = kept
	}
	for _, r := range bt.records {
		if c.snapshot == nil || r.Index > c.snapshot.Index {
			c.records = append(c.records, r)
		}
	}
	if bt.flags&flagDamaged != 0 {
		c.damaged = true
	}
	if bt.flags&flagRepaired != 0 {
		c.damaged = false
	}
}

// base is the one batch that starts a new generation with everything c holds.
func (c *contents) base() batch {
	bt := batch{state: c.state, snapshot: c.snapshot, records: c.records}
	if c.state != nil {
		bt.flags |= flagState
	}
	if c.snapshot != nil {
		bt.flags |= flagSnapshot
	}
	if c.damaged {
		bt.flags |= flagDamaged
	}
	return bt
}

// recovered is c as a core receives it, with a slice of its own.
func (c *contents) recovered() consensus.Recovered {
	return consensus.Recovered{
		State:    c.state,
		Snapshot: c.snapshot,
		Records:  slices.Clone(c.records),
		Damaged:  c.damaged,
	}
}

// Log is a node's durable log: one generation file at a time under DIR/<node-id>/, appended
// to by Save and replaced by a new generation when a snapshot comes. It is not safe for
// concurrent use; the server's one loop owns it.
type Log struct {
	fs     FS
	dir    string // DIR/<node-id>
	nodeID string
	logf   func(format string, args ...any)

	gen     uint64 // the generation being appended to
	salt    uint32 // its file header's checksum
	nextSeq uint64 // the sequence number of its next frame
	file    File

	contents
	stats Stats
	// err, once set, is returned by every later Save: after a failed write or fsync nothing
	// is known of what reached the disk, and only a restart that reads it back finds out.
	err error
}

// Save makes st durable: one write and one fsync for everything in it, so a server that calls
// it once per loop turn commits the turn as a group. An empty st costs nothing. A st with a
// Snapshot starts a new generation holding the snapshot, the last State and the records above
// the snapshot's index, and drops the old one. After an error the log takes no more writes:
// the node must exit and recover with Open.
//
// The log keeps the bytes it saved and hands them back from later recoveries; it does not
// keep st's slices.
func (l *Log) Save(st consensus.Stable) error {
	if st.State == nil && len(st.Records) == 0 && st.Snapshot == nil && !(st.Repaired && l.damaged) {
		return nil // nothing, or only a repair of damage the log no longer holds
	}
	if l.err != nil {
		return l.err
	}
	bt := batch{state: st.State, snapshot: st.Snapshot, records: st.Records}
	if st.State != nil {
		bt.flags |= flagState
	}
	if st.Repaired && l.damaged {
		bt.flags |= flagRepaired
	}
	if st.Snapshot != nil {
		bt.flags |= flagSnapshot
		return l.compact(bt)
	}
	if err := l.appendBatch(bt); err != nil {
		return err
	}
	l.stats.Saves++
	return nil
}

// Repaired records that the core has caught up from its peers since a recovery that reported
// Damaged. Until it is called, every later recovery reports Damaged again, because a node
// that crashes before it has caught up still lacks what the damage took.
func (l *Log) Repaired() error {
	if l.err != nil {
		return l.err
	}
	if !l.damaged {
		return nil
	}
	return l.appendBatch(batch{flags: flagRepaired})
}

// Stats returns the counters.
func (l *Log) Stats() Stats { return l.stats }

// Close closes the file. Nothing is lost: every Save was synced before it returned.
func (l *Log) Close() error {
	if errors.Is(l.err, ErrClosed) {
		return nil
	}
	l.err = ErrClosed
	return l.file.Close()
}

// appendBatch writes bt as the next frame and syncs it, then applies the bytes written (so
// the log never holds slices its caller may reuse).
func (l *Log) appendBatch(bt batch) error {
	buf := appendFrame(make([]byte, 0, frameSize(bt)), l.salt, l.nextSeq, bt)
	if err := l.write(l.file, buf); err != nil {
		return l.fail(err)
	}
	if err := l.sync(l.file); err != nil {
		return l.fail(err)
	}
	l.nextSeq++
	l.apply(mustDecode(buf))
	return nil
}

// compact starts generation gen+1 with one frame holding everything the log keeps after bt,
// then removes generation gen. Each step is safe to crash after: until the rename is synced,
// recovery finds gen (and removes the unfinished file); after it, gen+1, which was synced
// before it got its name, and recovery removes gen if it is still there.
func (l *Log) compact(bt batch) error {
	if l.snapshot != nil && bt.snapshot.Index < l.snapshot.Index {
		panic(fmt.Sprintf("wal: snapshot at index %d saved after one at %d", bt.snapshot.Index, l.snapshot.Index))
	}
	next := l.contents
	next.apply(bt)
	oldFile, oldName := l.file, l.genPath(l.gen)
	if err := l.startGeneration(l.gen+1, &next); err != nil {
		return l.fail(err)
	}
	if err := oldFile.Close(); err != nil {
		l.logf("wal: closing %s: %v", oldName, err)
	}
	if err := l.fs.Remove(oldName); err != nil {
		l.logf("wal: removing %s: %v (recovery removes it)", oldName, err)
	}
	l.stats.Saves++
	l.stats.Compactions++
	return nil
}

// startGeneration writes generation gen holding c (nothing if c is nil) under a temporary
// name, syncs it, renames it into place and syncs the directory, then appends to it.
func (l *Log) startGeneration(gen uint64, c *contents) error {
	name := l.genPath(gen)
	tmp := name + tmpSuffix
	buf, salt := encodeFileHeader(gen, l.nodeID)
	start := len(buf)
	if c != nil {
		bt := c.base()
		buf = appendFrame(append(make([]byte, 0, start+frameSize(bt)), buf...), salt, 1, bt)
	}
	f, err := l.fs.Create(tmp)
	if err != nil {
		return err
	}
	if err := l.write(f, buf); err != nil {
		f.Close()
		return err
	}
	if err := l.sync(f); err != nil {
		f.Close()
		return err
	}
	if err := l.fs.Rename(tmp, name); err != nil {
		f.Close()
		return err
	}
	if err := l.syncDir(); err != nil {
		f.Close()
		return err
	}
	l.gen, l.salt, l.nextSeq, l.file = gen, salt, 1, f
	l.contents = contents{}
	if c != nil {
		l.nextSeq = 2
		// Hold the records as slices of the new frame, so the frames they came from can go.
		l.apply(mustDecode(buf[start:]))
	}
	return nil
}

// mustDecode decodes a frame this process has just encoded.
func mustDecode(fr []byte) batch {
	bt, err := decodeBatch(fr[frameHeaderLen : len(fr)-1])
	if err != nil {
		panic(fmt.Sprintf("wal: a frame just encoded does not decode: %v", err))
	}
	return bt
}

func (l *Log) write(f File, b []byte) error {
	n, err := f.Write(b)
	l.stats.Writes++
	l.stats.Bytes += uint64(n)
	if err == nil && n < len(b) {
		err = io.ErrShortWrite
	}
	return err
}

func (l *Log) sync(f File) error {
	l.stats.Syncs++
	return f.Sync()
}

func (l *Log) syncDir() error {
	l.stats.Syncs++
	return l.fs.SyncDir(l.dir)
}

// fail makes err sticky.
func (l *Log) fail(err error) error {
	l.err = fmt.Errorf("wal: %s, generation %d: %w (the log takes no more writes; restart to recover)", l.dir, l.gen, err)
	return l.err
}

// Names of the files in a node's directory.
const (
	genSuffix = ".wal"
	tmpSuffix = ".tmp"
)

// genName is the file name of a generation: fixed-width hex, so names sort by generation.
func genName(gen uint64) string { return fmt.Sprintf("%016x%s", gen, genSuffix) }

func (l *Log) genPath(gen uint64) string { return filepath.Join(l.dir, genName(gen)) }
