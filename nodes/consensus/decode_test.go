package consensus

import (
	"encoding/binary"
	"errors"
	"testing"
)

// A decoder reads what binary.AppendUvarint and append wrote, and after the first error it
// returns zeros and keeps that error, so a decoding function checks once at the end.
func TestDecoderReadsFieldsAndKeepsTheFirstError(t *testing.T) {
	b := binary.AppendUvarint([]byte{7}, 300)
	b = append(b, "abc"...)
	d := NewDecoder(b)
	if got := d.Byte(); got != 7 {
		t.Fatalf("Byte = %d, want 7", got)
	}
	if got := d.Uvarint(); got != 300 {
		t.Fatalf("Uvarint = %d, want 300", got)
	}
	ab := d.Bytes(2)
	if string(ab) != "ab" || cap(ab) != 2 || d.Len() != 1 {
		t.Fatalf("Bytes(2) = %q cap %d, %d left; want \"ab\" cap 2, 1 left", ab, cap(ab), d.Len())
	}
	if got := d.Bytes(2); got != nil || d.Err() == nil {
		t.Fatalf("Bytes past the end = %q, err %v; want nil and an error", got, d.Err())
	}
	first := d.Err()
	d.Fail(errors.New("later"))
	if d.Uvarint() != 0 || d.Byte() != 0 || d.Rest() != nil || d.Err() != first {
		t.Fatalf("after an error: reads must return zeros and the first error stay, got %v", d.Err())
	}
	if d := NewDecoder([]byte{0x80}); d.Uvarint() != 0 || d.Err() == nil {
		t.Fatal("a varint cut short must be an error")
	}
}
