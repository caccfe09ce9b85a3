package kv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
)

// Errors of the operations, which the server maps to Maelstrom codes 20 and 22.
var (
	ErrKeyNotFound        = errors.New("kv: key does not exist")
	ErrPreconditionFailed = errors.New("kv: precondition failed")
	ErrBadJSON            = errors.New("kv: not a JSON value")
)

// cell is one key's current value: its canonical form for comparison and its compacted text
// as the client sent it, for replies.
type cell struct {
	key   json.RawMessage
	canon string
	value json.RawMessage
}

// Store is the key-value map. The zero value is not usable; call [New].
type Store struct {
	cells map[string]cell // by canonical key
}

// New returns an empty store.
func New() *Store { return &Store{cells: make(map[string]cell)} }

// Len returns the number of keys.
func (s *Store) Len() int { return len(s.cells) }

// Read returns the value of key, or ErrKeyNotFound.
func (s *Store) Read(key json.RawMessage) (json.RawMessage, error) {
	k, err := Canonical(key)
	if err != nil {
		return nil, err
	}
	c, ok := s.cells[k]
	if !ok {
		return nil, ErrKeyNotFound
	}
	return c.value, nil
}

// Write sets key to value, creating it if needed.
func (s *Store) Write(key, value json.RawMessage) error {
	var c [2]string // the canonical key and value
	if err := canonical(c[:], key, value); err != nil {
		return err
	}
	s.cells[c[0]] = cell{key: compact(key), canon: c[1], value: compact(value)}
	return nil
}

// CAS sets key to to if its value is from. It fails with ErrKeyNotFound when the key is missing
// and with ErrPreconditionFailed when the value differs; nothing changes then.
func (s *Store) CAS(key, from, to json.RawMessage) error {
	var c [3]string // the canonical key, from and to
	if err := canonical(c[:], key, from, to); err != nil {
		return err
	}
	cur, ok := s.cells[c[0]]
	if !ok {
		return ErrKeyNotFound
	}
	if cur.canon != c[1] {
		return fmt.Errorf("%w: current value %s is not %s", ErrPreconditionFailed, cur.value, compact(from))
	}
	s.cells[c[0]] = cell{key: cur.key, canon: c[2], value: compact(to)}
	return nil
}

// canonical puts the canonical form of each of raws in dst, in order, or returns the first
// one's error. The caller's dst (an array, not a slice it makes) keeps the hot path free of
// allocations.
func canonical(dst []string, raws ...json.RawMessage) error {
	for i, raw := range raws {
		c, err := Canonical(raw)
		if err != nil {
			return err
		}
		dst[i] = c
	}
	return nil
}

// compact returns a copy of raw without insignificant whitespace.
func compact(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) > 0 && raw[0] != '{' && raw[0] != '[' && raw[0] != '"' {
		return append(json.RawMessage(nil), raw...) // a scalar has no inner whitespace
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return append(json.RawMessage(nil), raw...)
	}
	return buf.Bytes()
}

// pair is one key in a snapshot.
type pair struct {
	K json.RawMessage `json:"k"`
	V json.RawMessage `json:"v"`
}

// Snapshot encodes the whole store, keys sorted, so equal stores give equal bytes.
func (s *Store) Snapshot() []byte {
	keys := make([]string, 0, len(s.cells))
	for k := range s.cells {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]pair, len(keys))
	for i, k := range keys {
		pairs[i] = pair{K: s.cells[k].key, V: s.cells[k].value}
	}
	b, err := json.Marshal(pairs)
	if err != nil {
		panic(fmt.Sprintf("kv: snapshot of valid JSON failed: %v", err)) // every cell was validated
	}
	return b
}

// Restore replaces the store's contents with a snapshot's.
func (s *Store) Restore(snapshot []byte) error {
	var pairs []pair
	if err := json.Unmarshal(snapshot, &pairs); err != nil {
		return fmt.Errorf("kv: restore: %w", err)
	}
	fresh := New()
	for _, p := range pairs {
		if err := fresh.Write(p.K, p.V); err != nil {
			return fmt.Errorf("kv: restore: %w", err)
		}
	}
	s.cells = fresh.cells
	return nil
}
