package check

import (
	"encoding/json"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// MaxUnwitnessedOps caps the offending ops listed in a WitnessResult.
const MaxUnwitnessedOps = 100

// UnwitnessedOp is an :ok write or cas whose reply had no quorum behind it.
type UnwitnessedOp struct {
	// Index, Process and F are the completion's, as in the history.
	Index   int    `json:"index"`
	Process int    `json:"process"`
	F       string `json:"f"`
	// Value is the op's [key value], as in the history.
	Value json.RawMessage `json:"value"`
	// Node sent the reply; Arrival is where the request arrived ("" when the
	// request was never delivered).
	Node    string `json:"node"`
	Arrival string `json:"arrival"`
	// Witnesses are the nodes with an event after the arrival and before the
	// reply; Quorum is how many were needed.
	Witnesses []string `json:"witnesses"`
	Quorum    int      `json:"quorum"`
}

// WitnessResult is the quorum-witness section: every :ok write or cas must
// have been answered by a node that had, causally before its reply, events
// at a majority of the nodes (itself included) that causally follow the
// request's arrival. A node that acknowledges earlier can lose the write
// to a partition that happens to strike in the gap, which a short
// linearizability check rarely sees.
type WitnessResult struct {
	// Valid is false when any op was unwitnessed, unknown when some :ok
	// write or cas carries no verdict, and true otherwise.
	Valid Validity `json:"valid?"`
	// Checked counts the :ok writes and cas's with a verdict; Unwitnessed
	// those whose verdict was negative.
	Checked     int `json:"checked"`
	Unwitnessed int `json:"unwitnessed"`
	// Ops lists the first MaxUnwitnessedOps unwitnessed ops, in history
	// order.
	Ops []*UnwitnessedOp `json:"ops"`
}

// QuorumWitness checks the verdicts attached to the :ok writes and cas's of
// ops.
func QuorumWitness(ops []history.Op) *WitnessResult {
	r := &WitnessResult{Ops: []*UnwitnessedOp{}}
	unjudged := 0
	for i := range ops {
		op := &ops[i]
		if !op.IsClient() || op.Type != history.OK || (op.F != "write" && op.F != "cas") {
			continue
		}
		v := op.Witness
		if v == nil {
			unjudged++
			continue
		}
		r.Checked++
		if v.Witnessed {
			continue
		}
		r.Unwitnessed++
		if len(r.Ops) < MaxUnwitnessedOps {
			r.Ops = append(r.Ops, &UnwitnessedOp{
				Index: op.Index, Process: op.Process, F: op.F, Value: op.ValueJSON(),
				Node: v.Node, Arrival: v.Arrival, Witnesses: append([]string{}, v.Witnesses...), Quorum: v.Quorum,
			})
		}
	}
	switch {
	case r.Unwitnessed > 0:
		r.Valid = Invalid
	case unjudged > 0:
		r.Valid = Unknown
	default:
		r.Valid = Valid
	}
	return r
}
