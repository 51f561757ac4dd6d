package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// NewFunc is the form of the constructors the Run functions take, for a
// store S (a [storage.Store], or one concern of it such as a
// [storage.SessionStore]):
//
//   - func(t *testing.T) S makes a store on the real clock: expiry checks
//     give short lifetimes and poll, for a few seconds at most, until they
//     pass;
//   - func(t *testing.T, now func() time.Time) S makes a store that reads
//     the time from now: each subtest makes its own [Clock], passes its Now
//     method, and advances it to check expiry exactly and at once.
//
// Either is called once per subtest, with that subtest's t, and must return
// an empty store that no other subtest uses. A store that accepts a clock
// should pass the suite in both forms.
type NewFunc[S any] interface {
	func(t *testing.T) S | func(t *testing.T, now func() time.Time) S
}

// Run runs every check of the conformance suite against a whole store, each
// as a subtest of t named concern/sentence ("sessions/a store should return
// ErrNotFound for a missing session"): the store's own check that it
// returns every concern's interface, then what [RunBackend], [RunUsers],
// [RunRoles], [RunParameters], [RunSessions], [RunAudit], [RunCounters]
// and [RunAPIKeys] run, each on the store's part it checks, and, under "authread/", the
// optional capabilities storage.AuthReader and storage.UserAuthReader of a
// store that implements them, against the plain calls. newStore takes
// either form of [NewFunc].
func Run[F NewFunc[storage.Store]](t *testing.T, newStore F) {
	t.Helper()
	runT(t, allGroups(), newEnv(newStore, func(e *env, s storage.Store) { e.store = s }))
}

// RunClocked is [Run] for a store that reads the time from now; it names
// the clocked run at the call site. A store that accepts a clock should
// pass both RunClocked and Run with a constructor on the real clock.
func RunClocked(t *testing.T, newStore func(t *testing.T, now func() time.Time) storage.Store) {
	t.Helper()
	Run(t, newStore)
}

// RunBackend runs the checks of a backend's Ping and Close, under
// "backend/": a backend that holds only some concerns (a Redis store of
// sessions and counters) runs it beside the Run function of each concern.
func RunBackend[F NewFunc[storage.Backend]](t *testing.T, newBackend F) {
	t.Helper()
	runT(t, []group{backendGroup()}, newEnv(newBackend, func(e *env, b storage.Backend) { e.backend = b }))
}

// RunUsers runs the checks of a [storage.UserStore], under "users/".
func RunUsers[F NewFunc[storage.UserStore]](t *testing.T, newUsers F) {
	t.Helper()
	runT(t, []group{usersGroup()}, newEnv(newUsers, func(e *env, s storage.UserStore) { e.users = s }))
}

// RunRoles runs the checks of a [storage.RoleStore], under "roles/".
func RunRoles[F NewFunc[storage.RoleStore]](t *testing.T, newRoles F) {
	t.Helper()
	runT(t, []group{rolesGroup()}, newEnv(newRoles, func(e *env, s storage.RoleStore) { e.roles = s }))
}

// RunParameters runs the checks of a [storage.ParameterStore], under
// "parameters/".
func RunParameters[F NewFunc[storage.ParameterStore]](t *testing.T, newParameters F) {
	t.Helper()
	runT(t, []group{parametersGroup()}, newEnv(newParameters, func(e *env, s storage.ParameterStore) { e.params = s }))
}

// RunSessions runs the checks of a [storage.SessionStore], under
// "sessions/".
func RunSessions[F NewFunc[storage.SessionStore]](t *testing.T, newSessions F) {
	t.Helper()
	runT(t, []group{sessionsGroup()}, newEnv(newSessions, func(e *env, s storage.SessionStore) { e.sessions = s }))
}

// RunAudit runs the checks of a [storage.AuditStore], under "audit/".
func RunAudit[F NewFunc[storage.AuditStore]](t *testing.T, newAudit F) {
	t.Helper()
	runT(t, []group{auditGroup()}, newEnv(newAudit, func(e *env, s storage.AuditStore) { e.audit = s }))
}

// RunCounters runs the checks of a [storage.CounterStore], counters and
// slots, under "counters/".
func RunCounters[F NewFunc[storage.CounterStore]](t *testing.T, newCounters F) {
	t.Helper()
	runT(t, []group{countersGroup()}, newEnv(newCounters, func(e *env, s storage.CounterStore) { e.counters = s }))
}

// RunAPIKeys runs the checks of a [storage.APIKeyStore], under
// "apikeys/".
func RunAPIKeys[F NewFunc[storage.APIKeyStore]](t *testing.T, newAPIKeys F) {
	t.Helper()
	runT(t, []group{apiKeysGroup()}, newEnv(newAPIKeys, func(e *env, s storage.APIKeyStore) { e.apiKeys = s }))
}

// Check runs the checks of [Run] without a *testing.T, one after another,
// each on a fresh store from newStore (which Check closes once the check
// is done), on the real clock. It returns nil if the store passes them all,
// or else the failed checks joined with errors.Join, each a *[CheckError].
//
// Check is for the suite's own tests, which need to know which checks a
// deliberately broken store fails, and for tools that check a store
// outside go test.
func Check(newStore func() storage.Store) error {
	return checkAll(func() *env {
		s := newStore()
		return &env{store: s, subject: s}
	})
}

// CheckClocked is [Check] for a store that reads the time from now, as
// under [RunClocked].
func CheckClocked(newStore func(now func() time.Time) storage.Store) error {
	return checkAll(func() *env {
		c := NewClock(clockStart)
		s := newStore(c.Now)
		return &env{store: s, subject: s, clock: c}
	})
}

// clockStart is where each subtest's Clock starts on the suite's clock:
// whole seconds, so a store that keeps microseconds or milliseconds loses
// nothing.
var clockStart = time.Date(2030, time.March, 4, 5, 6, 7, 0, time.UTC)

// check is one sentence of the suite.
type check struct {
	name string
	fn   func(t reporter, e *env)
}

// group is the checks of one concern, run under its name.
type group struct {
	name   string
	checks []check
}

// allGroups returns every group, in the order Run runs them.
func allGroups() []group {
	return []group{
		storeGroup(), backendGroup(), usersGroup(), rolesGroup(), parametersGroup(),
		sessionsGroup(), auditGroup(), countersGroup(), apiKeysGroup(), authReadGroup(), feedGroup(),
	}
}

func storeGroup() group { return group{"store", storeChecks()} }

func backendGroup() group {
	return group{"backend", append(backendChecks(), contextChecks(backendContext())...)}
}

func usersGroup() group {
	return group{"users", concat(userChecks(), contextChecks(usersContext()), hostileUserChecks())}
}

func rolesGroup() group {
	return group{"roles", concat(roleChecks(), contextChecks(rolesContext()), hostileRoleChecks())}
}

func parametersGroup() group {
	return group{"parameters", concat(parameterChecks(), contextChecks(parametersContext()), hostileParameterChecks())}
}

func sessionsGroup() group {
	return group{"sessions", concat(sessionChecks(), contextChecks(sessionsContext()), hostileSessionChecks())}
}

func auditGroup() group {
	return group{"audit", concat(auditRecordChecks(), auditQueryChecks(), contextChecks(auditContext()), hostileAuditChecks())}
}

func countersGroup() group {
	return group{"counters", concat(counterChecks(), slotChecks(), contextChecks(countersContext()), hostileCounterChecks())}
}

func apiKeysGroup() group {
	return group{"apikeys", concat(apiKeyChecks(), contextChecks(apiKeysContext()))}
}

func concat(lists ...[]check) []check {
	var out []check
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// newEnv turns a constructor of either form of NewFunc into one that makes
// each subtest's env, set puts the store where the checks find it.
func newEnv[S any, F NewFunc[S]](newStore F, set func(e *env, s S)) func(t *testing.T) *env {
	switch f := any(newStore).(type) {
	case func(*testing.T) S:
		return func(t *testing.T) *env {
			s := f(t)
			e := &env{subject: s}
			set(e, s)
			return e
		}
	case func(*testing.T, func() time.Time) S:
		return func(t *testing.T) *env {
			c := NewClock(clockStart)
			s := f(t, c.Now)
			e := &env{subject: s, clock: c}
			set(e, s)
			return e
		}
	}
	panic("storagetest: a constructor of neither form") // NewFunc allows no other
}

// runT runs the groups' checks as subtests of t, group/sentence, each on
// an env of its own.
func runT(t *testing.T, groups []group, newEnv func(t *testing.T) *env) {
	t.Helper()
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.checks {
				t.Run(c.name, func(t *testing.T) {
					e := newEnv(t)
					notNil(t, e.subject, "newStore returned nil")
					c.fn(t, e)
				})
			}
		})
	}
}

// checkAll runs every check as Check does.
func checkAll(newEnv func() *env) error {
	var errs []error
	for _, g := range allGroups() {
		for _, c := range g.checks {
			if err := collect(g.name, c, newEnv); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// env is what a check runs against: a fresh store, or the one concern of
// it a Run function checks, and, on the suite's clock, the clock it reads.
// The checks reach the store's parts through the methods named after them.
type env struct {
	store    storage.Store // under Run and Check: every part comes from it
	backend  storage.Backend
	users    storage.UserStore
	roles    storage.RoleStore
	params   storage.ParameterStore
	sessions storage.SessionStore
	audit    storage.AuditStore
	counters storage.CounterStore
	apiKeys  storage.APIKeyStore

	subject any    // what the constructor returned
	clock   *Clock // nil on the real clock
}

func (e *env) Backend() storage.Backend {
	if e.store != nil {
		return e.store
	}
	return e.backend
}

func (e *env) Users() storage.UserStore {
	if e.store != nil {
		return e.store.Users()
	}
	return e.users
}

func (e *env) Roles() storage.RoleStore {
	if e.store != nil {
		return e.store.Roles()
	}
	return e.roles
}

func (e *env) Parameters() storage.ParameterStore {
	if e.store != nil {
		return e.store.Parameters()
	}
	return e.params
}

func (e *env) Sessions() storage.SessionStore {
	if e.store != nil {
		return e.store.Sessions()
	}
	return e.sessions
}

func (e *env) Audit() storage.AuditStore {
	if e.store != nil {
		return e.store.Audit()
	}
	return e.audit
}

func (e *env) Counters() storage.CounterStore {
	if e.store != nil {
		return e.store.Counters()
	}
	return e.counters
}

func (e *env) APIKeys() storage.APIKeyStore {
	if e.store != nil {
		return e.store.APIKeys()
	}
	return e.apiKeys
}

// close closes the store under Check, once its check is done.
func (e *env) close() {
	if !isNil(e.store) {
		e.store.Close()
	}
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
// none on the suite's clock, two seconds (clock skew with a database
// server) on the real clock.
func (e *env) slack() time.Duration {
	if e.clock != nil {
		return 0
	}
	return 2 * time.Second
}

// within asserts that a time the store chose lies in [from, to], give or
// take the slack.
func (e *env) within(t reporter, got, from, to time.Time, what string) {
	t.Helper()
	isFalse(t, got.IsZero(), "%s is zero", what)
	withinRange(t, got, from.Add(-e.slack()), to.Add(e.slack()), what)
}

// advance moves the store's clock by d on the suite's clock; on the real
// clock it is a no-op (checks that need time to pass use expire).
func (e *env) advance(d time.Duration) {
	if e.clock != nil {
		e.clock.Advance(d)
	}
}

// expire waits for something with lifetime ttl to expire, then requires
// cond: on the suite's clock it advances the clock past ttl and checks
// once; on the real clock it polls cond for up to ttl plus two seconds.
func (e *env) expire(t reporter, ttl time.Duration, cond func() bool, msg string) {
	t.Helper()
	if e.clock != nil {
		e.clock.Advance(ttl + time.Second)
		isTrue(t, cond(), msg)
		return
	}
	eventually(t, cond, ttl+2*time.Second, 10*time.Millisecond, msg)
}

// ctx is the context checks use for calls that should succeed.
func ctx(t reporter) context.Context { return t.Context() }

func storeChecks() []check {
	return []check{
		{"a store should return every concern's interface", func(t reporter, e *env) {
			notNil(t, e.store.Users(), "Users")
			notNil(t, e.store.Roles(), "Roles")
			notNil(t, e.store.Parameters(), "Parameters")
			notNil(t, e.store.Sessions(), "Sessions")
			notNil(t, e.store.Audit(), "Audit")
			notNil(t, e.store.Counters(), "Counters")
			notNil(t, e.store.APIKeys(), "APIKeys")
		}},
	}
}

func backendChecks() []check {
	return []check{
		{"a store should answer Ping", func(t reporter, e *env) {
			noErr(t, e.Backend().Ping(ctx(t)))
		}},
		{"a store should close without error", func(t reporter, e *env) {
			noErr(t, e.Backend().Close())
		}},
	}
}
