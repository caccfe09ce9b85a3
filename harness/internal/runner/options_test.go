package runner

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/harness/internal/results"
)

func TestValidate(t *testing.T) {
	good := func() *Options {
		return &Options{Options: results.Options{Bin: "node", Workload: "lin-kv", Nodes: []string{"n0", "n1", "n2"}, Concurrency: 6,
			Rate: 5, TimeLimit: time.Second, LatencyDist: "constant", NemesisInterval: time.Second, Availability: -1,
			Nemesis: []string{"partition", "kill", "pause"}}}
	}
	require.NoError(t, good().Validate())
	for want, spoil := range map[string]func(o *Options){
		"--bin is required":           func(o *Options) { o.Bin = "" },
		"unknown workload":            func(o *Options) { o.Workload = "g-set" },
		"no nodes":                    func(o *Options) { o.Nodes = nil },
		"multiple of 2 x node count":  func(o *Options) { o.Concurrency = 3 },
		"at most 10 nodes":            func(o *Options) { o.Nodes = strings.Split("a,b,d,e,f,g,h,i,j,k,l", ","); o.Concurrency = 22 },
		"--rate must be >= 0":         func(o *Options) { o.Rate = -1 },
		"--time-limit must be > 0":    func(o *Options) { o.TimeLimit = 0 },
		"--latency must be >= 0":      func(o *Options) { o.Latency = -time.Millisecond },
		"--latency-dist must be":      func(o *Options) { o.LatencyDist = "pareto" },
		"needs --latency > 0":         func(o *Options) { o.LatencyDist = "exponential" },
		"--nemesis-interval":          func(o *Options) { o.NemesisInterval = 0 },
		"--availability":              func(o *Options) { o.Availability = 1.5 },
		"--per-key-limit":             func(o *Options) { o.PerKeyLimit = -1 },
		"must not start with c":       func(o *Options) { o.Nodes[1] = "c1" },
		"taken by a built-in service": func(o *Options) { o.Nodes[1] = "lin-kv" },
		"duplicate node":              func(o *Options) { o.Nodes[2] = "n0" },
		"unknown nemesis fault":       func(o *Options) { o.Nemesis = []string{"clock"} },
	} {
		o := good()
		spoil(o)
		err := o.Validate()
		if assert.Error(t, err, want) {
			assert.True(t, errors.Is(err, ErrBadOptions), "%s: %v", want, err)
			assert.Contains(t, err.Error(), want)
		}
	}
}

func TestTimeout(t *testing.T) {
	o := &Options{}
	assert.Equal(t, time.Second, o.Timeout(), "at least a second")
	o.Latency = 250 * time.Millisecond
	assert.Equal(t, 2500*time.Millisecond, o.Timeout(), "ten latencies")
}
