package bench

import (
	"strings"

	"github.com/quorumkit/quorumkit/harness/internal/check"
)

// validity writes the section that says which runs were not valid, and why.
func (rp *report) validity() error {
	rp.heading("Correctness of the measured runs")
	bad := 0
	for _, r := range rp.runs {
		if r.Results.Valid != check.Valid {
			bad++
		}
	}
	rp.p("Every run is also checked for linearizability. %d of %d runs were valid.", len(rp.runs)-bad, len(rp.runs))
	if bad > 0 {
		rp.p("")
		rp.p("| run | section | binary | valid? | why |")
		rp.p("|---|---|---|---|---|")
		for _, r := range rp.runs {
			if r.Results.Valid != check.Valid {
				rp.p("| `%s` | %s | %s | %s | %s |", r.Dir, r.Section, r.Bin, r.Results.Valid, why(r))
			}
		}
		rp.p("")
		rp.p("A run whose only fault is an op kind with no `:ok` (Maelstrom's stats rule: a short run in")
		rp.p("which no cas succeeded, or a cluster that served nothing) is still measured; a linearizability")
		rp.p("failure would be a bug to fix before quoting anything.")
	}
	rp.p("")
	return nil
}

// why says which checker made a run not valid.
func why(r *Run) string {
	res := r.Results
	var out []string
	if res.Crash != nil {
		out = append(out, "crashed: "+res.Crash.Message)
	}
	if res.Workload.Valid != check.Valid {
		out = append(out, "linearizability: "+res.Workload.Valid.String())
	}
	if res.Stats.Valid != check.Valid {
		var none []string
		for _, f := range []string{"read", "write", "cas"} {
			if c := res.Stats.ByF[f]; c != nil && c.OKCount == 0 {
				none = append(none, f)
			}
		}
		out = append(out, "stats: no :ok "+strings.Join(none, ", "))
	}
	if len(out) == 0 {
		out = append(out, "see its results.json")
	}
	return strings.Join(out, "; ")
}
