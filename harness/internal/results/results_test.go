package results

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/check"
)

// valid returns results in which every section is valid.
func valid() *Results {
	return &Results{
		Perf: &check.PerfResult{Valid: check.Valid}, Timeline: Simple{Valid: check.Valid},
		Exceptions: &check.ExceptionsResult{Valid: check.Valid}, Stats: &check.StatsResult{Counts: check.Counts{Valid: check.Valid}},
		Availability: &check.AvailabilityResult{Valid: check.Valid}, Net: &check.NetResult{Valid: check.Valid},
		Workload: &check.LinResult{Valid: check.Valid}, Protocol: &ProtocolResult{Valid: check.Valid},
		QuorumWitness: &check.WitnessResult{Valid: check.Valid}, Observations: &check.ObservationsResult{Valid: check.Valid},
	}
}

func TestVerdict(t *testing.T) {
	assert.Equal(t, check.Valid, valid().Verdict(false))
	for _, c := range []struct {
		section string
		spoil   func(r *Results)
		// additional marks a check Maelstrom does not have, reported only
		// under --maelstrom-parity.
		additional bool
	}{
		{"perf", func(r *Results) { r.Perf.Valid = check.Invalid }, false},
		{"timeline", func(r *Results) { r.Timeline.Valid = check.Invalid }, false},
		{"exceptions", func(r *Results) { r.Exceptions.Valid = check.Invalid }, false},
		{"stats", func(r *Results) { r.Stats.Valid = check.Invalid }, false},
		{"availability", func(r *Results) { r.Availability.Valid = check.Invalid }, false},
		{"net", func(r *Results) { r.Net.Valid = check.Invalid }, false},
		{"workload", func(r *Results) { r.Workload.Valid = check.Invalid }, false},
		{"protocol", func(r *Results) { r.Protocol.Valid = check.Invalid }, false},
		{"quorum-witness", func(r *Results) { r.QuorumWitness.Valid = check.Invalid }, true},
		{"observations", func(r *Results) { r.Observations.Valid = check.Invalid }, true},
	} {
		r := valid()
		c.spoil(r)
		assert.Equal(t, check.Invalid, r.Verdict(false), c.section)
		parity := check.Invalid
		if c.additional {
			parity = check.Valid
		}
		assert.Equal(t, parity, r.Verdict(true), "%s under --maelstrom-parity", c.section)
	}
	r := valid()
	r.Crash = &CrashResult{Valid: check.Unknown}
	assert.Equal(t, check.Unknown, r.Verdict(true), "a crash makes the verdict unknown")
	r = valid()
	r.Workload.Valid, r.Stats.Valid = check.Unknown, check.Invalid
	assert.Equal(t, check.Invalid, r.Verdict(false), "false beats unknown")
}

func TestNodeMemory(t *testing.T) {
	var m NodeMemory
	m.Add(0.0004, 3000, 3000)
	m.Add(1.2346, 9000, 9100)
	m.Add(2, 8000, 9500)
	assert.Equal(t, [][2]float64{{0, 3000}, {1.235, 9000}, {2, 8000}}, m.Samples, "times kept to the millisecond")
	assert.Equal(t, int64(9000), m.Peak)
	assert.Equal(t, int64(8000), m.Last)
	assert.Equal(t, int64(9500), m.HWM, "the kernel's high-water mark at the last sample")
}

// TestOptionsJSON pins the keys of test.options: the bench and other tools
// read them back, and the durations are restated in TestInfo instead.
func TestOptionsJSON(t *testing.T) {
	b, err := json.Marshal(&Options{Bin: "b", Nodes: []string{"n0"}, Concurrency: 2, Rate: 5, LatencyDist: "constant", Availability: -1, Store: "store"})
	require.NoError(t, err)
	assert.Equal(t, `{"bin":"b","args":null,"workload":"","nodes":["n0"],"concurrency":2,"rate":5,"latency-dist":"constant","nemesis":null,`+
		`"availability":-1,"log-stderr":false,"log-net-send":false,"log-net-recv":false,"seed":0,"per-key-limit":0,"store":"store","maelstrom-parity":false}`, string(b))
}

func TestExitCode(t *testing.T) {
	r := valid()
	r.Valid = check.Valid
	assert.Equal(t, ExitValid, r.ExitCode())
	r.Valid = check.Invalid
	assert.Equal(t, ExitInvalid, r.ExitCode())
	r.Valid = check.Unknown
	assert.Equal(t, ExitUnknown, r.ExitCode())
	r.Valid, r.Crash = check.Invalid, &CrashResult{Valid: check.Unknown}
	assert.Equal(t, ExitCrash, r.ExitCode(), "a crash wins over the verdict")
}
