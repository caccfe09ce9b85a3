package wal

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// frameStatus is what readFrame found at an offset.
type frameStatus int

const (
	frameOK      frameStatus = iota
	frameEnd                 // the file ends cleanly here
	frameTorn                // a write that never completed: nothing here was ever synced
	frameCorrupt             // bytes that were written whole and have changed since
)

// frame is one frame as read back.
type frame struct {
	seq   uint64
	batch batch
	// size is the frame's length in bytes, or 0 when its header is unreadable.
	size int
}

// readFrame reads the frame at off of a file with the given salt. zeroFrom is where the run
// of zero bytes that ends the file begins (len(data) if the last byte is not zero).
//
// A write cut short by a crash leaves a prefix of what was written, or (on file systems that
// extend a file before its data reaches the disk) zero bytes where the data should be. Both
// are torn: the file ends inside the frame, or the frame's trailer, which is never zero, lies
// in the zero tail. A frame that is all there, with a trailer that is not zero, and that still
// fails its checksum cannot be a cut-short write: it was written whole and damaged after, so
// it is corrupt, even when it is the last one. Its checksum does not say whether it had been
// synced (and acknowledged), and treating it as torn would silently drop what may have been.
func readFrame(data []byte, off int, salt uint32, zeroFrom int) (frame, frameStatus, string) {
	rest := len(data) - off
	switch {
	case rest == 0:
		return frame{}, frameEnd, ""
	case zeroFrom <= off:
		return frame{}, frameTorn, fmt.Sprintf("%d zero bytes", rest)
	case rest < frameHeaderLen:
		return frame{}, frameTorn, fmt.Sprintf("a frame header cut at %d of %d bytes", rest, frameHeaderLen)
	}
	h := data[off : off+frameHeaderLen]
	if binary.LittleEndian.Uint32(h[16:]) != frameHeaderCRC(salt, h) {
		if zeroFrom < off+frameHeaderLen {
			return frame{}, frameTorn, "a frame header that ends in zero bytes"
		}
		return frame{}, frameCorrupt, "frame header checksum mismatch"
	}
	n := int(binary.LittleEndian.Uint32(h[0:]))
	f := frame{seq: binary.LittleEndian.Uint64(h[4:]), size: frameOverhead + n}
	if n > MaxBatch {
		return frame{}, frameCorrupt, fmt.Sprintf("frame length %d over the limit", n)
	}
	if f.size > rest {
		return f, frameTorn, fmt.Sprintf("a frame cut at %d of %d bytes", rest, f.size)
	}
	payload := data[off+frameHeaderLen : off+frameHeaderLen+n]
	if data[off+f.size-1] != frameTrailer ||
		crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(h[12:]) {
		if zeroFrom < off+f.size {
			return f, frameTorn, "a frame that ends in zero bytes"
		}
		return f, frameCorrupt, "frame checksum mismatch"
	}
	bt, err := decodeBatch(payload)
	if err != nil {
		return f, frameCorrupt, err.Error()
	}
	f.batch = bt
	return f, frameOK, ""
}

// scanResult is what one log file holds.
type scanResult struct {
	// frames are the intact frames before the first damaged one, in order.
	frames []batch
	// end is the offset just after frames; nextSeq is the sequence number of a frame there.
	end     int
	nextSeq uint64
	// torn, when set, says what the tail from end was: a write that never completed.
	torn string
	// damage says where and why frames were found damaged; none means the file is sound.
	damage []string
	// later are the intact frames found after the first damaged one.
	later []batch
}

// scanFrames reads every frame after the file header h.
func scanFrames(data []byte, h fileHeader) scanResult {
	zeroFrom := len(data)
	for zeroFrom > 0 && data[zeroFrom-1] == 0 {
		zeroFrom--
	}
	r := scanResult{end: h.size, nextSeq: 1}
	for {
		f, st, why := readFrame(data, r.end, h.salt, zeroFrom)
		switch {
		case st == frameEnd:
			return r
		case st == frameTorn:
			r.torn = fmt.Sprintf("%s at offset %d (%d bytes)", why, r.end, len(data)-r.end)
			return r
		case st == frameOK && f.seq != r.nextSeq:
			why = fmt.Sprintf("frame numbered %d where %d belongs", f.seq, r.nextSeq)
		case st == frameOK:
			r.frames = append(r.frames, f.batch)
			r.end += f.size
			r.nextSeq++
			continue
		}
		r.damage = append(r.damage, fmt.Sprintf("frame %d at offset %d: %s", r.nextSeq, r.end, why))
		r.later = scanAfter(data, r.end, f.size, r.nextSeq-1, h.salt, zeroFrom)
		return r
	}
}

// scanAfter finds the intact frames after a damaged one at off, of the given size (0 if its
// header is unreadable): it resumes after it when its size is known, and otherwise tries every
// offset. A frame found there counts only if its number is above every one before it; its
// checksum, seeded with this file's salt, makes a false find as unlikely as a CRC collision.
func scanAfter(data []byte, off, size int, lastSeq uint64, salt uint32, zeroFrom int) []batch {
	var later []batch
	pos := off + 1
	if size > 0 {
		pos = off + size
	}
	for pos < len(data) {
		f, st, _ := readFrame(data, pos, salt, zeroFrom)
		if st == frameOK && f.seq > lastSeq {
			later = append(later, f.batch)
			lastSeq = f.seq
			pos += f.size
			continue
		}
		if st == frameEnd || st == frameTorn && zeroFrom <= pos {
			break
		}
		pos++
	}
	return later
}
