package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const samplePatch = `raft: the leader commits entries of earlier terms by counting replicas
Free notes: reverts nothing.

diff --git a/raftnode/raft/replication.go b/raftnode/raft/replication.go
index 1111111..2222222 100644
--- a/raftnode/raft/replication.go
+++ b/raftnode/raft/replication.go
@@ -1 +1 @@
-	if idx > n.log.committed && n.log.mustTerm(idx) == n.term {
+	if idx > n.log.committed {
`

func TestParsePatch(t *testing.T) {
	m, err := parsePatch("raft-commit-old-term", []byte(samplePatch))
	require.NoError(t, err)
	require.Equal(t, "raft: the leader commits entries of earlier terms by counting replicas", m.desc)
	require.Equal(t, []string{"raftnode/raft/replication.go"}, m.files)

	for name, text := range map[string]string{
		"no description": "\ndiff --git a/x.go b/x.go\n",
		"diff first":     "diff --git a/x.go b/x.go\n",
		"no diff":        "a description and nothing else\n",
		"a test file":    "desc\n\ndiff --git a/raftnode/raft/raft_test.go b/raftnode/raft/raft_test.go\n",
		"not go":         "desc\n\ndiff --git a/README.md b/README.md\n",
	} {
		_, err := parsePatch("m", []byte(text))
		require.Error(t, err, name)
	}
}

func TestSelectMutants(t *testing.T) {
	all := []mutant{{name: "a"}, {name: "b"}, {name: "c"}}
	got, err := selectMutants(all, "")
	require.NoError(t, err)
	require.Equal(t, all, got)
	got, err = selectMutants(all, " c, a ")
	require.NoError(t, err)
	require.Equal(t, []mutant{{name: "a"}, {name: "c"}}, got, "catalog order, whatever the filter's")
	_, err = selectMutants(all, "a,typo")
	require.ErrorContains(t, err, "no such mutant: typo")
}

func TestParseFailure(t *testing.T) {
	for _, tc := range []struct {
		name, out string
		want      failure
	}{{
		name: "t.Fatalf in a subtest of a subtest",
		out: "--- FAIL: TestSimulation (63.20s)\n" +
			"    --- FAIL: TestSimulation/3-nodes (0.00s)\n" +
			"        --- FAIL: TestSimulation/3-nodes/seeds-1-32 (12.00s)\n" +
			"            sweep.go:27: seed 5: history is Illegal\n" +
			"        --- FAIL: TestSimulation/3-nodes/seeds-33-64 (12.00s)\n" +
			"            sweep.go:27: seed 40: history is Illegal\n" +
			"--- FAIL: TestOneWayRing (1.00s)\n" +
			"    sim.go:10: seed 1: history is Illegal\n" +
			"FAIL\nFAIL\tgithub.com/x/raftnode\t64.0s\nFAIL\n",
		want: failure{test: "TestSimulation/3-nodes/seeds-1-32", reason: "sweep.go:27: seed 5: history is Illegal"},
	}, {
		name: "testify",
		out: "--- FAIL: TestNoCommitByCountingOldTerm (0.00s)\n" +
			"    raft_test.go:212: \n" +
			"        \tError Trace:\t/tmp/w0/raftnode/raft/raft_test.go:212\n" +
			"        \tError:      \tNot equal: \n" +
			"        \t            \texpected: 0x0\n" +
			"        \tTest:       \tTestNoCommitByCountingOldTerm\n" +
			"        \tMessages:   \tterm-2 entry is not committed by counting\n" +
			"FAIL\n",
		want: failure{test: "TestNoCommitByCountingOldTerm", reason: "raft_test.go:212: term-2 entry is not committed by counting"},
	}, {
		name: "testify, not equal",
		out: "--- FAIL: TestCheckQuorum (0.00s)\n" +
			"    raft_test.go:256: \n" +
			"        \tError Trace:\t/tmp/w0/raftnode/raft/raft_test.go:256\n" +
			"        \tError:      \tNot equal: \n" +
			"        \t            \texpected: 0x0\n" +
			"        \t            \tactual  : 0x3\n" +
			"        \tTest:       \tTestCheckQuorum\n" +
			"FAIL\n",
		want: failure{test: "TestCheckQuorum", reason: "raft_test.go:256: Not equal: expected: 0x0 actual  : 0x3"},
	}, {
		name: "testify without a message",
		out: "--- FAIL: TestX (0.00s)\n    x_test.go:9: \n        \tError Trace:\tx_test.go:9\n        \tError:      \tShould be true\n" +
			"    x_test.go:10: \n        \tError:      \tShould be false\n        \tMessages:   \tsecond\nFAIL\n",
		want: failure{test: "TestX", reason: "x_test.go:9: Should be true"},
	}, {
		name: "timeout",
		out:  "panic: test timed out after 10m0s\n\trunning tests:\n\t\tTestSimulation (10m0s)\n\ngoroutine 1 [running]:\n",
		want: failure{test: "TestSimulation", reason: "test timed out after 10m0s"},
	}, {
		name: "build failure",
		out:  "# github.com/x/raft\nraft/raft.go:10:2: undefined: foo\nFAIL\tgithub.com/x/raft [build failed]\nFAIL\n",
		want: failure{build: true, reason: "raft/raft.go:10:2: undefined: foo"},
	}, {
		name: "a crash outside any test",
		out:  "fatal error: concurrent map writes\n\ngoroutine 7 [running]:\n",
		want: failure{reason: "fatal error: concurrent map writes"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, parseFailure(tc.out))
		})
	}
}

// TestTestOrder: the mutated package first, then its importers nearest first; a package whose
// tests import a judge's package is a judge, but its own importers are not (harness/net
// imports nodes, whose tests import kvserver).
func TestTestOrder(t *testing.T) {
	const m = "example.com/m/"
	list := ""
	for _, p := range []string{
		`{"ImportPath":"example.com/m/kv","Dir":"/r/kv","TestGoFiles":["a_test.go"]}`,
		`{"ImportPath":"example.com/m/kvserver","Dir":"/r/kvserver","Imports":["example.com/m/kv","example.com/m/nodes"],"TestGoFiles":["a_test.go"]}`,
		`{"ImportPath":"example.com/m/nodes","Dir":"/r/nodes","XTestImports":["example.com/m/kvserver"],"XTestGoFiles":["a_test.go"]}`,
		`{"ImportPath":"example.com/m/net","Dir":"/r/net","Imports":["example.com/m/nodes"],"TestGoFiles":["a_test.go"]}`,
		`{"ImportPath":"example.com/m/raftnode","Dir":"/r/raftnode","Imports":["example.com/m/kvserver"],"TestImports":["example.com/m/sim"],"TestGoFiles":["a_test.go"]}`,
		`{"ImportPath":"example.com/m/solonode","Dir":"/r/solonode","Imports":["example.com/m/kvserver"]}`,
		`{"ImportPath":"example.com/m/sim","Dir":"/r/sim","TestImports":["example.com/m/kvserver"],"TestGoFiles":["a_test.go"]}`,
	} {
		list += p + "\n"
	}
	g, err := parseGraph("/r", []byte(list))
	require.NoError(t, err)
	order := g.testOrder([]string{m + "kv"})
	require.Equal(t, []string{m + "kv", m + "kvserver", m + "nodes", m + "raftnode", m + "sim"}, order,
		"solonode has no tests; net links only nodes's code")
	require.Equal(t, []string{m + "nodes", m + "kvserver", m + "net", m + "raftnode", m + "sim"}, g.testOrder([]string{m + "nodes"}))

	p, err := g.packageOf("kvserver/server.go")
	require.NoError(t, err)
	require.Equal(t, m+"kvserver", p)
	require.Equal(t, "kvserver", g.rel(p))
	_, err = g.packageOf("docs/x.go")
	require.Error(t, err)
}

func TestCatalogTable(t *testing.T) {
	all := []mutant{{name: "a", desc: "x | y", files: []string{"f.go"}}}
	readme := "intro\n" + tableBegin + "\nold\n" + tableEnd + "\nafter\n"
	got, err := withTable(readme, catalogTable(all))
	require.NoError(t, err)
	require.Contains(t, got, "| `a` | x \\| y | f.go |")
	require.True(t, strings.HasPrefix(got, "intro\n") && strings.HasSuffix(got, "\nafter\n"))
	again, err := withTable(got, catalogTable(all))
	require.NoError(t, err)
	require.Equal(t, got, again)
	_, err = withTable("no markers", catalogTable(all))
	require.Error(t, err)
}
