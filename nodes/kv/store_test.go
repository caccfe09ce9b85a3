package kv

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func TestReadWriteCAS(t *testing.T) {
	s := New()
	_, err := s.Read(raw("0"))
	require.ErrorIs(t, err, ErrKeyNotFound)

	require.ErrorIs(t, s.CAS(raw("0"), raw("1"), raw("2")), ErrKeyNotFound, "cas on a missing key")

	require.NoError(t, s.Write(raw("0"), raw("3")))
	v, err := s.Read(raw("0"))
	require.NoError(t, err)
	require.Equal(t, "3", string(v))

	require.NoError(t, s.Write(raw("1"), raw("3.0")))
	require.NoError(t, s.CAS(raw("1"), raw("3.00"), raw("5")), "3.00 is the double 3.0")

	err = s.CAS(raw("0"), raw("3.0"), raw("4"))
	require.ErrorIs(t, err, ErrPreconditionFailed, "3.0 is not 3")
	require.Contains(t, err.Error(), "current value 3 is not 3.0")
	require.ErrorIs(t, s.CAS(raw("0"), raw(`"3"`), raw("4")), ErrPreconditionFailed, `"3" is not 3`)

	require.NoError(t, s.CAS(raw("0"), raw(" 3 "), raw("4")))
	v, _ = s.Read(raw("0"))
	require.Equal(t, "4", string(v))

	require.NoError(t, s.CAS(raw("0"), raw("4"), raw("4")), "from == to is a legal cas")
}

// TestCASComparesValuesNotSpellings: two spellings of one value compare equal (doc.go), so a
// cas whose from is the current value written with other key order, escapes or spacing
// succeeds, as it does for Maelstrom's checker.
func TestCASComparesValuesNotSpellings(t *testing.T) {
	s := New()
	require.NoError(t, s.Write(raw("0"), raw(`{"a":1,"b":"A"}`)))
	require.NoError(t, s.CAS(raw("0"), raw(`{ "b": "\u0041", "a": 1 }`), raw(`[1]`)))
	v, err := s.Read(raw("0"))
	require.NoError(t, err)
	require.Equal(t, "[1]", string(v))
}

func TestKeysAreDistinctByJSONValue(t *testing.T) {
	s := New()
	require.NoError(t, s.Write(raw("3"), raw(`"int"`)))
	require.NoError(t, s.Write(raw("3.0"), raw(`"float"`)))
	require.NoError(t, s.Write(raw(`"3"`), raw(`"string"`)))
	require.NoError(t, s.Write(raw(`{"b":1,"a":2}`), raw(`"object"`)))
	require.NoError(t, s.Write(raw("0"), raw(`"zero"`)))
	require.Equal(t, 5, s.Len())
	for key, want := range map[string]string{
		"3": `"int"`, "-0": `"zero"`, "3.0": `"float"`, "3.00": `"float"`, "30e-1": `"float"`,
		`"3"`: `"string"`, `"\u0033"`: `"string"`, `{"a":2, "b":1}`: `"object"`,
	} {
		v, err := s.Read(raw(key))
		require.NoError(t, err, key)
		require.Equal(t, want, string(v), key)
	}
}

func TestValuesKeptExactly(t *testing.T) {
	s := New()
	for _, v := range []string{"9007199254740993", "1e400", "null", `{"x": [1, 2.50]}`, `"é\u00e9"`, "-0"} {
		require.NoError(t, s.Write(raw(`"k"`), raw(v)))
		got, err := s.Read(raw(`"k"`))
		require.NoError(t, err)
		want := compact(raw(v))
		require.Equal(t, string(want), string(got))
	}
}

func TestApply(t *testing.T) {
	s := New()
	require.NoError(t, s.Apply(Command{Op: OpWrite, Key: raw("1"), Value: raw("2")}).Err)
	res := s.Apply(Command{Op: OpRead, Key: raw("1")})
	require.NoError(t, res.Err)
	require.Equal(t, "2", string(res.Value))
	require.ErrorIs(t, s.Apply(Command{Op: OpCAS, Key: raw("1"), From: raw("0"), To: raw("3")}).Err, ErrPreconditionFailed)
	require.ErrorIs(t, s.Apply(Command{Op: "append", Key: raw("1")}).Err, ErrBadCommand)
	require.ErrorIs(t, s.Apply(Command{Op: OpRead, Key: raw("{")}).Err, ErrBadJSON)
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cmd  Command
		ok   bool
	}{
		{"read", Command{Op: OpRead, Key: raw("0")}, true},
		{"read without key", Command{Op: OpRead}, false},
		{"write", Command{Op: OpWrite, Key: raw("0"), Value: raw("null")}, true},
		{"write without value", Command{Op: OpWrite, Key: raw("0")}, false},
		{"cas", Command{Op: OpCAS, Key: raw("0"), From: raw("1"), To: raw("2")}, true},
		{"cas without from", Command{Op: OpCAS, Key: raw("0"), To: raw("2")}, false},
		{"cas without to", Command{Op: OpCAS, Key: raw("0"), From: raw("2")}, false},
		{"bad json key", Command{Op: OpRead, Key: raw("[1")}, false},
		{"unknown op", Command{Op: "delete", Key: raw("0")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cmd.Validate()
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, ErrBadCommand)
			}
		})
	}
}

func TestSnapshotRestore(t *testing.T) {
	a, b := New(), New()
	cmds := []Command{
		{Op: OpWrite, Key: raw("2"), Value: raw("9007199254740993")},
		{Op: OpWrite, Key: raw(`"x"`), Value: raw(`{"z":1,"a":null}`)},
		{Op: OpWrite, Key: raw("1"), Value: raw("1")},
		{Op: OpCAS, Key: raw("1"), From: raw("1"), To: raw("3.0")},
	}
	for _, c := range cmds {
		require.NoError(t, a.Apply(c).Err)
	}
	// Same commands in another order of independent keys give the same bytes.
	for _, i := range []int{2, 3, 1, 0} {
		require.NoError(t, b.Apply(cmds[i]).Err)
	}
	require.Equal(t, string(a.Snapshot()), string(b.Snapshot()))

	c := New()
	require.NoError(t, c.Write(raw(`"stale"`), raw("1")))
	require.NoError(t, c.Restore(a.Snapshot()))
	require.Equal(t, string(a.Snapshot()), string(c.Snapshot()))
	_, err := c.Read(raw(`"stale"`))
	require.ErrorIs(t, err, ErrKeyNotFound, "restore replaces, not merges")
	v, err := c.Read(raw("2"))
	require.NoError(t, err)
	require.Equal(t, "9007199254740993", string(v))

	require.Error(t, c.Restore([]byte("not json")))
	require.Equal(t, string(a.Snapshot()), string(c.Snapshot()), "a failed restore changes nothing")
}
