package gatehousetest

import (
	"sync"
	"time"
)

// StartTime returns the time the clock of New starts at: 1 March 2025,
// 12:00 UTC.
func StartTime() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }

// Clock is a settable clock for tests, safe for concurrent use. Give its
// Now to everything that takes a clock, then move it with Add or Set
// instead of sleeping.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock stopped at t.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Set sets the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}
