package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
)

// call is one store method called with a given context.
type call struct {
	name string
	fn   func(ctx context.Context) error
}

// everyMethod returns a call of each method of every concern, with
// arguments that would succeed and change state on the store seeded by
// seedForContext.
func everyMethod(e *env) []call {
	s := e.store
	u := newUser("u1", "alice", "acme")
	u.Version = 1
	now := e.now()
	return []call{
		{"Ping", func(ctx context.Context) error { return s.Ping(ctx) }},
		{"CreateUser", func(ctx context.Context) error {
			_, err := s.Users().CreateUser(ctx, newUser("u2", "bob", "acme"))
			return err
		}},
		{"GetUser", func(ctx context.Context) error { _, err := s.Users().GetUser(ctx, "u1"); return err }},
		{"GetUserByUsername", func(ctx context.Context) error { _, err := s.Users().GetUserByUsername(ctx, "alice"); return err }},
		{"UpdateUser", func(ctx context.Context) error { _, err := s.Users().UpdateUser(ctx, u); return err }},
		{"DeleteUser", func(ctx context.Context) error { return s.Users().DeleteUser(ctx, "u1") }},
		{"ListUsers", func(ctx context.Context) error {
			_, err := s.Users().ListUsers(ctx, storage.UserQuery{Limit: 10})
			return err
		}},
		{"PutRole", func(ctx context.Context) error { return s.Roles().PutRole(ctx, newRole("other")) }},
		{"GetRole", func(ctx context.Context) error { _, err := s.Roles().GetRole(ctx, "sales"); return err }},
		{"ListRoles", func(ctx context.Context) error { _, err := s.Roles().ListRoles(ctx); return err }},
		{"DeleteRole", func(ctx context.Context) error { return s.Roles().DeleteRole(ctx, "sales") }},
		{"PolicyVersion", func(ctx context.Context) error { _, err := s.Roles().PolicyVersion(ctx); return err }},
		{"PutParameter", func(ctx context.Context) error {
			return s.Parameters().PutParameter(ctx, storage.Parameter{Code: "other", Value: "1"})
		}},
		{"ListParameters", func(ctx context.Context) error { _, err := s.Parameters().ListParameters(ctx); return err }},
		{"DeleteParameter", func(ctx context.Context) error { return s.Parameters().DeleteParameter(ctx, "ttl") }},
		{"PutSchema", func(ctx context.Context) error { return s.Parameters().PutSchema(ctx, storage.Schema{"Other": {"x"}}) }},
		{"GetSchema", func(ctx context.Context) error { _, err := s.Parameters().GetSchema(ctx); return err }},
		{"CreateSession", func(ctx context.Context) error { return s.Sessions().CreateSession(ctx, newSession(2, "u1", now)) }},
		{"GetSession", func(ctx context.Context) error { _, err := s.Sessions().GetSession(ctx, idHash(1)); return err }},
		{"TouchSession", func(ctx context.Context) error {
			return s.Sessions().TouchSession(ctx, idHash(1), now.Add(time.Minute))
		}},
		{"RevokeSession", func(ctx context.Context) error { return s.Sessions().RevokeSession(ctx, idHash(1)) }},
		{"ListSessions", func(ctx context.Context) error { _, err := s.Sessions().ListSessions(ctx, "u1"); return err }},
		{"DeleteExpiredSessions", func(ctx context.Context) error {
			_, err := s.Sessions().DeleteExpiredSessions(ctx, now.Add(24*time.Hour))
			return err
		}},
		{"AppendAudit", func(ctx context.Context) error { return s.Audit().AppendAudit(ctx, newAudit(2, "acme")) }},
		{"GetAudit", func(ctx context.Context) error { _, err := s.Audit().GetAudit(ctx, traceCode(1)); return err }},
		{"QueryAudit", func(ctx context.Context) error {
			_, err := s.Audit().QueryAudit(ctx, storage.AuditQuery{Company: "acme", Limit: 10})
			return err
		}},
		{"Attachment", func(ctx context.Context) error {
			_, err := s.Audit().Attachment(ctx, traceCode(1), storage.FlowInput, 0)
			return err
		}},
		{"Increment", func(ctx context.Context) error { _, err := s.Counters().Increment(ctx, "k", 1, time.Hour); return err }},
		{"Counter", func(ctx context.Context) error { _, _, err := s.Counters().Counter(ctx, "k"); return err }},
		{"ResetCounter", func(ctx context.Context) error { return s.Counters().ResetCounter(ctx, "k") }},
		{"AcquireSlot", func(ctx context.Context) error {
			_, err := s.Counters().AcquireSlot(ctx, "s", "h2", 5, time.Hour)
			return err
		}},
		{"ReleaseSlot", func(ctx context.Context) error { return s.Counters().ReleaseSlot(ctx, "s", "h1") }},
		{"Slots", func(ctx context.Context) error { _, err := s.Counters().Slots(ctx, "s"); return err }},
	}
}

// contextState is everything seedForContext stores, as read back.
type contextState struct {
	user     any
	roles    any
	params   any
	schema   any
	sessions any
	audit    any
	counter  int64
	slots    int
}

// seedForContext stores one value of every kind for everyMethod to act on.
func seedForContext(t *testing.T, e *env) {
	t.Helper()
	createUser(t, e, newUser("u1", "alice", "acme"))
	putRole(t, e, newRole("sales"))
	putParameter(t, e, storage.Parameter{Code: "ttl", Value: "3600"})
	require.NoError(t, e.store.Parameters().PutSchema(ctx(t), storage.Schema{"Customer": {"name"}}))
	s := newSession(1, "u1", e.now())
	s.ExpiresAt = s.CreatedAt.Add(2 * time.Hour)
	createSession(t, e, s)
	appendAudit(t, e, newAudit(1, "acme"))
	increment(t, e, "k", 1, time.Hour)
	require.True(t, acquire(t, e, "s", "h1", 5, time.Hour))
}

// readState reads back everything seedForContext stored.
func readState(t *testing.T, e *env) contextState {
	t.Helper()
	var st contextState
	u, err := e.store.Users().ListUsers(ctx(t), storage.UserQuery{Limit: 10})
	require.NoError(t, err)
	st.user = normUsers(u)
	r, err := e.store.Roles().ListRoles(ctx(t))
	require.NoError(t, err)
	st.roles = normRoles(r)
	p, err := e.store.Parameters().ListParameters(ctx(t))
	require.NoError(t, err)
	st.params = normSlice(p)
	sc, err := e.store.Parameters().GetSchema(ctx(t))
	require.NoError(t, err)
	st.schema = normSchema(sc)
	ss, err := e.store.Sessions().ListSessions(ctx(t), "u1")
	require.NoError(t, err)
	st.sessions = normSessions(ss)
	a, err := e.store.Audit().QueryAudit(ctx(t), storage.AuditQuery{Company: "acme", Limit: 10})
	require.NoError(t, err)
	st.audit = a
	st.counter, _, err = e.store.Counters().Counter(ctx(t), "k")
	require.NoError(t, err)
	st.slots = slots(t, e, "s")
	return st
}

func contextChecks() []check {
	return []check{
		{"a store should fail every method with context.Canceled given a cancelled context, and change nothing", func(t *testing.T, e *env) {
			seedForContext(t, e)
			want := readState(t, e)
			cancelled, cancel := context.WithCancel(ctx(t))
			cancel()
			for _, c := range everyMethod(e) {
				t.Run(c.name, func(t *testing.T) {
					require.ErrorIs(t, c.fn(cancelled), context.Canceled)
				})
			}
			require.Equal(t, want, readState(t, e), "a call with a cancelled context changed the store")
		}},
		{"a store should fail every method with context.DeadlineExceeded given an expired context", func(t *testing.T, e *env) {
			seedForContext(t, e)
			expired, cancel := context.WithDeadline(ctx(t), time.Now().Add(-time.Second))
			defer cancel()
			for _, c := range everyMethod(e) {
				t.Run(c.name, func(t *testing.T) {
					require.ErrorIs(t, c.fn(expired), context.DeadlineExceeded)
				})
			}
		}},
		{"a store should answer every method with a live context", func(t *testing.T, e *env) {
			seedForContext(t, e)
			for _, c := range everyMethod(e) {
				t.Run(c.name, func(t *testing.T) {
					require.NoError(t, c.fn(ctx(t)))
				})
			}
		}},
	}
}
