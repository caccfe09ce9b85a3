package wal

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// typicalBatch is one loop turn of a busy leader: a State and 8 records of 100 bytes.
func typicalBatch(i int) consensus.Stable {
	st := consensus.Stable{State: fmt.Appendf(nil, "term=%d vote=n1", i/1000+1)}
	for j := range 8 {
		st.Records = append(st.Records, consensus.Record{Index: uint64(i*8 + j + 1), Data: bytes.Repeat([]byte{'v'}, 100)})
	}
	return st
}

// onBothFS runs bench on a fresh log on each file system: the OS one, in a temporary
// directory on the disk the tests run on, and a MemFS. bench gets the file system and the
// directory too, to reopen the log.
func onBothFS(b *testing.B, bench func(b *testing.B, fsys FS, dir string, l *Log)) {
	for _, kind := range []string{"os", "mem"} {
		b.Run(kind, func(b *testing.B) {
			var fsys FS = newMem(1)
			dir := testDir
			if kind == "os" {
				fsys, dir = OSFS{}, b.TempDir()
			}
			l, _, err := Open(fsys, dir, "n1", nil)
			require.NoError(b, err)
			bench(b, fsys, dir, l)
		})
	}
}

// BenchmarkSave measures Save of a typical batch: on the OS file system that is this
// machine's write plus fsync latency; on MemFS it is the log's own cost. Every 1,000 batches
// the log is compacted, untimed, as a server that snapshots would, so the log does not grow
// without bound.
func BenchmarkSave(b *testing.B) {
	onBothFS(b, func(b *testing.B, _ FS, _ string, l *Log) {
		start := l.Stats()
		b.ResetTimer()
		var compacted Stats
		for i := range b.N {
			if err := l.Save(typicalBatch(i)); err != nil {
				b.Fatal(err)
			}
			if i%1000 == 999 {
				b.StopTimer()
				before := l.Stats()
				snap := &consensus.Snapshot{Index: uint64(i * 8), Data: []byte("snapshot")}
				require.NoError(b, l.Save(consensus.Stable{Snapshot: snap}))
				after := l.Stats()
				compacted.Bytes += after.Bytes - before.Bytes
				compacted.Syncs += after.Syncs - before.Syncs
				b.StartTimer()
			}
		}
		b.StopTimer()
		s := l.Stats()
		b.SetBytes(int64(s.Bytes-start.Bytes-compacted.Bytes) / int64(b.N))
		b.ReportMetric(float64(s.Syncs-start.Syncs-compacted.Syncs)/float64(b.N), "fsyncs/op")
		require.NoError(b, l.Close())
	})
}

// BenchmarkFsync is the floor under BenchmarkSave/os: a bare 1 KB append and fsync.
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "f"))
	require.NoError(b, err)
	defer f.Close()
	buf := make([]byte, 1024)
	b.ResetTimer()
	for range b.N {
		if _, err := f.Write(buf); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen measures recovery of a log of 10,000 records of 100 bytes (1,250 batches),
// checksums included; on the OS it includes the two fsyncs Open makes.
func BenchmarkOpen(b *testing.B) {
	onBothFS(b, func(b *testing.B, fsys FS, dir string, l *Log) {
		for i := range 1250 {
			require.NoError(b, l.Save(typicalBatch(i)))
		}
		require.NoError(b, l.Close())
		b.ResetTimer()
		for range b.N {
			l, rec, err := Open(fsys, dir, "n1", nil)
			if err != nil || len(rec.Records) != 10000 || rec.Damaged {
				b.Fatalf("recovered %d records, damaged %v: %v", len(rec.Records), rec.Damaged, err)
			}
			l.Close()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/record")
	})
}

// BenchmarkCompact measures a Save that carries a 64 KB snapshot and keeps 100 records above
// it: a new generation, written, synced, renamed, the directory synced.
func BenchmarkCompact(b *testing.B) {
	onBothFS(b, func(b *testing.B, _ FS, _ string, l *Log) {
		snap := bytes.Repeat([]byte{'s'}, 64<<10)
		b.ResetTimer()
		for i := range b.N {
			b.StopTimer()
			base := uint64(i) * 1000
			for j := range 13 { // 104 records above the snapshot's index
				st := typicalBatch(0)
				for k := range st.Records {
					st.Records[k].Index = base + uint64(j*8+k) + 1
				}
				require.NoError(b, l.Save(st))
			}
			b.StartTimer()
			if err := l.Save(consensus.Stable{Snapshot: &consensus.Snapshot{Index: base + 4, Data: snap}}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
