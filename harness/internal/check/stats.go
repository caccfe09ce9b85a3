package check

import (
	"github.com/quorumkit/quorumkit/harness/internal/history"
	"github.com/quorumkit/quorumkit/harness/internal/net"
)

// Counts are the completion counts of one f or of all.
type Counts struct {
	Valid     Validity `json:"valid?"`
	Count     int      `json:"count"`
	OKCount   int      `json:"ok-count"`
	FailCount int      `json:"fail-count"`
	InfoCount int      `json:"info-count"`
}

// StatsResult is Jepsen's stats checker result.
type StatsResult struct {
	Counts
	ByF map[string]*Counts `json:"by-f"`
}

// Stats counts client completions overall and by f. An f that occurs but
// never succeeds is invalid, and so is the whole result.
func Stats(ops []history.Op) *StatsResult {
	r := &StatsResult{ByF: map[string]*Counts{}}
	for _, op := range ops {
		if !op.IsClient() || op.Type == history.Invoke {
			continue
		}
		c := r.ByF[op.F]
		if c == nil {
			c = &Counts{}
			r.ByF[op.F] = c
		}
		for _, x := range []*Counts{&r.Counts, c} {
			x.Count++
			switch op.Type {
			case history.OK:
				x.OKCount++
			case history.Fail:
				x.FailCount++
			case history.Info:
				x.InfoCount++
			}
		}
	}
	r.Valid = Valid
	for _, c := range r.ByF {
		c.Valid = Of(c.OKCount > 0)
		r.Valid = Worst(r.Valid, c.Valid)
	}
	return r
}

// AvailabilityResult is the availability checker's result.
type AvailabilityResult struct {
	Valid      Validity `json:"valid?"`
	OKFraction float64  `json:"ok-fraction"`
}

// Availability is #ok / #invoke (1 with no invocations), checked against
// min when min is not negative (--availability; "total" is 1).
func Availability(ops []history.Op, min float64) *AvailabilityResult {
	inv, ok := 0, 0
	for _, op := range ops {
		if !op.IsClient() {
			continue
		}
		switch op.Type {
		case history.Invoke:
			inv++
		case history.OK:
			ok++
		}
	}
	frac := 1.0
	if inv > 0 {
		frac = float64(ok) / float64(inv)
	}
	return &AvailabilityResult{Valid: Of(min < 0 || frac >= min), OKFraction: frac}
}

// NetCounts are one class's message counts plus msgs-per-op.
type NetCounts struct {
	net.Counts
	MsgsPerOp *float64 `json:"msgs-per-op,omitempty"`
}

// NetResult is the net checker's result; it is always valid.
type NetResult struct {
	Valid   Validity  `json:"valid?"`
	All     NetCounts `json:"all"`
	Clients NetCounts `json:"clients"`
	Servers NetCounts `json:"servers"`
	Dropped int64     `json:"dropped"`
	// Lost counts messages to a node that was down (net.Stats.Lost).
	Lost int64 `json:"lost"`
}

// Net reports the network counters with msgs-per-op for all and servers,
// over the number of client invocations (omitted when there are none).
func Net(s net.Stats, ops []history.Op) *NetResult {
	inv := 0
	for _, op := range ops {
		if op.IsClient() && op.Type == history.Invoke {
			inv++
		}
	}
	r := &NetResult{All: NetCounts{Counts: s.All}, Clients: NetCounts{Counts: s.Clients}, Servers: NetCounts{Counts: s.Servers}, Dropped: s.Dropped, Lost: s.Lost}
	if inv > 0 {
		a := float64(s.All.MsgCount) / float64(inv)
		sv := float64(s.Servers.MsgCount) / float64(inv)
		r.All.MsgsPerOp, r.Servers.MsgsPerOp = &a, &sv
	}
	return r
}

// ExceptionGroup is one class of indeterminate exceptions.
type ExceptionGroup struct {
	Class   string     `json:"class"`
	Count   int        `json:"count"`
	Example history.Op `json:"example"`
}

// ExceptionsResult groups :info ops that carry an exception; always valid.
type ExceptionsResult struct {
	Valid      Validity          `json:"valid?"`
	Exceptions []*ExceptionGroup `json:"exceptions,omitempty"`
}

// Exceptions groups the history's exceptions by class (the text before the
// first colon).
func Exceptions(ops []history.Op) *ExceptionsResult {
	r := &ExceptionsResult{}
	idx := map[string]*ExceptionGroup{}
	for _, op := range ops {
		if op.Exception == "" {
			continue
		}
		class := op.Exception
		for i := 0; i < len(class); i++ {
			if class[i] == ':' {
				class = class[:i]
				break
			}
		}
		g := idx[class]
		if g == nil {
			g = &ExceptionGroup{Class: class, Example: op}
			idx[class] = g
			r.Exceptions = append(r.Exceptions, g)
		}
		g.Count++
	}
	return r
}
