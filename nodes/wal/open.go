package wal

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// Errors Open returns. Damage on disk is never one of them: it is reported as
// Recovered.Damaged, because a node that exits on it would only be restarted onto it again.
var (
	// ErrNodeID is a node id that cannot name a directory.
	ErrNodeID = errors.New("wal: bad node id")
	// ErrVersion is a log file with an intact header of a format version this code does not
	// read: written by another build, so it is left alone rather than set aside.
	ErrVersion = errors.New("wal: unknown format version")
)

// Open reads the log that node nodeID keeps under dir/nodeID (creating the directory if
// needed) and returns it ready for Save, with what it holds: the last State, the last
// Snapshot, and the records with an index above the snapshot's, in save order.
//
// What Open does with what it finds:
//   - Nothing: a fresh log, Recovered empty.
//   - A torn tail (a last write that never completed): cut off, logged, not Damaged.
//   - A damaged frame (written whole, changed since) anywhere, or a file that is not this
//     node's log (bad header, another node's id, random bytes): logged, and Damaged. Records
//     and Snapshot are those of the intact frames before the first damaged one, which is a
//     state the log truly had; State is the newest intact one anywhere, since a later term,
//     vote or promise is always the safer one to keep. The damaged file is set aside (renamed
//     with a ".damaged" or ".foreign" suffix) after a new generation holding the recovered
//     contents and a damage mark has been synced, so Damaged outlives a crash during Open and
//     every later restart until Repaired.
//
// logf (nil for none) gets one line per event. An error means the file system failed (or
// nodeID or the format version is wrong); Open never panics on what it reads.
func Open(fsys FS, dir, nodeID string, logf func(format string, args ...any)) (*Log, consensus.Recovered, error) {
	if nodeID == "" || len(nodeID) > maxNodeID || nodeID == "." || nodeID == ".." ||
		strings.ContainsAny(nodeID, `/\`+"\x00") {
		return nil, consensus.Recovered{}, fmt.Errorf("%w: %q", ErrNodeID, nodeID)
	}
	if logf == nil {
		logf = func(string, ...any) {}
	}
	l := &Log{fs: fsys, dir: filepath.Join(dir, nodeID), nodeID: nodeID, logf: logf}
	if err := fsys.MkdirAll(l.dir); err != nil {
		return nil, consensus.Recovered{}, err
	}
	// The node's directory is a name in dir, durable only once dir is synced.
	l.stats.Syncs++
	if err := fsys.SyncDir(dir); err != nil {
		return nil, consensus.Recovered{}, err
	}
	if err := l.recover(); err != nil {
		return nil, consensus.Recovered{}, err
	}
	return l, l.contents.recovered(), nil
}

// setAside is a file that is not a sound log of this node, and the suffix it is renamed with.
type setAside struct{ name, suffix string }

// found is one generation file as recovery read it.
type found struct {
	gen  uint64
	name string
	data []byte
	head fileHeader
}

// recover reads the directory and leaves l appending to a sound generation.
func (l *Log) recover() error {
	names, err := l.fs.ReadDir(l.dir)
	if err != nil {
		return err
	}
	var gens []uint64
	for _, name := range names {
		if strings.HasSuffix(name, tmpSuffix) {
			// A generation that never got its name: the crash came before its rename.
			l.logf("wal: removing %s, left unfinished by a crash", name)
			if err := l.fs.Remove(filepath.Join(l.dir, name)); err != nil {
				return err
			}
		} else if gen, ok := parseGenName(name); ok {
			gens = append(gens, gen)
		}
	}
	slices.Sort(gens)
	slices.Reverse(gens)

	var bad []setAside
	var chosen *found
	for _, gen := range gens {
		f, suffix, err := l.readGeneration(gen)
		if err != nil {
			return err
		}
		if suffix != "" {
			bad = append(bad, setAside{f.name, suffix})
			continue
		}
		chosen = f
		break
	}
	if chosen == nil && len(bad) == 0 {
		l.logf("wal: %s: no log, starting empty", l.dir)
		return l.startGeneration(1, nil)
	}
	var r scanResult
	if chosen != nil {
		r = scanFrames(chosen.data, chosen.head)
		for _, bt := range r.frames {
			l.apply(bt)
		}
	}
	if len(bad) == 0 && len(r.damage) == 0 {
		return l.resume(chosen, r, gens)
	}
	for _, d := range r.damage {
		l.logf("wal: %s: %s; recovering as damaged", chosen.name, d)
	}
	if len(r.damage) > 0 {
		bad = append(bad, setAside{chosen.name, ".damaged"})
	}
	return l.replaceDamaged(r, gens, names, bad)
}

// readGeneration reads generation gen and checks its header. A non-empty suffix means the
// file is not this node's log and is to be set aside under its name plus suffix.
func (l *Log) readGeneration(gen uint64) (*found, string, error) {
	f := &found{gen: gen, name: genName(gen)}
	data, err := l.fs.ReadFile(filepath.Join(l.dir, f.name))
	if err != nil {
		return nil, "", err
	}
	f.data = data
	h, err := parseFileHeader(data)
	switch {
	case err != nil:
		l.logf("wal: %s: %v (%d bytes); setting it aside, recovering as damaged", f.name, err, len(data))
		return f, ".damaged", nil
	case h.version != formatVersion:
		return nil, "", fmt.Errorf("%w %d in %s (this build reads %d)", ErrVersion, h.version, filepath.Join(l.dir, f.name), formatVersion)
	case h.nodeID != l.nodeID:
		l.logf("wal: %s: the log of node %q, not %q; setting it aside, recovering as damaged", f.name, h.nodeID, l.nodeID)
		return f, ".foreign", nil
	case h.generation != gen:
		l.logf("wal: %s: header names generation %d; setting it aside, recovering as damaged", f.name, h.generation)
		return f, ".damaged", nil
	}
	f.head = h
	return f, "", nil
}

// resume goes on appending to the sound generation chosen: it cuts a torn tail, makes what was
// read durable (a killed process's last writes may still be only in the page cache, and the
// core is about to act on them), then removes older generations that a compaction left.
func (l *Log) resume(chosen *found, r scanResult, gens []uint64) error {
	path := filepath.Join(l.dir, chosen.name)
	f, err := l.fs.OpenAppend(path)
	if err != nil {
		return err
	}
	l.gen, l.salt, l.nextSeq, l.file = chosen.gen, chosen.head.salt, r.nextSeq, f
	if r.torn != "" {
		l.logf("wal: %s: cutting a torn tail: %s", chosen.name, r.torn)
		if err := f.Truncate(int64(r.end)); err != nil {
			return err
		}
	}
	if err := l.sync(f); err != nil {
		return err
	}
	if err := l.syncDir(); err != nil {
		return err
	}
	l.removeOlder(chosen.gen, gens, nil)
	if l.damaged {
		l.logf("wal: %s: marked damaged by an earlier recovery and not yet repaired", chosen.name)
	}
	return nil
}

// replaceDamaged starts a new generation with what was recovered and a damage mark, then sets
// the bad files aside and removes the rest. The order matters: until the new generation is
// durable, the damaged files must stay where a restart finds them again.
func (l *Log) replaceDamaged(r scanResult, gens []uint64, names []string, bad []setAside) error {
	for _, bt := range r.later {
		if bt.flags&flagState != 0 {
			l.state = bt.state
		}
	}
	l.damaged = true
	next := l.contents
	if err := l.startGeneration(gens[0]+1, &next); err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, n := range names {
		taken[n] = true
	}
	moved := map[string]bool{}
	for _, b := range bad {
		to := b.name + b.suffix
		for i := 1; taken[to]; i++ {
			to = b.name + b.suffix + "-" + strconv.Itoa(i)
		}
		taken[to] = true
		moved[b.name] = true
		if err := l.fs.Rename(filepath.Join(l.dir, b.name), filepath.Join(l.dir, to)); err != nil {
			return err
		}
		l.logf("wal: set %s aside as %s", b.name, to)
	}
	if err := l.syncDir(); err != nil {
		return err
	}
	l.removeOlder(l.gen, gens, moved)
	l.logf("wal: %s: recovered as damaged: %d records after snapshot %s; the node must catch up before it votes or acknowledges",
		genName(l.gen), len(l.records), describeSnapshot(l.snapshot))
	return nil
}

// removeOlder removes the generations below gen that are still named, which are superseded:
// a compaction that crashed before its own removal, or a sound file copied into a new one.
// A removal lost in a crash is done again by the next recovery.
func (l *Log) removeOlder(gen uint64, gens []uint64, moved map[string]bool) {
	for _, g := range gens {
		if g >= gen || moved[genName(g)] {
			continue
		}
		name := filepath.Join(l.dir, genName(g))
		if err := l.fs.Remove(name); err != nil {
			l.logf("wal: removing superseded %s: %v", name, err)
		}
	}
}

func describeSnapshot(s *consensus.Snapshot) string {
	if s == nil {
		return "none"
	}
	return strconv.FormatUint(s.Index, 10)
}

// parseGenName reads the generation out of a file name written by genName, and nothing else.
func parseGenName(name string) (uint64, bool) {
	hex, ok := strings.CutSuffix(name, genSuffix)
	if !ok || len(hex) != 16 {
		return 0, false
	}
	gen, err := strconv.ParseUint(hex, 16, 64)
	if err != nil || genName(gen) != name {
		return 0, false
	}
	return gen, true
}
