package wal

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
)

// MemFS is a file system in memory that loses, in a crash, what a real one may lose: the
// simulation gives each node one, so that many nodes crash and recover in one process, in
// virtual time, without touching the disk. Every choice a crash makes comes from the
// *rand.Rand it was built with, so a seed replays it.
//
// The model:
//   - A file's bytes become durable when the file is synced. Crash keeps each file's synced
//     bytes and, half the time, a random prefix of what was written after them (a torn write).
//   - A name (create, rename, remove) becomes durable when its directory is synced. Crash
//     keeps a random prefix of each directory's unsynced name changes, in order, as a
//     journaling file system does.
//   - Truncate and MkdirAll are durable at once (the log syncs right after the one and never
//     needs the other undone).
//   - Corrupt flips one bit of one synced byte: the damage a disk does on its own.
//
// Handles opened before a crash fail afterwards, as the process that held them is gone.
type MemFS struct {
	mu    sync.Mutex
	rng   *rand.Rand
	epoch int
	dirs  map[string]bool
	// live is the namespace as the running process sees it; durable is what a crash keeps
	// of it, before the pending changes of each directory are replayed onto it.
	live    map[string]*memFile
	durable map[string]*memFile
	pending map[string][]nameChange
	stats   MemStats
}

// MemStats counts the calls a MemFS served.
type MemStats struct {
	Writes, Syncs, DirSyncs, Renames, Crashes uint64
	BytesWritten                              uint64
}

type memFile struct {
	data   []byte
	synced int
}

// nameChange is one create, rename (to != "") or remove (file == nil, to == "").
type nameChange struct {
	name, to string
	file     *memFile
}

func (c nameChange) applyTo(ns map[string]*memFile) {
	switch {
	case c.file != nil:
		ns[c.name] = c.file
	case c.to != "":
		ns[c.to] = ns[c.name]
		delete(ns, c.name)
	default:
		delete(ns, c.name)
	}
}

// ErrStaleHandle is returned by a file handle opened before the last crash.
var ErrStaleHandle = errors.New("memfs: file handle from before a crash")

// NewMemFS returns an empty MemFS whose crashes draw from rng.
func NewMemFS(rng *rand.Rand) *MemFS {
	return &MemFS{
		rng:     rng,
		dirs:    map[string]bool{},
		live:    map[string]*memFile{},
		durable: map[string]*memFile{},
		pending: map[string][]nameChange{},
	}
}

// Stats returns the counters.
func (m *MemFS) Stats() MemStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stats
}

// MkdirAll creates dir and its parents.
func (m *MemFS) MkdirAll(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for d := filepath.Clean(dir); !m.dirs[d]; d = filepath.Dir(d) {
		if _, ok := m.live[d]; ok {
			return &fs.PathError{Op: "mkdir", Path: d, Err: fs.ErrExist}
		}
		m.dirs[d] = true
	}
	return nil
}

// ReadDir lists the names in dir, sorted.
func (m *MemFS) ReadDir(dir string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir = filepath.Clean(dir)
	if !m.dirs[dir] {
		return nil, &fs.PathError{Op: "readdir", Path: dir, Err: fs.ErrNotExist}
	}
	var names []string
	for p := range m.live {
		if filepath.Dir(p) == dir {
			names = append(names, filepath.Base(p))
		}
	}
	slices.Sort(names)
	return names, nil
}

// ReadFile returns a copy of a file's content.
func (m *MemFS) ReadFile(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.live[filepath.Clean(name)]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return slices.Clone(f.data), nil
}

// Create makes a new empty file; it fails if name exists or its directory does not.
func (m *MemFS) Create(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	name = filepath.Clean(name)
	if _, ok := m.live[name]; ok || m.dirs[name] {
		return nil, &fs.PathError{Op: "create", Path: name, Err: fs.ErrExist}
	}
	if !m.dirs[filepath.Dir(name)] {
		return nil, &fs.PathError{Op: "create", Path: name, Err: fs.ErrNotExist}
	}
	f := &memFile{}
	m.change(nameChange{name: name, file: f})
	return &memHandle{m: m, f: f, epoch: m.epoch}, nil
}

// OpenAppend opens an existing file.
func (m *MemFS) OpenAppend(name string) (File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.live[filepath.Clean(name)]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memHandle{m: m, f: f, epoch: m.epoch}, nil
}

// Rename moves a file to a new name in the same directory, replacing what was there.
func (m *MemFS) Rename(oldName, newName string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	oldName, newName = filepath.Clean(oldName), filepath.Clean(newName)
	if _, ok := m.live[oldName]; !ok {
		return &fs.PathError{Op: "rename", Path: oldName, Err: fs.ErrNotExist}
	}
	if filepath.Dir(oldName) != filepath.Dir(newName) {
		return &fs.PathError{Op: "rename", Path: newName, Err: errors.New("memfs: rename across directories")}
	}
	m.stats.Renames++
	if oldName == newName {
		return nil // a rename onto itself changes nothing, as in POSIX
	}
	m.change(nameChange{name: oldName, to: newName})
	return nil
}

// Remove deletes a file.
func (m *MemFS) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	name = filepath.Clean(name)
	if _, ok := m.live[name]; !ok {
		return &fs.PathError{Op: "remove", Path: name, Err: fs.ErrNotExist}
	}
	m.change(nameChange{name: name})
	return nil
}

// SyncDir makes every name change in dir durable.
func (m *MemFS) SyncDir(dir string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir = filepath.Clean(dir)
	if !m.dirs[dir] {
		return &fs.PathError{Op: "sync", Path: dir, Err: fs.ErrNotExist}
	}
	m.stats.DirSyncs++
	for _, c := range m.pending[dir] {
		c.applyTo(m.durable)
	}
	delete(m.pending, dir)
	return nil
}

// change applies a name change to the live namespace and queues it for the durable one.
func (m *MemFS) change(c nameChange) {
	c.applyTo(m.live)
	dir := filepath.Dir(c.name)
	m.pending[dir] = append(m.pending[dir], c)
}

// Crash loses what a crash of the machine may lose (see [MemFS]) and invalidates every open
// handle. It returns a line saying what it did, for the simulation's trace.
func (m *MemFS) Crash() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.stats.Crashes++
	m.epoch++
	kept, lost := 0, 0
	for _, dir := range slices.Sorted(maps.Keys(m.pending)) {
		changes := m.pending[dir]
		n := m.rng.IntN(len(changes) + 1)
		for _, c := range changes[:n] {
			c.applyTo(m.durable)
		}
		kept += n
		lost += len(changes) - n
	}
	clear(m.pending)
	m.live = maps.Clone(m.durable)
	torn, dropped := 0, 0
	for _, name := range slices.Sorted(maps.Keys(m.live)) {
		f := m.live[name]
		unsynced := len(f.data) - f.synced
		if unsynced == 0 {
			continue
		}
		cut := f.synced
		if m.rng.IntN(2) == 0 {
			cut += m.rng.IntN(unsynced + 1)
		}
		torn += cut - f.synced
		dropped += len(f.data) - cut
		f.data = f.data[:cut:cut]
		f.synced = cut
	}
	return fmt.Sprintf("crash: kept %d and lost %d unsynced name changes; kept %d and lost %d unsynced bytes",
		kept, lost, torn, dropped)
}

// Corrupt flips one bit of one synced byte, chosen at random among all files' synced bytes,
// and says where; false if no file has a synced byte.
func (m *MemFS) Corrupt() (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	total := 0
	names := slices.Sorted(maps.Keys(m.live))
	for _, name := range names {
		total += m.live[name].synced
	}
	if total == 0 {
		return "", false
	}
	at := m.rng.IntN(total)
	for _, name := range names {
		f := m.live[name]
		if at >= f.synced {
			at -= f.synced
			continue
		}
		bit := m.rng.IntN(8)
		f.data[at] ^= 1 << bit
		return fmt.Sprintf("corrupt: flipped bit %d of byte %d of %s", bit, at, name), true
	}
	panic("memfs: corrupt ran past the synced bytes it counted")
}

// memHandle is an open file of a MemFS.
type memHandle struct {
	m      *MemFS
	f      *memFile
	epoch  int
	closed bool
}

func (h *memHandle) check() error {
	switch {
	case h.closed:
		return fs.ErrClosed
	case h.epoch != h.m.epoch:
		return ErrStaleHandle
	}
	return nil
}

// Write appends p.
func (h *memHandle) Write(p []byte) (int, error) {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	if err := h.check(); err != nil {
		return 0, err
	}
	h.f.data = append(h.f.data, p...)
	h.m.stats.Writes++
	h.m.stats.BytesWritten += uint64(len(p))
	return len(p), nil
}

// Sync makes the file's bytes durable.
func (h *memHandle) Sync() error {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	if err := h.check(); err != nil {
		return err
	}
	h.m.stats.Syncs++
	h.f.synced = len(h.f.data)
	return nil
}

// Truncate cuts the file to size bytes.
func (h *memHandle) Truncate(size int64) error {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	if err := h.check(); err != nil {
		return err
	}
	if size < 0 || size > int64(len(h.f.data)) {
		return errors.New("memfs: truncate beyond the end")
	}
	h.f.data = h.f.data[:size]
	h.f.synced = min(h.f.synced, int(size))
	return nil
}

// Close releases the handle.
func (h *memHandle) Close() error {
	h.m.mu.Lock()
	defer h.m.mu.Unlock()
	if h.closed {
		return fs.ErrClosed
	}
	h.closed = true
	return nil
}
