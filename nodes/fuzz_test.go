package nodes_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes"
)

// seeds are the bad inputs the runtime must survive, plus some good ones to mutate.
var seeds = []string{
	`not json at all`,
	`{"src":"c5","dest":"n0"}`,
	`{"src":"c5","dest":"n0","body":[1,2]}`,
	`{"src":"c5","dest":"n0","body":null}`,
	``,
	`{"src":"c5","dest":"n0","body":{"type":"write","key":0,"msg_id":2}}`,
	`{"src":"c5","dest":"n0","body":{"type":"cas","key":0,"to":1,"msg_id":3}}`,
	`{"src":"c5","dest":"n0","body":{"type":"cas","key":{"a":[1,{"b":null}]},"from":1,"to":2,"msg_id":3}}`,
	`{"src":"c5","dest":"n0","body":{"type":"read","key":{"a":,"msg_id":4}}`,
	`{"src":"c5","dest":"n0","body":{"type":"txn","msg_id":6}}`,
	`{"src":"c5","dest":"n0","body":{"type":5,"msg_id":6}}`,
	`{"src":"c5","dest":"n0","body":{"type":"read","key":1,"msg_id":-6}}`,
	`{"src":"c5","dest":"n0","body":{"type":"write_ok","in_reply_to":77}}`,
	`{"src":"c\u0035","dest":"n0","body":{"type":"write","key":"\u00e9\n","value":1e400,"msg_id":8}}`,
	`{"src":"c5","dest":"n0","body":{"type":"read","key":0,"msg_id":7}}`,
	`{"src":"n1","dest":"n0","body":{"type":"forward","client":"c5","hops":1,"req":{"type":"read","key":0,"msg_id":9}}}`,
	`{"src":"n1","dest":"n0","body":{"type":"solo","m":{}}}`,
	`{"id":3,"src":"c5","dest":"n0","body":{"type":"write","key":0,"value":[1,"x",{"y":true}],"msg_id":10}}`,
	initLine,
}

// FuzzRuntime feeds arbitrary lines to the one-node kv server through the runtime: it must not
// panic, must not stop early, and must print only whole, valid messages.
func FuzzRuntime(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add(strings.Join(seeds, "\n"))
	f.Fuzz(func(t *testing.T, input string) {
		var stdout bytes.Buffer
		in := initLine + "\n" + input + "\n" + `{"src":"c99","dest":"n0","body":{"type":"write","key":"end","value":1,"msg_id":1}}` + "\n"
		err := nodes.Run(soloServer(), nodes.Config{Stdin: strings.NewReader(in), Stdout: &stdout, Stderr: io.Discard, Seed: 1})
		require.NoError(t, err)
		out := decodeOutput(t, stdout.Bytes())
		answered := false
		for _, o := range out {
			answered = answered || (o.Dest == "c99" && o.Body["type"] == "write_ok")
		}
		require.True(t, answered, "the node still answers after the fuzzed lines")
	})
}

// FuzzParseObject checks the hand scanner against encoding/json: it accepts exactly the JSON
// objects, and returns the same members.
func FuzzParseObject(f *testing.F) {
	for _, s := range seeds {
		f.Add(s)
	}
	for _, s := range []string{`{}`, ` {"a" : 1 } `, `{"a":"\ud800"}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`,
		`{"a":1e+}`, `{"a":"\x"}`, `{"a":tru}`, `{"a":[}`, `{"a":1,}`, `{"a" 1}`, `{"a":1}x`, "{\"a\":\"\t\"}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		b := []byte(input)
		fields, err := nodes.ParseObject(b)
		var want map[string]json.RawMessage
		jerr := json.Unmarshal(b, &want)
		isObject := jerr == nil && want != nil
		require.Equal(t, isObject, err == nil, "ParseObject(%q) = %v, encoding/json says %v", input, err, jerr)
		require.Equal(t, json.Valid(b), nodes.ValidValue(b), "ValidValue(%q)", input)
		if err != nil || !utf8.ValidString(input) {
			return // encoding/json rewrites invalid UTF-8 in names; the scanner keeps the bytes
		}
		got := map[string]json.RawMessage{}
		for _, fld := range fields {
			got[fld.Name] = fld.Value
		}
		require.Len(t, got, len(want))
		for k, v := range want {
			require.Equal(t, string(v), string(fields.Get(k)), "member %q", k)
		}
	})
}
