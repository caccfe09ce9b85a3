package consensus

import (
	"encoding/binary"
	"errors"
)

// errShort is what a Decoder reports when the bytes end early or a varint is malformed.
var errShort = errors.New("truncated encoding")

// Decoder reads the unsigned varints and byte strings that durable encodings are made of: the
// cores' hard states and records, and the storage's batches. Past the first error it returns
// zeros, so that a decoding function reads every field and looks at Err once.
type Decoder struct {
	b   []byte
	err error
}

// NewDecoder reads b. What it returns aliases b.
func NewDecoder(b []byte) *Decoder { return &Decoder{b: b} }

// Byte reads one byte.
func (d *Decoder) Byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.Fail(errShort)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

// Uvarint reads one unsigned varint.
func (d *Decoder) Uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, k := binary.Uvarint(d.b)
	if k <= 0 {
		d.Fail(errShort)
		return 0
	}
	d.b = d.b[k:]
	return v
}

// Bytes reads the next n bytes; the slice's capacity ends with them, so an append to it
// cannot overwrite what follows.
func (d *Decoder) Bytes(n uint64) []byte {
	if d.err != nil || n > uint64(len(d.b)) {
		d.Fail(errShort)
		return nil
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	return v
}

// Rest reads every byte left.
func (d *Decoder) Rest() []byte { return d.Bytes(uint64(d.Len())) }

// Len is how many bytes are left unread.
func (d *Decoder) Len() int { return len(d.b) }

// Fail records err as the decoder's error unless it has one already, for a decoding function
// that finds a field it reads well-formed but not valid.
func (d *Decoder) Fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// Err is the first error met, nil if none.
func (d *Decoder) Err() error { return d.err }
