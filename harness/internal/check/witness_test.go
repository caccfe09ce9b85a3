package check

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/quorumkit/quorumkit/harness/internal/witness"
)

func TestQuorumWitness(t *testing.T) {
	ops := parse(t, `
3 invoke write 0 1
3 ok write 0 1
4 invoke cas 0 [1,2]
4 ok cas 0 [1,2]
5 invoke cas 0 [2,3]
5 fail cas 0 [2,3]
0 invoke read 0 _
0 ok read 0 2
6 invoke write 0 4
6 info write 0 4`)
	good := &witness.Verdict{Node: "n0", Arrival: "n1", Witnesses: []string{"n0", "n1"}, Quorum: 2, Witnessed: true}
	early := &witness.Verdict{Node: "n0", Arrival: "n0", Witnesses: []string{"n0"}, Quorum: 2}
	for i := range ops {
		if ops[i].Type != "invoke" {
			ops[i].Witness = good
		}
	}
	r := QuorumWitness(ops)
	assert.Equal(t, Valid, r.Valid)
	assert.Equal(t, 2, r.Checked, "the :ok write and cas; not the failed cas, the read or the :info")
	assert.Empty(t, r.Ops)

	ops[3].Witness = early
	ops[5].Witness = early // a failed cas changed nothing: not checked
	ops[7].Witness = early // neither is a read
	r = QuorumWitness(ops)
	assert.Equal(t, Invalid, r.Valid)
	assert.Equal(t, 2, r.Checked)
	assert.Equal(t, 1, r.Unwitnessed)
	assert.Equal(t, []*UnwitnessedOp{{Index: 3, Process: 4, F: "cas", Value: []byte(`[0,[1,2]]`),
		Node: "n0", Arrival: "n0", Witnesses: []string{"n0"}, Quorum: 2}}, r.Ops)

	ops[1].Witness = nil
	ops[3].Witness = good
	r = QuorumWitness(ops)
	assert.Equal(t, Unknown, r.Valid, "an :ok write without a verdict cannot be judged")
	assert.Equal(t, 1, r.Checked)
}
