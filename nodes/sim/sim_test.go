package sim

import (
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/kvserver"
)

func solo() nodes.Machine {
	return kvserver.New(kvserver.Config[kvserver.SoloMessage]{
		Kind:    "solo",
		NewCore: func(init nodes.Init) kvserver.Core[kvserver.SoloMessage] { return kvserver.NewSolo(init.NodeID) },
	})
}

func TestSoloNodeIsLinearizable(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		res := Run(Config{Seed: seed, Nodes: 1, NewMachine: solo})
		require.Zero(t, res.Info, "seed %d: a lone node without faults answers everything", seed)
		res = Run(Config{Seed: seed, Nodes: 1, NewMachine: solo, Pauses: true})
		require.Empty(t, res.Problems, "seed %d", seed)
		require.Greater(t, res.RecoveredOK, 0, "seed %d", seed)
		verdict, _ := res.Check(10 * time.Second)
		require.Equal(t, porcupine.Ok, verdict, "seed %d", seed)
	}
}

// Three Solo nodes each answer from their own state: the checker must catch it.
func TestCheckerCatchesSplitBrain(t *testing.T) {
	res := Run(Config{Seed: 7, Nodes: 3, NewMachine: solo, Duration: time.Second, Recovery: time.Second})
	require.Empty(t, res.Problems)
	verdict, _ := res.Check(10 * time.Second)
	require.Equal(t, porcupine.Illegal, verdict)
}

func TestRunsReplay(t *testing.T) {
	a := Run(Config{Seed: 3, Nodes: 3, NewMachine: solo, Partitions: true, Pauses: true, Loss: 0.1, Duplicate: 0.1})
	b := Run(Config{Seed: 3, Nodes: 3, NewMachine: solo, Partitions: true, Pauses: true, Loss: 0.1, Duplicate: 0.1})
	require.Equal(t, a.History, b.History, "one seed, one run")
	c := Run(Config{Seed: 4, Nodes: 3, NewMachine: solo, Partitions: true, Pauses: true})
	require.NotEqual(t, a.History, c.History)
}

func TestModel(t *testing.T) {
	op := func(in Input, out Output, call, ret int64) porcupine.Operation {
		return porcupine.Operation{Input: in, Output: out, Call: call, Return: ret}
	}
	w := func(k int, v string) Input { return Input{Key: k, Op: "write", Value: v} }
	r := func(k int) Input { return Input{Key: k, Op: "read"} }
	cas := func(k int, f, to string) Input { return Input{Key: k, Op: "cas", From: f, To: to} }
	for _, tc := range []struct {
		name string
		ops  []porcupine.Operation
		want porcupine.CheckResult
	}{
		{"read after write", []porcupine.Operation{op(w(0, "1"), Output{}, 0, 1), op(r(0), Output{Value: "1"}, 2, 3)}, porcupine.Ok},
		{"stale read", []porcupine.Operation{op(w(0, "1"), Output{}, 0, 1), op(w(0, "2"), Output{}, 2, 3), op(r(0), Output{Value: "1"}, 4, 5)}, porcupine.Illegal},
		{"concurrent read may see either", []porcupine.Operation{op(w(0, "1"), Output{}, 0, 1), op(w(0, "2"), Output{}, 2, 5), op(r(0), Output{Value: "1"}, 3, 4)}, porcupine.Ok},
		{"keys are independent", []porcupine.Operation{op(w(0, "1"), Output{}, 0, 1), op(r(1), Output{Value: "1"}, 2, 3)}, porcupine.Illegal},
		{"cas needs from", []porcupine.Operation{op(w(0, "1"), Output{}, 0, 1), op(cas(0, "2", "3"), Output{}, 2, 3)}, porcupine.Illegal},
		{"cas ok", []porcupine.Operation{op(w(0, "1"), Output{}, 0, 1), op(cas(0, "1", "3"), Output{}, 2, 3), op(r(0), Output{Value: "3"}, 4, 5)}, porcupine.Ok},
		{"info write may never happen", []porcupine.Operation{op(w(0, "1"), Output{}, 0, 1), op(w(0, "2"), Output{Unknown: true}, 2, infoReturn), op(r(0), Output{Value: "1"}, 4, 5)}, porcupine.Ok},
		{"info write may happen late", []porcupine.Operation{op(w(0, "1"), Output{}, 0, 1), op(w(0, "2"), Output{Unknown: true}, 2, infoReturn), op(r(0), Output{Value: "1"}, 4, 5), op(r(0), Output{Value: "2"}, 6, 7)}, porcupine.Ok},
		{"info write cannot happen before its call", []porcupine.Operation{op(r(0), Output{Value: "2"}, 0, 1), op(w(0, "2"), Output{Unknown: true}, 2, infoReturn)}, porcupine.Illegal},
		{"info cas that does not match is a no-op", []porcupine.Operation{op(w(0, "1"), Output{}, 0, 1), op(cas(0, "4", "2"), Output{Unknown: true}, 2, infoReturn), op(r(0), Output{Value: "1"}, 4, 5)}, porcupine.Ok},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, porcupine.CheckOperationsTimeout(Model, tc.ops, 5*time.Second))
		})
	}
}
