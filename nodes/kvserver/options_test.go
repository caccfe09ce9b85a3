package kvserver

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/quorumkit/quorumkit/nodes"
	"github.com/quorumkit/quorumkit/nodes/consensus"
)

// parse parses args as a binary's flags and configures a server over the fake core.
func parse(t *testing.T, args ...string) (Options, Config[fakeMsg]) {
	t.Helper()
	opts, _, err := parseFlags(flag.NewFlagSet("test", flag.ContinueOnError), args)
	require.NoError(t, err)
	return opts, Configure(opts, func(Options) Config[fakeMsg] { return Config[fakeMsg]{Kind: "fake"} })
}

func TestFlagsPassTheirValuesThroughUnchanged(t *testing.T) {
	opts, cfg := parse(t)
	require.Equal(t, DefaultOptions(), opts)
	require.Equal(t, Config[fakeMsg]{Kind: "fake", CompactEvery: DefaultCompactEvery, RetryFor: DefaultRetryFor,
		DeafAfter: DefaultDeafAfter, BatchDelay: DefaultBatchDelay, BatchRate: DefaultBatchRate, BatchSize: DefaultBatchSize}, cfg)

	_, cfg = parse(t, "-batch-delay", "-1ms", "-batch-rate", "0", "-batch-size", "-1", "-retry-for", "0",
		"-deaf-after", "-1s", "-compact-every", "-1")
	require.Equal(t, Config[fakeMsg]{Kind: "fake", CompactEvery: -1, DeafAfter: -time.Second, BatchDelay: -time.Millisecond,
		BatchSize: -1}, cfg, "0 and negative values arrive as given")
	def, err := cfg.withDefaults()
	require.NoError(t, err)
	require.Equal(t, DefaultRetryFor, def.RetryFor, "0 is the default")
	require.Equal(t, -time.Second, def.DeafAfter, "negative stays: off")

	_, cfg = parse(t, "-batch-delay", "-1", "-retry-for", "-1", "-deaf-after", "-1")
	require.Negative(t, cfg.BatchDelay, "off needs no unit")
	require.Negative(t, cfg.RetryFor)
	require.Negative(t, cfg.DeafAfter)
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	_, _, err = parseFlags(fs, []string{"-batch-delay", "5"})
	require.Error(t, err, "a positive duration needs its unit")
}

func TestHelpStatesTheRuleAndTheRealDefaults(t *testing.T) {
	fs := flag.NewFlagSet("raftnode", flag.ContinueOnError)
	var help bytes.Buffer
	fs.SetOutput(&help)
	_, _, err := parseFlags(fs, []string{"-help"})
	require.True(t, errors.Is(err, flag.ErrHelp))
	require.Contains(t, help.String(), optionsRule)
	for _, def := range []string{"(default 10ms)", "(default 150)", "(default 8)", "(default 1s)", "(default 150ms)", "(default 4096)"} {
		require.Contains(t, help.String(), def)
	}
}

// The in-flight window is the cores' setting: the flag shows the shared default and refuses a
// negative value, since no window at all cannot replicate.
func TestMaxInflightShowsTheCoresDefaultAndCannotBeOff(t *testing.T) {
	opts, _ := parse(t)
	require.Equal(t, consensus.DefaultTiming.MaxInflight, opts.MaxInflight)
	opts, _ = parse(t, "-max-inflight", "2")
	require.Equal(t, 2, opts.MaxInflight)
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	_, _, err := parseFlags(fs, []string{"-max-inflight", "-1"})
	require.ErrorContains(t, err, "-max-inflight")
}

func TestMaxHopsCannotBeTurnedOff(t *testing.T) {
	_, err := Config[fakeMsg]{MaxHops: -1}.withDefaults()
	require.ErrorContains(t, err, "MaxHops")
	require.Panics(t, func() { New(Config[fakeMsg]{MaxHops: -1}) })
}

// TestNegativeTurnsAMechanismOff: each mechanism, at its default and with a negative value.
func TestNegativeTurnsAMechanismOff(t *testing.T) {
	write := clientReq("c4", 1, `"type":"write","key":0,"value":3`)
	for _, tc := range []struct {
		name  string
		check func(t *testing.T, off bool)
	}{
		{"ParkFor: a request that finds no leader fails at once", func(t *testing.T, off bool) {
			ts := newTestServerWith(t, "n0", "", Config[fakeMsg]{ParkFor: map[bool]time.Duration{true: -1}[off]})
			out := ts.deliver(write)
			require.Equal(t, off, len(out) == 1)
		}},
		{"CompactEvery: no snapshots", func(t *testing.T, off bool) {
			ts := newTestServerWith(t, "n0", "n0", Config[fakeMsg]{CompactEvery: map[bool]int{false: 2, true: -1}[off]})
			ts.core.queue(consensus.Ready[fakeMsg]{Committed: commit(1, nil, nil, nil, nil)})
			ts.idle(nil)
			require.Equal(t, off, len(ts.core.compacted) == 0)
		}},
		{"RetryFor: nothing goes to the next leader again", func(t *testing.T, off bool) {
			ts := newTestServerWith(t, "n1", "n0", Config[fakeMsg]{RetryFor: map[bool]time.Duration{true: -1}[off]})
			require.Len(t, ts.deliver(write), 1)
			ts.core.leader = "n2"
			ts.core.queue(consensus.Ready[fakeMsg]{})
			require.Equal(t, off, len(ts.idle(nil)) == 0)
		}},
		{"BatchDelay: nothing lingers under load", func(t *testing.T, off bool) {
			lingers(t, off, func(c *Config[fakeMsg]) { c.BatchDelay = -1 })
		}},
		{"BatchRate: nothing lingers under load", func(t *testing.T, off bool) {
			lingers(t, off, func(c *Config[fakeMsg]) { c.BatchRate = -1 })
		}},
		{"BatchSize: no limit", func(t *testing.T, off bool) {
			cfg := busyConfig()
			cfg.BatchSize = map[bool]int{false: 2, true: -1}[off]
			ts := newTestServerWith(t, "n1", "n0", cfg)
			ts.deliver(write)
			require.Equal(t, off, len(ts.deliver(clientReq("c5", 1, `"type":"read","key":0`))) == 0)
		}},
		{"DeafAfter: no relaying", func(t *testing.T, off bool) {
			relaysWhenNamed(t, Config[fakeMsg]{DeafAfter: map[bool]time.Duration{true: -1}[off]}, !off)
		}},
		{"RelayFor: no relaying", func(t *testing.T, off bool) {
			relaysWhenNamed(t, Config[fakeMsg]{RelayFor: map[bool]time.Duration{true: -1}[off]}, !off)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, false)
			tc.check(t, true)
		})
	}
}

// lingers checks whether a busy follower lingers, with turnOff applied to its configuration if
// off.
func lingers(t *testing.T, off bool, turnOff func(*Config[fakeMsg])) {
	t.Helper()
	cfg := busyConfig()
	if off {
		turnOff(&cfg)
	}
	ts := newTestServerWith(t, "n1", "n0", cfg)
	require.Equal(t, off, len(ts.deliver(clientReq("c4", 1, `"type":"write","key":0,"value":3`))) == 1)
}

// relaysWhenNamed checks whether a leader under cfg relays to a peer that names it deaf.
func relaysWhenNamed(t *testing.T, cfg Config[fakeMsg], relays bool) {
	t.Helper()
	ts := newTestServerWith(t, "n0", "n0", cfg)
	ts.now = 200 * time.Millisecond
	ts.deliver(peerLine(t, "n1", "n0", 1, "n0"))
	ts.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n1", N: 7}}})
	out := ts.idle(nil)
	require.Equal(t, relays, len(out) == 2, "sent %v", out)
	// n1 leaves it unanswered: the next message names it, so that it relays in turn.
	ts.now += time.Second
	ts.core.queue(consensus.Ready[fakeMsg]{Messages: []fakeMsg{{To: "n1", N: 8}}})
	out = ts.idle(nil)
	require.Equal(t, relays, out[0].Body["deaf"] != nil, "sent %v", out)
}

func TestParkingIsBoundedUnlessTheLimitIsOff(t *testing.T) {
	for _, max := range []int{2, -1} {
		h := handoffs{parkFor: time.Second, maxParked: max}
		n := 0
		for range 10 {
			if h.park(0, queuedRequest{msg: &nodes.Message{}}) {
				n++
			}
		}
		require.Equal(t, map[int]int{2: 2, -1: 10}[max], n, "limit %d", max)
	}
}
