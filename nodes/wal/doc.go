// Package wal is the durable log a node keeps under DIR/<node-id>/: what a consensus core
// asks to keep across a crash ([consensus.Stable]: its hard state, its log records, its
// snapshots), written so that a restart reads back exactly what was synced, tells a torn last
// write from damage, and never answers with bytes it did not save.
//
// # Use
//
// [Open] reads what the directory holds and returns a [Log] and a [consensus.Recovered]:
// the last State, the last Snapshot, and every saved record whose index is above the
// snapshot's, in the order they were saved. [Log.Save] writes one Stable with one write and
// one fsync, so a server that calls it once per loop turn, before sending that turn's
// messages, commits everything the turn produced as one group. [Log.Repaired] ends the damage
// mark once the core has caught up. [OSFS] is the real file system; [MemFS] is the
// simulation's disk, which loses in a crash what a real one may lose.
//
// # Format
//
// The directory holds one generation file, NNNNNNNNNNNNNNNN.wal (the generation in 16 hex
// digits). It starts with a header: magic, format version, generation, node id, and a
// CRC-32C of all of it, which also serves as the file's salt. Then come frames, one per
// Save:
//
//	length u32 | seq u64 | payload CRC-32C u32 | header CRC-32C u32 | payload | 0xA5
//
// The header CRC covers the salt, the length, the sequence number and the payload CRC, so a
// frame is valid only in the file and at the position it was written: a frame copied from
// another node's file or another generation, repeated, or moved, fails its check (etcd's log
// gets the same from a CRC that rolls over all earlier records). Frames are numbered 1, 2, 3...
// within a generation. The payload is a flags byte, then the State, the Snapshot (index and
// data) and the records (index and data), each present as its flags say; byte strings keep
// nil apart from empty. The trailer byte is never zero, which is what lets a zero-filled tail
// be told from a damaged frame (below).
//
// A Save with a Snapshot starts generation g+1: its one frame holds the snapshot, the last
// State and the records above the snapshot's index (the records a Raft log holds past its
// applied index, or the accepted values of Paxos above the snapshot: few). It is written
// under a temporary name, synced, renamed into place, and the directory synced; then
// generation g is removed. A crash before the directory sync leaves g (and recovery removes
// the temporary file), a crash after it leaves g+1 (and recovery removes g if it survived),
// so recovery finds either the old state or the new one, never a mix. The cost of a
// compaction is bounded by what it keeps, not by the log's history.
//
// # Recovery: a torn tail is not damage
//
// The distinction is the one the protocol-aware recovery paper (Alagappan et al., FAST 2018)
// draws for consensus storage: a crash can only leave the last write incomplete, and that
// write was never synced, so never acknowledged, and can be dropped; a record that was
// written whole and has changed since may have been synced and acknowledged, and dropping it
// silently can lose a vote or an acknowledged write. Recovery here classifies frames so:
//
//   - Torn: the file ends inside the frame, or the bytes from somewhere in the frame (its
//     trailer included) to the end of the file are zero (a file system that extended the file
//     before its data reached the disk; etcd's decoder treats zero-filled space the same way).
//     A prefix of a write can produce nothing else. Recovery cuts the file there and logs it.
//   - Damaged: a frame that is all there and fails its checksum, a frame out of sequence, a
//     bad file header, another node's id, random bytes. Then [consensus.Recovered.Damaged] is
//     set, even if the damaged frame is the last one: a bit flip in a synced frame looks the
//     same wherever it is. (A power loss that lands a write's later sectors but not an
//     earlier one also reads as damage: safe, and it costs the node a catch-up.) Recovered
//     then holds the records and snapshot of the intact frames before the first damaged one
//     (a state the log truly had, where records after a hole could be replayed wrongly) and
//     the newest intact State found anywhere in the file (a later term or promise is the
//     safer one to keep). The core must not vote, promise or acknowledge as if it had the
//     lost state until it has caught up from its peers.
//
// A damaged recovery writes the recovered contents and a damage mark into a new generation,
// syncs it, and only then renames the bad file aside (suffix .damaged, or .foreign for another
// node's log), so the mark outlives a crash during Open and every restart after it, until the
// core calls [Log.Repaired]. The storage detects damage; repairing the lost entries from the
// cluster is the core's part, which is where protocol-aware recovery does its work.
//
// # Guarantees and their limits
//
//   - Save returns after its bytes are synced; a later recovery returns them, unless they
//     are damaged, which it then reports.
//   - Recovery returns the effect of a prefix of the Saves, each whole (a frame is a Save),
//     plus, when Damaged, a newer State.
//   - After a failed write or fsync the log refuses every later Save: what reached the disk is
//     unknown (a failed fsync may have dropped dirty pages that a retry would report clean),
//     so the node must exit and recover.
//   - Open syncs the file and the directory it recovered before returning, because a killed
//     process's last writes may sit in the page cache, unsynced, while the core acts on them.
//   - A Snapshot at index s drops the records at or below s and keeps those above it, in save
//     order, without interpreting them. A core whose records supersede earlier-saved ones
//     (Raft: a record for index i replaces every record from i on) loses, with a dropped record
//     at or below s, its power to erase stale records above s: a follower that held an old
//     leader's entries 7-9, was truncated at 5 by a new leader's 5' and 6', and then saves a
//     snapshot at 6, would get 7-9 back on its next recovery (and their term can be above the
//     snapshot's). So such a core must save, in every batch that carries a Snapshot at s, a
//     record at s+1: its entry there (followed by the rest of its log above s), or, if its log
//     ends at s, a marker that means "no entries from here on".
//   - A node whose whole directory is lost starts empty and undamaged: the log cannot tell
//     that from a first start.
package wal
