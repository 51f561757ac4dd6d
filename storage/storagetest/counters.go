package storagetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
)

func increment(t *testing.T, e *env, key string, delta int64, ttl time.Duration) int64 {
	t.Helper()
	v, err := e.store.Counters().Increment(ctx(t), key, delta, ttl)
	require.NoError(t, err, "Increment(%q, %d, %v)", key, delta, ttl)
	return v
}

// counterGone reports whether the counter is absent; any other error fails
// the check.
func counterGone(t *testing.T, e *env, key string) bool {
	t.Helper()
	_, _, err := e.store.Counters().Counter(ctx(t), key)
	if err == nil {
		return false
	}
	require.ErrorIs(t, err, storage.ErrNotFound, "Counter(%q)", key)
	return true
}

func counterChecks() []check {
	return []check{
		{"a store should start a counter from zero and add each delta, negative ones too", func(t *testing.T, e *env) {
			require.Equal(t, int64(3), increment(t, e, "k", 3, time.Hour))
			require.Equal(t, int64(4), increment(t, e, "k", 1, time.Hour))
			require.Equal(t, int64(-6), increment(t, e, "k", -10, time.Hour))
			require.Equal(t, int64(-6), increment(t, e, "k", 0, time.Hour))
			require.Equal(t, int64(-2), increment(t, e, "other", -2, time.Hour), "another key")
			v, _, err := e.store.Counters().Counter(ctx(t), "k")
			require.NoError(t, err)
			require.Equal(t, int64(-6), v)
		}},
		{"a store should return ErrNotFound for a missing counter", func(t *testing.T, e *env) {
			increment(t, e, "k", 1, time.Hour)
			_, _, err := e.store.Counters().Counter(ctx(t), "missing")
			require.ErrorIs(t, err, storage.ErrNotFound)
			_, _, err = e.store.Counters().Counter(ctx(t), "k2")
			require.ErrorIs(t, err, storage.ErrNotFound)
		}},
		{"a store should set a counter's expiry on creation and keep it on later increments", func(t *testing.T, e *env) {
			ttl := 10 * time.Second
			before := e.now()
			increment(t, e, "k", 1, ttl)
			after := e.now()
			v, exp, err := e.store.Counters().Counter(ctx(t), "k")
			require.NoError(t, err)
			require.Equal(t, int64(1), v)
			e.within(t, exp, before.Add(ttl), after.Add(ttl), "expiresAt")
			e.advance(5 * time.Second)
			require.Equal(t, int64(2), increment(t, e, "k", 1, time.Hour), "second increment")
			v, exp2, err := e.store.Counters().Counter(ctx(t), "k")
			require.NoError(t, err)
			require.Equal(t, int64(2), v)
			require.WithinDuration(t, exp, exp2, e.slack()+time.Millisecond, "a later increment moved the expiry")
		}},
		{"a store should expire a counter after its ttl and restart it from zero", func(t *testing.T, e *env) {
			ttl := e.ttl()
			increment(t, e, "k", 5, ttl)
			increment(t, e, "k", 5, time.Hour)
			increment(t, e, "long", 1, time.Hour)
			if e.clock != nil {
				e.clock.Advance(ttl - time.Second)
				require.False(t, counterGone(t, e, "k"), "the counter expired early")
			}
			e.expire(t, ttl, func() bool { return counterGone(t, e, "k") }, "the counter did not expire")
			before := e.now()
			require.Equal(t, int64(2), increment(t, e, "k", 2, time.Hour), "an expired counter must restart from zero")
			_, exp, err := e.store.Counters().Counter(ctx(t), "k")
			require.NoError(t, err)
			e.within(t, exp, before.Add(time.Hour), e.now().Add(time.Hour), "the restarted counter's expiresAt")
			require.False(t, counterGone(t, e, "long"), "a counter with a long ttl expired")
		}},
		{"a store should reset a counter, and resetting a missing one is not an error", func(t *testing.T, e *env) {
			increment(t, e, "k", 5, time.Hour)
			increment(t, e, "other", 5, time.Hour)
			require.NoError(t, e.store.Counters().ResetCounter(ctx(t), "k"))
			require.True(t, counterGone(t, e, "k"), "Counter after reset")
			require.Equal(t, int64(1), increment(t, e, "k", 1, time.Hour), "an increment after reset")
			require.NoError(t, e.store.Counters().ResetCounter(ctx(t), "missing"))
			v, _, err := e.store.Counters().Counter(ctx(t), "other")
			require.NoError(t, err)
			require.Equal(t, int64(5), v, "another key was reset")
		}},
		{"a store should reject a non-positive counter ttl as ErrInvalid", func(t *testing.T, e *env) {
			for _, ttl := range []time.Duration{0, -time.Second} {
				_, err := e.store.Counters().Increment(ctx(t), "k", 1, ttl)
				require.ErrorIs(t, err, storage.ErrInvalid, "ttl %v", ttl)
			}
			require.True(t, counterGone(t, e, "k"), "a rejected increment made a counter")
		}},
		{"a store should increment a counter atomically under concurrent calls", func(t *testing.T, e *env) {
			const goroutines, each = 50, 20
			var wg sync.WaitGroup
			errs := make(chan error, goroutines*each)
			for range goroutines {
				wg.Go(func() {
					for range each {
						if _, err := e.store.Counters().Increment(ctx(t), "k", 1, time.Hour); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			v, _, err := e.store.Counters().Counter(ctx(t), "k")
			require.NoError(t, err)
			require.Equal(t, int64(goroutines*each), v, "lost increments")
		}},
	}
}

func acquire(t *testing.T, e *env, key, holder string, limit int, ttl time.Duration) bool {
	t.Helper()
	ok, err := e.store.Counters().AcquireSlot(ctx(t), key, holder, limit, ttl)
	require.NoError(t, err, "AcquireSlot(%q, %q, %d, %v)", key, holder, limit, ttl)
	return ok
}

func slots(t *testing.T, e *env, key string) int {
	t.Helper()
	n, err := e.store.Counters().Slots(ctx(t), key)
	require.NoError(t, err, "Slots(%q)", key)
	return n
}

func slotChecks() []check {
	return []check{
		{"a store should grant slots up to the limit and refuse the next holder", func(t *testing.T, e *env) {
			require.Equal(t, 0, slots(t, e, "k"), "Slots of an unused key")
			for i := range 3 {
				require.True(t, acquire(t, e, "k", fmt.Sprint("h", i), 3, time.Hour), "holder %d", i)
			}
			require.False(t, acquire(t, e, "k", "h3", 3, time.Hour), "a fourth holder")
			require.Equal(t, 3, slots(t, e, "k"))
			require.True(t, acquire(t, e, "other", "h3", 3, time.Hour), "another key")
			require.Equal(t, 1, slots(t, e, "other"))
			require.True(t, acquire(t, e, "k", "h3", 4, time.Hour), "a higher limit")
			require.Equal(t, 4, slots(t, e, "k"))
			require.False(t, acquire(t, e, "k", "h5", 2, time.Hour), "a lower limit")
		}},
		{"a store should let a holder acquire its slot again without taking another", func(t *testing.T, e *env) {
			require.True(t, acquire(t, e, "k", "h1", 2, time.Hour))
			require.True(t, acquire(t, e, "k", "h1", 2, time.Hour), "the same holder again")
			require.Equal(t, 1, slots(t, e, "k"))
			require.True(t, acquire(t, e, "k", "h2", 2, time.Hour))
			require.True(t, acquire(t, e, "k", "h1", 2, time.Hour), "the same holder at the limit")
			require.Equal(t, 2, slots(t, e, "k"))
		}},
		{"a store should free a released slot, and releasing a missing slot is not an error", func(t *testing.T, e *env) {
			require.True(t, acquire(t, e, "k", "h1", 1, time.Hour))
			require.False(t, acquire(t, e, "k", "h2", 1, time.Hour))
			require.NoError(t, e.store.Counters().ReleaseSlot(ctx(t), "k", "h2"), "releasing a slot never held")
			require.Equal(t, 1, slots(t, e, "k"))
			require.NoError(t, e.store.Counters().ReleaseSlot(ctx(t), "k", "h1"))
			require.Equal(t, 0, slots(t, e, "k"))
			require.NoError(t, e.store.Counters().ReleaseSlot(ctx(t), "k", "h1"), "second release")
			require.True(t, acquire(t, e, "k", "h2", 1, time.Hour))
			require.NoError(t, e.store.Counters().ReleaseSlot(ctx(t), "missing", "h1"))
		}},
		{"a store should free a slot when its ttl passes", func(t *testing.T, e *env) {
			ttl := e.ttl()
			require.True(t, acquire(t, e, "k", "h1", 1, ttl))
			require.True(t, acquire(t, e, "long", "h1", 1, time.Hour))
			require.False(t, acquire(t, e, "k", "h2", 1, time.Hour))
			if e.clock != nil {
				e.clock.Advance(ttl - time.Second)
				require.Equal(t, 1, slots(t, e, "k"), "the slot expired early")
			}
			e.expire(t, ttl, func() bool { return slots(t, e, "k") == 0 }, "the slot did not expire")
			require.True(t, acquire(t, e, "k", "h2", 1, time.Hour), "a new holder after expiry")
			require.Equal(t, 1, slots(t, e, "long"), "a slot with a long ttl expired")
		}},
		{"a store should refresh a slot's expiry when its holder acquires it again", func(t *testing.T, e *env) {
			ttl := e.ttl()
			require.True(t, acquire(t, e, "k", "h1", 2, ttl))
			if e.clock != nil {
				e.clock.Advance(ttl / 2)
			}
			require.True(t, acquire(t, e, "k", "h1", 2, time.Hour), "refresh")
			require.True(t, acquire(t, e, "k", "h2", 2, ttl))
			// h2 expires; h1, refreshed, must not.
			e.expire(t, ttl, func() bool { return slots(t, e, "k") < 2 }, "h2's slot did not expire")
			require.Equal(t, 1, slots(t, e, "k"), "the refreshed slot expired")
			require.True(t, acquire(t, e, "k", "h1", 1, time.Hour), "h1 no longer holds its slot")
		}},
		{"a store should reject a non-positive slot limit or ttl as ErrInvalid", func(t *testing.T, e *env) {
			for _, tc := range []struct {
				limit int
				ttl   time.Duration
			}{{0, time.Hour}, {-1, time.Hour}, {1, 0}, {1, -time.Second}} {
				_, err := e.store.Counters().AcquireSlot(ctx(t), "k", "h1", tc.limit, tc.ttl)
				require.ErrorIs(t, err, storage.ErrInvalid, "limit %d ttl %v", tc.limit, tc.ttl)
			}
			require.Equal(t, 0, slots(t, e, "k"), "a rejected call took a slot")
		}},
		{"a store should grant exactly limit slots to concurrent holders", func(t *testing.T, e *env) {
			const goroutines, limit = 50, 5
			var wg sync.WaitGroup
			var mu sync.Mutex
			var winners []string
			var errs []error
			for i := range goroutines {
				wg.Go(func() {
					h := fmt.Sprint("h", i)
					ok, err := e.store.Counters().AcquireSlot(ctx(t), "k", h, limit, time.Hour)
					mu.Lock()
					defer mu.Unlock()
					if err != nil {
						errs = append(errs, err)
					} else if ok {
						winners = append(winners, h)
					}
				})
			}
			wg.Wait()
			require.Empty(t, errs)
			require.Len(t, winners, limit, "slots granted")
			require.Equal(t, limit, slots(t, e, "k"))
			require.True(t, acquire(t, e, "k", winners[0], limit, time.Hour), "a winner acquiring again")
			require.Equal(t, limit, slots(t, e, "k"), "acquiring again took another slot")
			require.NoError(t, e.store.Counters().ReleaseSlot(ctx(t), "k", winners[1]))
			require.Equal(t, limit-1, slots(t, e, "k"))
			require.True(t, acquire(t, e, "k", "late", limit, time.Hour), "a freed slot")
			require.False(t, acquire(t, e, "k", "later", limit, time.Hour))
		}},
	}
}
