package nemesis

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/quorumkit/quorumkit/harness/internal/history"
)

// nemesisPair is an invocation with value inv at second at, and its
// completion with value done a millisecond later.
func nemesisPair(f string, at float64, inv, done string) []history.Op {
	t := time.Duration(at * float64(time.Second))
	return []history.Op{
		{Type: history.Info, F: f, Process: history.NemesisProcess, Time: t, Value: json.RawMessage(inv)},
		{Type: history.Info, F: f, Process: history.NemesisProcess, Time: t + time.Millisecond, Value: json.RawMessage(done)},
	}
}

// mixed is a history of overlapping faults: a partition, a kill of two
// nodes of which one was paused, a second pause, the start and the resume.
func mixed() []history.Op {
	var ops []history.Op
	for _, p := range [][]history.Op{
		nemesisPair(StartPartition, 1, `"majority"`, `["isolated",{"n0":["n1","n2"]}]`),
		nemesisPair(FPause, 2, `"one"`, `{"n2":"paused"}`),
		{{Type: history.Invoke, F: "read", Process: 0, Time: 2500 * time.Millisecond}},
		nemesisPair(FKill, 3, `null`, `{"n1":"killed","n2":"killed"}`),
		nemesisPair(StopPartition, 4, `null`, `"network-healed"`),
		nemesisPair(FPause, 5, `"all"`, `{"n0":"paused","n1":"not-running","n2":"not-running"}`),
		nemesisPair(FStart, 6, `"all"`, `{"n0":"already-running","n1":"started","n2":"started"}`),
		nemesisPair(FResume, 7, `"all"`, `{"n0":"resumed","n1":"not-paused","n2":"not-paused"}`),
		nemesisPair(FKill, 8, `"one"`, `{"n0":"killed"}`),
	} {
		ops = append(ops, p...)
	}
	return ops
}

func TestIntervalsFollowTheCompletions(t *testing.T) {
	ms := func(s float64) time.Duration { return time.Duration(s*1000)*time.Millisecond + time.Millisecond }
	assert.Equal(t, []history.Interval{
		{Start: ms(1), End: ms(4), Label: "majority", Kind: Partition},
		// n2 was paused until it was killed; n0's pause at 5 s belongs to
		// a second pause interval.
		{Start: ms(2), End: ms(3), Label: "pause n2", Kind: Pause},
		{Start: ms(3), End: ms(6), Label: "kill n1 n2", Kind: Kill},
		{Start: ms(5), End: ms(7), Label: "pause n0", Kind: Pause},
		{Start: ms(8), End: -1, Label: "kill n0", Kind: Kill},
	}, Intervals(mixed()))
	assert.Empty(t, Intervals(nemesisPair(FKill, 1, `"minority-third"`, `{}`)), "a kill of no node shades nothing")
}

func TestSummarizeCountsOpsAndOutcomes(t *testing.T) {
	s := Summarize(mixed())
	assert.Equal(t, map[string]int{StartPartition: 1, StopPartition: 1, FPause: 2, FKill: 2, FStart: 1, FResume: 1}, s.Ops)
	assert.Equal(t, map[string]int{Paused: 2, Killed: 3, NotRunning: 2, AlreadyRunning: 1, Started: 2, Resumed: 1, NotPaused: 2}, s.Nodes)
	assert.Nil(t, Summarize([]history.Op{{Type: history.Invoke, F: "read"}}), "no nemesis, no section")
}
