package clock

import "time"

// Clock tells the time relative to the start of a run and waits.
//
// Now is monotonic: it never goes backwards, whatever happens to the wall
// clock, so the times recorded in a history can be compared directly.
type Clock interface {
	// Now is the time elapsed since the clock started.
	Now() time.Duration
	// After returns a channel that receives once d has elapsed.
	After(d time.Duration) <-chan time.Time
	// Sleep blocks for d.
	Sleep(d time.Duration)
}

// Real is a Clock backed by the process's monotonic clock.
type Real struct {
	start time.Time
}

// NewReal returns a real clock whose zero is now.
func NewReal() *Real { return &Real{start: time.Now()} }

// Now is the time elapsed since NewReal.
func (r *Real) Now() time.Duration { return time.Since(r.start) }

// After waits for d on the real clock.
func (r *Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Sleep sleeps for d on the real clock.
func (r *Real) Sleep(d time.Duration) { time.Sleep(d) }

// Start is the wall-clock instant the clock's zero corresponds to, used only
// to name the store directory.
func (r *Real) Start() time.Time { return r.start }
