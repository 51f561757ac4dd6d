package storagetest

import (
	"fmt"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

func increment(t reporter, e *env, key string, delta int64, ttl time.Duration) int64 {
	t.Helper()
	v, err := e.Counters().Increment(ctx(t), key, delta, ttl)
	noErr(t, err, "Increment(%q, %d, %v)", key, delta, ttl)
	return v
}

// counterGone reports whether the counter is absent; any other error fails
// the check.
func counterGone(t reporter, e *env, key string) bool {
	t.Helper()
	_, _, err := e.Counters().Counter(ctx(t), key)
	if err == nil {
		return false
	}
	errIs(t, err, storage.ErrNotFound, "Counter(%q)", key)
	return true
}

func counterChecks() []check {
	return []check{
		{"a store should start a counter from zero and add each delta, negative ones too", func(t reporter, e *env) {
			equal(t, int64(3), increment(t, e, "k", 3, time.Hour))
			equal(t, int64(4), increment(t, e, "k", 1, time.Hour))
			equal(t, int64(-6), increment(t, e, "k", -10, time.Hour))
			equal(t, int64(-6), increment(t, e, "k", 0, time.Hour))
			equal(t, int64(-2), increment(t, e, "other", -2, time.Hour), "another key")
			v, _, err := e.Counters().Counter(ctx(t), "k")
			noErr(t, err)
			equal(t, int64(-6), v)
		}},
		{"a store should return ErrNotFound for a missing counter", func(t reporter, e *env) {
			increment(t, e, "k", 1, time.Hour)
			_, _, err := e.Counters().Counter(ctx(t), "missing")
			errIs(t, err, storage.ErrNotFound)
			_, _, err = e.Counters().Counter(ctx(t), "k2")
			errIs(t, err, storage.ErrNotFound)
		}},
		{"a store should set a counter's expiry on creation and keep it on later increments", func(t reporter, e *env) {
			ttl := 10 * time.Second
			before := e.now()
			increment(t, e, "k", 1, ttl)
			after := e.now()
			v, exp, err := e.Counters().Counter(ctx(t), "k")
			noErr(t, err)
			equal(t, int64(1), v)
			e.within(t, exp, before.Add(ttl), after.Add(ttl), "expiresAt")
			e.advance(5 * time.Second)
			equal(t, int64(2), increment(t, e, "k", 1, time.Hour), "second increment")
			v, exp2, err := e.Counters().Counter(ctx(t), "k")
			noErr(t, err)
			equal(t, int64(2), v)
			withinDuration(t, exp, exp2, e.slack()+time.Millisecond, "a later increment moved the expiry")
		}},
		{"a store should expire a counter after its ttl and restart it from zero", func(t reporter, e *env) {
			ttl := e.ttl()
			increment(t, e, "k", 5, ttl)
			increment(t, e, "k", 5, time.Hour)
			increment(t, e, "long", 1, time.Hour)
			if e.clock != nil {
				e.clock.Advance(ttl - time.Second)
				isFalse(t, counterGone(t, e, "k"), "the counter expired early")
			}
			e.expire(t, ttl, func() bool { return counterGone(t, e, "k") }, "the counter did not expire")
			before := e.now()
			equal(t, int64(2), increment(t, e, "k", 2, time.Hour), "an expired counter must restart from zero")
			_, exp, err := e.Counters().Counter(ctx(t), "k")
			noErr(t, err)
			e.within(t, exp, before.Add(time.Hour), e.now().Add(time.Hour), "the restarted counter's expiresAt")
			isFalse(t, counterGone(t, e, "long"), "a counter with a long ttl expired")
		}},
		{"a store should reset a counter, and resetting a missing one is not an error", func(t reporter, e *env) {
			increment(t, e, "k", 5, time.Hour)
			increment(t, e, "other", 5, time.Hour)
			noErr(t, e.Counters().ResetCounter(ctx(t), "k"))
			isTrue(t, counterGone(t, e, "k"), "Counter after reset")
			equal(t, int64(1), increment(t, e, "k", 1, time.Hour), "an increment after reset")
			noErr(t, e.Counters().ResetCounter(ctx(t), "missing"))
			v, _, err := e.Counters().Counter(ctx(t), "other")
			noErr(t, err)
			equal(t, int64(5), v, "another key was reset")
		}},
		{"a store should reject a non-positive counter ttl as ErrInvalid", func(t reporter, e *env) {
			for _, ttl := range []time.Duration{0, -time.Second} {
				_, err := e.Counters().Increment(ctx(t), "k", 1, ttl)
				errIs(t, err, storage.ErrInvalid, "ttl %v", ttl)
			}
			isTrue(t, counterGone(t, e, "k"), "a rejected increment made a counter")
		}},
		{"a store should increment a counter atomically under concurrent calls", func(t reporter, e *env) {
			const goroutines, each = 50, 20
			var wg sync.WaitGroup
			errs := make(chan error, goroutines*each)
			for range goroutines {
				wg.Go(func() {
					for range each {
						if _, err := e.Counters().Increment(ctx(t), "k", 1, time.Hour); err != nil {
							errs <- err
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				noErr(t, err)
			}
			v, _, err := e.Counters().Counter(ctx(t), "k")
			noErr(t, err)
			equal(t, int64(goroutines*each), v, "lost increments")
		}},
	}
}

func acquire(t reporter, e *env, key, holder string, limit int, ttl time.Duration) bool {
	t.Helper()
	ok, err := e.Counters().AcquireSlot(ctx(t), key, holder, limit, ttl)
	noErr(t, err, "AcquireSlot(%q, %q, %d, %v)", key, holder, limit, ttl)
	return ok
}

func slots(t reporter, e *env, key string) int {
	t.Helper()
	n, err := e.Counters().Slots(ctx(t), key)
	noErr(t, err, "Slots(%q)", key)
	return n
}

func slotChecks() []check {
	return []check{
		{"a store should grant slots up to the limit and refuse the next holder", func(t reporter, e *env) {
			equal(t, 0, slots(t, e, "k"), "Slots of an unused key")
			for i := range 3 {
				isTrue(t, acquire(t, e, "k", fmt.Sprint("h", i), 3, time.Hour), "holder %d", i)
			}
			isFalse(t, acquire(t, e, "k", "h3", 3, time.Hour), "a fourth holder")
			equal(t, 3, slots(t, e, "k"))
			isTrue(t, acquire(t, e, "other", "h3", 3, time.Hour), "another key")
			equal(t, 1, slots(t, e, "other"))
			isTrue(t, acquire(t, e, "k", "h3", 4, time.Hour), "a higher limit")
			equal(t, 4, slots(t, e, "k"))
			isFalse(t, acquire(t, e, "k", "h5", 2, time.Hour), "a lower limit")
		}},
		{"a store should let a holder acquire its slot again without taking another", func(t reporter, e *env) {
			isTrue(t, acquire(t, e, "k", "h1", 2, time.Hour))
			isTrue(t, acquire(t, e, "k", "h1", 2, time.Hour), "the same holder again")
			equal(t, 1, slots(t, e, "k"))
			isTrue(t, acquire(t, e, "k", "h2", 2, time.Hour))
			isTrue(t, acquire(t, e, "k", "h1", 2, time.Hour), "the same holder at the limit")
			equal(t, 2, slots(t, e, "k"))
		}},
		{"a store should free a released slot, and releasing a missing slot is not an error", func(t reporter, e *env) {
			isTrue(t, acquire(t, e, "k", "h1", 1, time.Hour))
			isFalse(t, acquire(t, e, "k", "h2", 1, time.Hour))
			noErr(t, e.Counters().ReleaseSlot(ctx(t), "k", "h2"), "releasing a slot never held")
			equal(t, 1, slots(t, e, "k"))
			noErr(t, e.Counters().ReleaseSlot(ctx(t), "k", "h1"))
			equal(t, 0, slots(t, e, "k"))
			noErr(t, e.Counters().ReleaseSlot(ctx(t), "k", "h1"), "second release")
			isTrue(t, acquire(t, e, "k", "h2", 1, time.Hour))
			noErr(t, e.Counters().ReleaseSlot(ctx(t), "missing", "h1"))
		}},
		{"a store should free a slot when its ttl passes", func(t reporter, e *env) {
			ttl := e.ttl()
			isTrue(t, acquire(t, e, "k", "h1", 1, ttl))
			isTrue(t, acquire(t, e, "long", "h1", 1, time.Hour))
			isFalse(t, acquire(t, e, "k", "h2", 1, time.Hour))
			if e.clock != nil {
				e.clock.Advance(ttl - time.Second)
				equal(t, 1, slots(t, e, "k"), "the slot expired early")
			}
			e.expire(t, ttl, func() bool { return slots(t, e, "k") == 0 }, "the slot did not expire")
			isTrue(t, acquire(t, e, "k", "h2", 1, time.Hour), "a new holder after expiry")
			equal(t, 1, slots(t, e, "long"), "a slot with a long ttl expired")
		}},
		{"a store should refresh a slot's expiry when its holder acquires it again", func(t reporter, e *env) {
			ttl := e.ttl()
			isTrue(t, acquire(t, e, "k", "h1", 2, ttl))
			if e.clock != nil {
				e.clock.Advance(ttl / 2)
			}
			isTrue(t, acquire(t, e, "k", "h1", 2, time.Hour), "refresh")
			isTrue(t, acquire(t, e, "k", "h2", 2, ttl))
			// h2 expires; h1, refreshed, must not.
			e.expire(t, ttl, func() bool { return slots(t, e, "k") < 2 }, "h2's slot did not expire")
			equal(t, 1, slots(t, e, "k"), "the refreshed slot expired")
			isTrue(t, acquire(t, e, "k", "h1", 1, time.Hour), "h1 no longer holds its slot")
		}},
		{"a store should reject a non-positive slot limit or ttl as ErrInvalid", func(t reporter, e *env) {
			for _, tc := range []struct {
				limit int
				ttl   time.Duration
			}{{0, time.Hour}, {-1, time.Hour}, {1, 0}, {1, -time.Second}} {
				_, err := e.Counters().AcquireSlot(ctx(t), "k", "h1", tc.limit, tc.ttl)
				errIs(t, err, storage.ErrInvalid, "limit %d ttl %v", tc.limit, tc.ttl)
			}
			equal(t, 0, slots(t, e, "k"), "a rejected call took a slot")
		}},
		{"a store should grant exactly limit slots to concurrent holders", func(t reporter, e *env) {
			const goroutines, limit = 50, 5
			var wg sync.WaitGroup
			var mu sync.Mutex
			var winners []string
			var errs []error
			for i := range goroutines {
				wg.Go(func() {
					h := fmt.Sprint("h", i)
					ok, err := e.Counters().AcquireSlot(ctx(t), "k", h, limit, time.Hour)
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
			empty(t, errs)
			hasLen(t, winners, limit, "slots granted")
			equal(t, limit, slots(t, e, "k"))
			isTrue(t, acquire(t, e, "k", winners[0], limit, time.Hour), "a winner acquiring again")
			equal(t, limit, slots(t, e, "k"), "acquiring again took another slot")
			noErr(t, e.Counters().ReleaseSlot(ctx(t), "k", winners[1]))
			equal(t, limit-1, slots(t, e, "k"))
			isTrue(t, acquire(t, e, "k", "late", limit, time.Hour), "a freed slot")
			isFalse(t, acquire(t, e, "k", "later", limit, time.Hour))
		}},
	}
}
