package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
)

// treeFile is one tracked file as the working tree holds it.
type treeFile struct {
	path string // relative to the repository root
	mode fs.FileMode
	data []byte // the content, or the target of a symlink
}

// snapshotTree reads the tracked files of the working tree at root, uncommitted changes
// included, once: every mutant starts from the same tree even if files change during the run.
// A tracked file deleted from the working tree is left out, as it is from the build.
func snapshotTree(root string) ([]treeFile, error) {
	cmd := exec.Command("git", "ls-files", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git ls-files: %w", err)
	}
	var files []treeFile
	for _, name := range bytes.Split(bytes.TrimSuffix(out, []byte{0}), []byte{0}) {
		path := string(name)
		full := filepath.Join(root, path)
		info, err := os.Lstat(full)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		f := treeFile{path: path, mode: info.Mode()}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(full)
			if err != nil {
				return nil, err
			}
			f.data = []byte(target)
		case info.Mode().IsRegular():
			if f.data, err = os.ReadFile(full); err != nil {
				return nil, err
			}
		default:
			continue // a submodule or other special entry: nothing to build
		}
		files = append(files, f)
	}
	return files, nil
}

// writeTree makes dir a fresh copy of files.
func writeTree(dir string, files []treeFile) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	for _, f := range files {
		full := filepath.Join(dir, f.path)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		var err error
		if f.mode&fs.ModeSymlink != 0 {
			err = os.Symlink(string(f.data), full)
		} else {
			err = os.WriteFile(full, f.data, f.mode.Perm())
		}
		if err != nil {
			return err
		}
	}
	return nil
}
