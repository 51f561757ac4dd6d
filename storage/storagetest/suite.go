package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
)

// Run runs every check of the conformance suite as a subtest of t. It calls
// newStore once per subtest, with that subtest's t, for an empty store no
// other subtest uses. The store runs on the real clock: expiry checks give
// short lifetimes and poll, for a few seconds at most, until they pass.
func Run(t *testing.T, newStore func(t *testing.T) storage.Store) {
	t.Helper()
	run(t, func(t *testing.T) *env {
		return &env{store: newStore(t)}
	})
}

// RunClocked runs the conformance suite against a store that reads the time
// from now. Each subtest makes its own [Clock], passes its Now method to
// newStore, and advances it to check expiry exactly and at once. A store
// that accepts a clock should pass both RunClocked and [Run].
func RunClocked(t *testing.T, newStore func(t *testing.T, now func() time.Time) storage.Store) {
	t.Helper()
	run(t, func(t *testing.T) *env {
		c := NewClock(clockStart)
		return &env{store: newStore(t, c.Now), clock: c}
	})
}

// clockStart is where each subtest's Clock starts under RunClocked: whole
// seconds, so a store that keeps microseconds or milliseconds loses nothing.
var clockStart = time.Date(2030, time.March, 4, 5, 6, 7, 0, time.UTC)

// check is one sentence of the suite.
type check struct {
	name string
	fn   func(t *testing.T, e *env)
}

func run(t *testing.T, newEnv func(t *testing.T) *env) {
	t.Helper()
	groups := [][]check{
		lifecycleChecks(), userChecks(), roleChecks(), parameterChecks(),
		sessionChecks(), auditChecks(), counterChecks(), slotChecks(),
		contextChecks(), hostileChecks(),
	}
	for _, g := range groups {
		for _, c := range g {
			t.Run(c.name, func(t *testing.T) {
				e := newEnv(t)
				require.NotNil(t, e.store, "newStore returned nil")
				c.fn(t, e)
			})
		}
	}
}

// env is what a check runs against: a fresh store and, under RunClocked,
// the clock it reads.
type env struct {
	store storage.Store
	clock *Clock // nil under Run
}

// now returns the store's idea of the current time, to the millisecond.
func (e *env) now() time.Time {
	if e.clock != nil {
		return e.clock.Now()
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

// ttl is the lifetime expiry checks give counters, slots and sessions.
func (e *env) ttl() time.Duration {
	if e.clock != nil {
		return time.Minute
	}
	return 300 * time.Millisecond
}

// slack is how far a time the store stamps may be from the suite's clock:
// none under RunClocked, two seconds (clock skew with a database server)
// under Run.
func (e *env) slack() time.Duration {
	if e.clock != nil {
		return 0
	}
	return 2 * time.Second
}

// within asserts that a time the store chose lies in [from, to], give or
// take the slack.
func (e *env) within(t *testing.T, got, from, to time.Time, what string) {
	t.Helper()
	require.False(t, got.IsZero(), "%s is zero", what)
	require.WithinRange(t, got, from.Add(-e.slack()), to.Add(e.slack()), what)
}

// advance moves the store's clock by d under RunClocked; under Run it is a
// no-op (checks that need time to pass use expire).
func (e *env) advance(d time.Duration) {
	if e.clock != nil {
		e.clock.Advance(d)
	}
}

// expire waits for something with lifetime ttl to expire, then requires
// cond: under RunClocked it advances the clock past ttl and checks once;
// under Run it polls cond for up to ttl plus two seconds.
func (e *env) expire(t *testing.T, ttl time.Duration, cond func() bool, msg string) {
	t.Helper()
	if e.clock != nil {
		e.clock.Advance(ttl + time.Second)
		require.True(t, cond(), msg)
		return
	}
	require.Eventually(t, cond, ttl+2*time.Second, 10*time.Millisecond, msg)
}

// ctx is the context checks use for calls that should succeed.
func ctx(t *testing.T) context.Context { return t.Context() }

func lifecycleChecks() []check {
	return []check{
		{"a store should answer Ping", func(t *testing.T, e *env) {
			require.NoError(t, e.store.Ping(ctx(t)))
		}},
		{"a store should return every concern's interface", func(t *testing.T, e *env) {
			require.NotNil(t, e.store.Users(), "Users")
			require.NotNil(t, e.store.Roles(), "Roles")
			require.NotNil(t, e.store.Parameters(), "Parameters")
			require.NotNil(t, e.store.Sessions(), "Sessions")
			require.NotNil(t, e.store.Audit(), "Audit")
			require.NotNil(t, e.store.Counters(), "Counters")
		}},
		{"a store should close without error", func(t *testing.T, e *env) {
			require.NoError(t, e.store.Close())
		}},
	}
}
