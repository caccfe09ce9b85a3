package kvserver

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
	"github.com/quorumkit/quorumkit/nodes/nodelog"
	"github.com/quorumkit/quorumkit/nodes/wal"
)

// Storage keeps what a core asks to be durable. Save returns once the batch is on stable
// storage (written and synced): the server sends a Ready's messages only after its Stable is
// saved, because they may promise what only the disk keeps across a crash (a vote, an
// acknowledged append, an accepted value).
type Storage interface {
	Save(consensus.Stable) error
}

// OpenStorage opens the stable storage of the node named nodeID and reads back what it holds
// (nil if nothing was ever saved). An error means the storage cannot be used at all (the
// directory cannot be created, say); damaged contents are not an error but a Recovered with
// Damaged set, which the core handles.
type OpenStorage func(nodeID string, log *slog.Logger) (Storage, *consensus.Recovered, error)

// disk is the node's stable storage, if it has one, and what it last logged of it.
type disk struct {
	storage Storage // nil: memory-only
	// stats are the storage's counters as last logged, at logged.
	stats  wal.Stats
	logged time.Duration
}

// openStorage opens the node's storage at init, if it has one, and restores the replicated
// state (store and sessions) from the snapshot it holds; the core replays the rest.
func (s *Server[M]) openStorage(init nodes.Init) *consensus.Recovered {
	if s.cfg.Storage == nil {
		s.log.Info("no data directory: state is kept in memory only and lost if the process dies")
		return nil
	}
	st, rec, err := s.cfg.Storage(init.NodeID, s.log)
	if err != nil {
		// Without its storage the node could promise what it cannot keep; it must not run.
		s.fatal(fmt.Errorf("cannot open its storage: %w", err))
	}
	s.disk.storage = st
	if rec != nil && rec.Snapshot != nil {
		s.restore(rec.Snapshot)
	}
	if rec != nil {
		s.log.Info("recovered from storage", "snapshot", s.state.applied, "records", len(rec.Records), "damaged", rec.Damaged)
	}
	return rec
}

// save makes stable what the core asked, if the node has storage.
func (d *disk) save(st consensus.Stable) error {
	if d.storage == nil || st.Empty() {
		return nil
	}
	if err := d.storage.Save(st); err != nil {
		return fmt.Errorf("cannot save its state: %w", err)
	}
	return nil
}

// LogStorage keeps each node's state in a durable log (nodes/wal) under dir/<node-id>/ on
// fsys: the real file system for -data-dir, a simulated disk in simulations.
func LogStorage(fsys wal.FS, dir string) OpenStorage {
	return func(nodeID string, log *slog.Logger) (Storage, *consensus.Recovered, error) {
		l, rec, err := wal.Open(fsys, dir, nodeID, func(format string, args ...any) {
			log.Info(fmt.Sprintf(format, args...))
		})
		if err != nil {
			return nil, nil, err
		}
		if rec.State == nil && rec.Snapshot == nil && len(rec.Records) == 0 && !rec.Damaged {
			return l, nil, nil // a first start
		}
		return l, &rec, nil
	}
}

// storageLogEvery is how often a node logs what its storage did, when it did anything.
const storageLogEvery = 5 * time.Second

// logStats logs the storage's counters (saves, fsyncs, bytes) every storageLogEvery if they
// moved, so that a run's node logs say how many fsyncs its operations cost.
func (d *disk) logStats(now time.Duration, log *slog.Logger) {
	l, ok := d.storage.(*wal.Log)
	if !ok || now-d.logged < storageLogEvery {
		return
	}
	d.logged = now
	if st := l.Stats(); st != d.stats {
		d.stats = st
		log.Info(nodelog.Storage, "saves", st.Saves, nodelog.Syncs, st.Syncs, "bytes", st.Bytes, "compactions", st.Compactions)
	}
}
