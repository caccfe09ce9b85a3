package kv

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCanonical pins the canonical text of each kind of value.
func TestCanonical(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"integer", "3", "3"},
		{"negative integer", "-7", "-7"},
		{"negative zero integer", "-0", "0"},
		{"big integer exact", "123456789012345678901234567890", "123456789012345678901234567890"},
		{"float", "3.0", "3.0"},
		{"float with trailing zeros", "3.00", "3.0"},
		{"float with an exponent", "30e-1", "3.0"},
		{"large float", "1e21", "1e+21"},
		{"float beyond the double range", "1e400", "Infinity"},
		{"negative zero float", "-0.0", "0.0"},
		{"string", `"3"`, `"3"`},
		{"null", "null", "null"},
		{"literals", " true ", "true"},
		{"whitespace around", "  5 \n", "5"},
		{"string escapes decoded", `"\u0061b\/"`, `"ab/"`},
		{"quotes and backslashes stay escaped", `"\"\\"`, `"\"\\"`},
		{"control characters escaped one way", `"\n\u000a"`, `"\u000a\u000a"`},
		{"html chars not escaped", `"<&>"`, `"<&>"`},
		{"surrogate pair joined", `"\ud83d\ude00"`, `"😀"`},
		{"lone surrogate kept", `"\ud83dx"`, `"\ud83dx"`},
		{"invalid UTF-8 reads as U+FFFD", "\"\xff\"", `"` + "\uFFFD" + `"`},
		{"object keys sorted", `{"b": 1, "a": [1, 2.0]}`, `{"a":[1,2.0],"b":1}`},
		{"last duplicate name wins", `{"a": 1, "a": 2}`, `{"a":2}`},
		{"empty containers", `[ {} , [ ] ]`, `[{},[]]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Canonical(raw(tc.in))
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	for _, bad := range []string{"", "  ", "{", "01", "-", "1.", "1e", ".5", "3 4", `"a`, "nul", "[1,]",
		`{"a"}`, `{1:2}`, `"\x"`, `"\u12"`, "\"\x01\"", "[1 2]", "+1"} {
		_, err := Canonical(raw(bad))
		require.ErrorIs(t, err, ErrBadJSON, "input %q", bad)
	}
}

// TestEqualIsClojures is the one value equality's table: Clojure's = over JSON as Maelstrom's
// Jackson reader parses it (integers as long or BigInteger, other numbers as double).
func TestEqualIsClojures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a, b  string
		equal bool
	}{
		{"a float's spellings are one double", "3.0", "3.00", true},
		{"exponent spelling", "3.0", "0.3e1", true},
		{"integers differ from floats", "3", "3.0", false},
		{"inside arrays too", "[3]", "[3.0]", false},
		{"big integers exact", "9007199254740993", "9007199254740992", false},
		{"big integer equals itself", "123456789012345678901234567890", "123456789012345678901234567890", true},
		{"floats are doubles", "9007199254740993.0", "9007199254740992.0", true},
		{"-0 as an integer is 0", "-0", "0", true},
		{"-0.0 = 0.0", "-0.0", "0.0", true},
		{"object member order is irrelevant", `{"a":1,"b":[1,2]}`, `{"b":[1,2],"a":1}`, true},
		{"nested member order too", `[{"x":{"p":1,"q":2}}]`, `[{"x":{"q":2,"p":1}}]`, true},
		{"array order matters", "[1,2]", "[2,1]", false},
		{"an escape is its character", `"\u0041"`, `"A"`, true},
		{"escaped names are their characters", `{"\u0041":1}`, `{"A":1}`, true},
		{"a pair escape is its character", `"\ud83d\ude00"`, `"😀"`, true},
		{"lone surrogates differ", `"\ud800"`, `"\udc00"`, false},
		{"a lone surrogate is not U+FFFD", `"\ud800"`, `"\ufffd"`, false},
		{"strings differ from numbers", `"3"`, "3", false},
		{"null is only null", "null", `"null"`, false},
		{"nested floats", `{"a":[1.50]}`, `{"a":[1.5]}`, true},
		{"whitespace is insignificant", " [ 1 , { \"a\" : null } ] ", `[1,{"a":null}]`, true},
		{"not JSON equals nothing", "{", "{", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.equal, equal(raw(tc.a), raw(tc.b)), "%s = %s", tc.a, tc.b)
			require.Equal(t, tc.equal, equal(raw(tc.b), raw(tc.a)), "symmetric")
		})
	}
}

func BenchmarkCanonicalInteger(b *testing.B) {
	for b.Loop() {
		_, _ = Canonical(raw("12345"))
	}
}

// equal reports whether a and b are equal under Clojure's = (see [Canonical]); text that is
// not JSON equals nothing. The code compares canonical forms directly; the tests state
// equality through it.
func equal(a, b json.RawMessage) bool {
	ca, errA := Canonical(a)
	cb, errB := Canonical(b)
	return errA == nil && errB == nil && ca == cb
}
