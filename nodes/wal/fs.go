package wal

import (
	"os"
)

// FS is the little of a file system the log needs. It is an interface so that the simulation
// can run the same log on [MemFS], which loses what a crash would lose, while a node binary
// runs it on [OSFS]. Paths are built with path/filepath; every rename stays in one directory.
type FS interface {
	// MkdirAll creates dir and its missing parents.
	MkdirAll(dir string) error
	// ReadDir lists the names (not paths) of the entries in dir, sorted.
	ReadDir(dir string) ([]string, error)
	// ReadFile returns the whole content of a file.
	ReadFile(name string) ([]byte, error)
	// Create makes a new, empty file for appending; it fails if name exists.
	Create(name string) (File, error)
	// OpenAppend opens an existing file for appending.
	OpenAppend(name string) (File, error)
	// Rename replaces newName by oldName, atomically, within one directory.
	Rename(oldName, newName string) error
	// Remove deletes a file.
	Remove(name string) error
	// SyncDir makes dir's entries (files created, renamed or removed in it) durable. Syncing a
	// file makes its content durable but not its name: a file created and synced in a
	// directory that was not synced can vanish in a crash.
	SyncDir(dir string) error
}

// File is a file open for appending.
type File interface {
	// Write appends p.
	Write(p []byte) (int, error)
	// Sync makes every byte written so far durable (fsync).
	Sync() error
	// Truncate cuts the file to size bytes; later writes append after them.
	Truncate(size int64) error
	// Close releases the file.
	Close() error
}

// OSFS is the operating system's file system. Sync is fsync(2), and SyncDir is fsync(2) on
// the directory, which is what makes a created or renamed name survive a power loss.
type OSFS struct{}

// MkdirAll creates dir and its missing parents.
func (OSFS) MkdirAll(dir string) error { return os.MkdirAll(dir, 0o755) }

// ReadDir lists the names in dir, sorted.
func (OSFS) ReadDir(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}

// ReadFile returns the content of a file.
func (OSFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

// Create makes a new file for appending, failing if it exists.
func (OSFS) Create(name string) (File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL|os.O_APPEND, 0o644)
}

// OpenAppend opens an existing file for appending.
func (OSFS) OpenAppend(name string) (File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_APPEND, 0)
}

// Rename renames a file.
func (OSFS) Rename(oldName, newName string) error { return os.Rename(oldName, newName) }

// Remove deletes a file.
func (OSFS) Remove(name string) error { return os.Remove(name) }

// SyncDir fsyncs a directory.
func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}
