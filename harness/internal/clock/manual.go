package clock

import (
	"sync"
	"time"
)

// Manual is a Clock that only moves when Advance is called: tests (and later
// simulations) use it to make timing exact.
type Manual struct {
	mu      sync.Mutex
	now     time.Duration
	waiters []waiter
}

type waiter struct {
	at time.Duration
	ch chan time.Time
}

// NewManual returns a manual clock at zero.
func NewManual() *Manual { return &Manual{} }

// Now is the manual time.
func (m *Manual) Now() time.Duration {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// After fires once the clock has been advanced by d.
func (m *Manual) After(d time.Duration) <-chan time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- time.Time{}
		return ch
	}
	m.waiters = append(m.waiters, waiter{at: m.now + d, ch: ch})
	return ch
}

// Sleep blocks until the clock has been advanced by d.
func (m *Manual) Sleep(d time.Duration) { <-m.After(d) }

// Waiters is the number of pending After and Sleep calls, so a test can wait
// for a goroutine to block before advancing.
func (m *Manual) Waiters() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.waiters)
}

// Advance moves the clock forward by d and fires every waiter now due.
func (m *Manual) Advance(d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now += d
	kept := m.waiters[:0]
	for _, w := range m.waiters {
		if w.at <= m.now {
			w.ch <- time.Time{}
		} else {
			kept = append(kept, w)
		}
	}
	m.waiters = kept
}
