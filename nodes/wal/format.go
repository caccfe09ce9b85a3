package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// The layout of a log file (all integers little-endian):
//
//	file header:  magic [8] | version u16 | generation u64 | id length u16 | node id | crc u32
//	frame:        length u32 | seq u64 | payload crc u32 | header crc u32 | payload | 0xA5
//
// One frame holds one batch (one Save). Its header crc covers the file's salt (the file
// header's crc) and the first 16 bytes of the frame header, so a frame is valid only in the
// file, at the sequence number, where it was written.
const (
	magic          = "\x89QKWAL\r\n"
	formatVersion  = 1
	fileHeaderMin  = len(magic) + 2 + 8 + 2 + 4 // with an empty node id
	maxNodeID      = 255
	frameHeaderLen = 4 + 8 + 4 + 4
	frameTrailer   = 0xA5
	frameOverhead  = frameHeaderLen + 1

	// MaxBatch is the largest encoded batch a frame may hold. A limit keeps a damaged length
	// from ever asking for more than this, and it is far above any batch this project makes.
	MaxBatch = 1 << 30
)

// castagnoli is the CRC-32C table: the checksum that disks, iSCSI and etcd's log use, with
// hardware support on amd64 and arm64.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileHeader is what starts every log file.
type fileHeader struct {
	version    uint16
	generation uint64
	nodeID     string
	// salt is the header's crc; every frame's checksum starts from it.
	salt uint32
	// size is the header's length in bytes.
	size int
}

// encodeFileHeader returns the header of generation gen of nodeID's log, and its salt.
func encodeFileHeader(gen uint64, nodeID string) ([]byte, uint32) {
	if len(nodeID) > maxNodeID {
		panic(fmt.Sprintf("wal: node id of %d bytes", len(nodeID)))
	}
	b := make([]byte, 0, fileHeaderMin+len(nodeID))
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint16(b, formatVersion)
	b = binary.LittleEndian.AppendUint64(b, gen)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(nodeID)))
	b = append(b, nodeID...)
	salt := crc32.Checksum(b, castagnoli)
	return binary.LittleEndian.AppendUint32(b, salt), salt
}

// Reasons a file header is refused.
var (
	errShortHeader = errors.New("shorter than a file header")
	errMagic       = errors.New("not a log file (wrong magic)")
	errHeaderCRC   = errors.New("file header checksum mismatch")
)

// parseFileHeader reads the header at the start of data. Its checksum is checked before any
// field is believed, so that a version or node id is only ever reported as read.
func parseFileHeader(data []byte) (fileHeader, error) {
	if len(data) < fileHeaderMin {
		return fileHeader{}, errShortHeader
	}
	if string(data[:len(magic)]) != magic {
		return fileHeader{}, errMagic
	}
	idLen := int(binary.LittleEndian.Uint16(data[len(magic)+10:]))
	size := fileHeaderMin + idLen
	if idLen > maxNodeID || len(data) < size {
		return fileHeader{}, errShortHeader
	}
	salt := crc32.Checksum(data[:size-4], castagnoli)
	if binary.LittleEndian.Uint32(data[size-4:]) != salt {
		return fileHeader{}, errHeaderCRC
	}
	return fileHeader{
		version:    binary.LittleEndian.Uint16(data[len(magic):]),
		generation: binary.LittleEndian.Uint64(data[len(magic)+2:]),
		nodeID:     string(data[len(magic)+12 : size-4]),
		salt:       salt,
		size:       size,
	}, nil
}

// Flags of a batch.
const (
	flagState    = 1 << iota // the batch carries a State
	flagSnapshot             // the batch carries a Snapshot
	flagDamaged              // recovery found damage; the mark lasts until Repaired
	flagRepaired             // the core caught up; clears flagDamaged
	knownFlags   = flagState | flagSnapshot | flagDamaged | flagRepaired
)

// batch is the content of one frame.
type batch struct {
	flags    byte
	state    []byte
	snapshot *consensus.Snapshot
	records  []consensus.Record
}

// frameSize is an upper bound of the size of bt's frame, to allocate it once.
func frameSize(bt batch) int {
	n := frameOverhead + 1 + 2*binary.MaxVarintLen64 + len(bt.state)
	if bt.snapshot != nil {
		n += 2*binary.MaxVarintLen64 + len(bt.snapshot.Data)
	}
	for _, r := range bt.records {
		n += 2*binary.MaxVarintLen64 + len(r.Data)
	}
	return n
}

// appendFrame appends to b the frame holding bt at sequence number seq of the file with salt.
func appendFrame(b []byte, salt uint32, seq uint64, bt batch) []byte {
	start := len(b)
	b = append(b, make([]byte, frameHeaderLen)...)
	b = append(b, bt.flags)
	if bt.flags&flagState != 0 {
		b = appendBytes(b, bt.state)
	}
	if bt.flags&flagSnapshot != 0 {
		b = binary.AppendUvarint(b, bt.snapshot.Index)
		b = appendBytes(b, bt.snapshot.Data)
	}
	b = binary.AppendUvarint(b, uint64(len(bt.records)))
	for _, r := range bt.records {
		b = binary.AppendUvarint(b, r.Index)
		b = appendBytes(b, r.Data)
	}
	n := len(b) - start - frameHeaderLen
	if n > MaxBatch {
		panic(fmt.Sprintf("wal: batch of %d bytes is over MaxBatch", n))
	}
	h := b[start : start+frameHeaderLen]
	binary.LittleEndian.PutUint32(h[0:], uint32(n))
	binary.LittleEndian.PutUint64(h[4:], seq)
	binary.LittleEndian.PutUint32(h[12:], crc32.Checksum(b[start+frameHeaderLen:], castagnoli))
	binary.LittleEndian.PutUint32(h[16:], frameHeaderCRC(salt, h))
	return append(b, frameTrailer)
}

// frameHeaderCRC is the checksum of a frame header's first 16 bytes, seeded with the salt.
func frameHeaderCRC(salt uint32, h []byte) uint32 {
	var s [4]byte
	binary.LittleEndian.PutUint32(s[:], salt)
	return crc32.Update(crc32.Checksum(s[:], castagnoli), castagnoli, h[:16])
}

// appendBytes writes a byte string that keeps nil apart from empty: 0 is nil, n+1 is n bytes.
func appendBytes(b, data []byte) []byte {
	if data == nil {
		return append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(data))+1)
	return append(b, data...)
}

// errPayload is a payload whose checksum matched but whose content does not parse: not
// something this package writes, so it is treated as damage.
var errPayload = errors.New("malformed batch")

// decodeBatch parses a payload. The slices it returns alias p.
func decodeBatch(p []byte) (batch, error) {
	d := consensus.NewDecoder(p)
	var bt batch
	bt.flags = d.Byte()
	if bt.flags&^knownFlags != 0 {
		return batch{}, errPayload
	}
	if bt.flags&flagState != 0 {
		bt.state = lenPrefixed(d)
	}
	if bt.flags&flagSnapshot != 0 {
		bt.snapshot = &consensus.Snapshot{Index: d.Uvarint()}
		bt.snapshot.Data = lenPrefixed(d)
	}
	n := d.Uvarint()
	if n > uint64(len(p)) { // every record takes at least two bytes
		return batch{}, errPayload
	}
	bt.records = make([]consensus.Record, 0, n)
	for range n {
		r := consensus.Record{Index: d.Uvarint()}
		r.Data = lenPrefixed(d)
		bt.records = append(bt.records, r)
	}
	if d.Err() != nil || d.Len() != 0 {
		return batch{}, errPayload
	}
	return bt, nil
}

// lenPrefixed reads a byte string written with its length plus one in front, so that 0
// stands for nil.
func lenPrefixed(d *consensus.Decoder) []byte {
	n := d.Uvarint()
	if n == 0 {
		return nil
	}
	return d.Bytes(n - 1)
}
