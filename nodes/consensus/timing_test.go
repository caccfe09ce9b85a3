package consensus

import (
	"strings"
	"testing"
)

// TestTimingDefaults: a zero Timing is DefaultTiming, a negative MaxElectionTicks turns
// adaptation off, and settings that cannot work are refused rather than run.
func TestTimingDefaults(t *testing.T) {
	got, err := Timing{}.withDefaults()
	if err != nil || got != DefaultTiming {
		t.Fatalf("zero Timing resolved to %+v, %v; want %+v", got, err, DefaultTiming)
	}
	got, err = Timing{ElectionTicks: 200, MaxElectionTicks: -1}.withDefaults()
	if err != nil || got.MaxElectionTicks != 200 {
		t.Fatalf("MaxElectionTicks -1 resolved to %+v, %v; want the floor, 200", got, err)
	}
	for _, bad := range []Timing{{MaxInflight: -1}, {ElectionTicks: 5}, {HeartbeatTicks: 150},
		{ElectionTicks: 300, MaxElectionTicks: 200}, {MaxBatch: -2}} {
		if _, err := bad.withDefaults(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if s := DefaultTiming.String(); !strings.Contains(s, "heartbeat 40 ms") || !strings.Contains(s, "lease 297 ms") {
		t.Errorf("String() = %q", s)
	}
}

// TestTimeoutRule: the timeout is the floor without samples, srtt + rttvar + a heartbeat once
// measured, and stays within [ElectionTicks, MaxElectionTicks] however wild the samples.
func TestTimeoutRule(t *testing.T) {
	tm := DefaultTiming
	var r RTT
	if got := tm.Timeout(&r); got != tm.ElectionTicks {
		t.Fatalf("no samples: %d, want the floor %d", got, tm.ElectionTicks)
	}
	for range 50 {
		r.Observe(400) // a constant 400-tick round trip: rttvar decays towards 0
	}
	if got, want := tm.Timeout(&r), int(r.srtt+r.rttvar)+1+tm.HeartbeatTicks; got != want || got < 400+tm.HeartbeatTicks {
		t.Fatalf("constant 400: %d, want %d (at least the round trip and a heartbeat)", got, want)
	}
	r.Observe(1 << 30)
	if got := tm.Timeout(&r); got != tm.MaxElectionTicks {
		t.Fatalf("wild sample: %d, want the cap %d", got, tm.MaxElectionTicks)
	}
	if got := tm.Clamp(1); got != tm.ElectionTicks {
		t.Fatalf("Clamp(1) = %d, want the floor", got)
	}
}

// TestRTT: the first sample sets srtt and rttvar = srtt/2; later ones move them by 1/8 and
// 1/4 (RFC 6298).
func TestRTT(t *testing.T) {
	var r RTT
	r.Observe(100)
	if r.Smoothed() != 100 || r.Bound() != 100+4*50+1 {
		t.Fatalf("after 100: srtt %d, bound %d", r.Smoothed(), r.Bound())
	}
	r.Observe(20) // |100-20| = 80: rttvar 50 + (80-50)/4 = 57.5; srtt 100 - 80/8 = 90
	if r.srtt != 90 || r.rttvar != 57.5 {
		t.Fatalf("after 20: srtt %v rttvar %v, want 90 and 57.5", r.srtt, r.rttvar)
	}
}
