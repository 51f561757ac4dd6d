package storagetest

import (
	"context"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// call is one store method called with a given context.
type call struct {
	name string
	fn   func(ctx context.Context) error
}

// contextCase is one concern's part of the context checks: what to store,
// how to read it back, and a call of each of the concern's methods with
// arguments that would succeed and change state on the seeded store.
type contextCase struct {
	seed  func(t reporter, e *env)
	state func(t reporter, e *env) any
	calls func(e *env) []call
}

// contextChecks returns the context checks of one concern.
func contextChecks(c contextCase) []check {
	return []check{
		{"a store should fail every method with context.Canceled given a cancelled context, and change nothing", func(t reporter, e *env) {
			c.seed(t, e)
			want := c.state(t, e)
			cancelled, cancel := context.WithCancel(ctx(t))
			cancel()
			for _, m := range c.calls(e) {
				run(t, m.name, func(t reporter) {
					errIs(t, m.fn(cancelled), context.Canceled)
				})
			}
			equal(t, want, c.state(t, e), "a call with a cancelled context changed the store")
		}},
		{"a store should fail every method with context.DeadlineExceeded given an expired context", func(t reporter, e *env) {
			c.seed(t, e)
			expired, cancel := context.WithDeadline(ctx(t), time.Now().Add(-time.Second))
			defer cancel()
			for _, m := range c.calls(e) {
				run(t, m.name, func(t reporter) {
					errIs(t, m.fn(expired), context.DeadlineExceeded)
				})
			}
		}},
		{"a store should answer every method with a live context", func(t reporter, e *env) {
			c.seed(t, e)
			for _, m := range c.calls(e) {
				run(t, m.name, func(t reporter) {
					noErr(t, m.fn(ctx(t)))
				})
			}
		}},
	}
}

func backendContext() contextCase {
	return contextCase{
		seed:  func(reporter, *env) {},
		state: func(reporter, *env) any { return nil },
		calls: func(e *env) []call {
			b := e.Backend()
			return []call{
				{"Ping", func(ctx context.Context) error { return b.Ping(ctx) }},
			}
		},
	}
}

func usersContext() contextCase {
	return contextCase{
		seed: func(t reporter, e *env) {
			t.Helper()
			createUser(t, e, newUser("u1", "alice", "acme"))
		},
		state: func(t reporter, e *env) any {
			t.Helper()
			u, err := e.Users().ListUsers(ctx(t), storage.UserQuery{Limit: 10})
			noErr(t, err)
			return normUsers(u)
		},
		calls: func(e *env) []call {
			s := e.Users()
			u := newUser("u1", "alice", "acme")
			u.Version = 1
			return []call{
				{"CreateUser", func(ctx context.Context) error {
					_, err := s.CreateUser(ctx, newUser("u2", "bob", "acme"))
					return err
				}},
				{"GetUser", func(ctx context.Context) error { _, err := s.GetUser(ctx, "u1"); return err }},
				{"GetUserByUsername", func(ctx context.Context) error { _, err := s.GetUserByUsername(ctx, "alice"); return err }},
				{"UpdateUser", func(ctx context.Context) error { _, err := s.UpdateUser(ctx, u); return err }},
				{"DeleteUser", func(ctx context.Context) error { return s.DeleteUser(ctx, "u1") }},
				{"ListUsers", func(ctx context.Context) error {
					_, err := s.ListUsers(ctx, storage.UserQuery{Limit: 10})
					return err
				}},
			}
		},
	}
}

func rolesContext() contextCase {
	return contextCase{
		seed: func(t reporter, e *env) {
			t.Helper()
			putRole(t, e, newRole("sales"))
		},
		state: func(t reporter, e *env) any {
			t.Helper()
			r, err := e.Roles().ListRoles(ctx(t))
			noErr(t, err)
			return normRoles(r)
		},
		calls: func(e *env) []call {
			s := e.Roles()
			return []call{
				{"PutRole", func(ctx context.Context) error { return s.PutRole(ctx, newRole("other")) }},
				{"GetRole", func(ctx context.Context) error { _, err := s.GetRole(ctx, "sales"); return err }},
				{"ListRoles", func(ctx context.Context) error { _, err := s.ListRoles(ctx); return err }},
				{"DeleteRole", func(ctx context.Context) error { return s.DeleteRole(ctx, "sales") }},
				{"PolicyVersion", func(ctx context.Context) error { _, err := s.PolicyVersion(ctx); return err }},
			}
		},
	}
}

// parametersState is what parametersContext stores, as read back.
type parametersState struct {
	params []storage.Parameter
	schema storage.Schema
}

func parametersContext() contextCase {
	return contextCase{
		seed: func(t reporter, e *env) {
			t.Helper()
			putParameter(t, e, storage.Parameter{Code: "ttl", Value: "3600"})
			noErr(t, e.Parameters().PutSchema(ctx(t), storage.Schema{"Customer": {"name"}}))
		},
		state: func(t reporter, e *env) any {
			t.Helper()
			p, err := e.Parameters().ListParameters(ctx(t))
			noErr(t, err)
			sc, err := e.Parameters().GetSchema(ctx(t))
			noErr(t, err)
			return parametersState{normSlice(p), normSchema(sc)}
		},
		calls: func(e *env) []call {
			s := e.Parameters()
			return []call{
				{"PutParameter", func(ctx context.Context) error {
					return s.PutParameter(ctx, storage.Parameter{Code: "other", Value: "1"})
				}},
				{"ListParameters", func(ctx context.Context) error { _, err := s.ListParameters(ctx); return err }},
				{"DeleteParameter", func(ctx context.Context) error { return s.DeleteParameter(ctx, "ttl") }},
				{"PutSchema", func(ctx context.Context) error { return s.PutSchema(ctx, storage.Schema{"Other": {"x"}}) }},
				{"GetSchema", func(ctx context.Context) error { _, err := s.GetSchema(ctx); return err }},
			}
		},
	}
}

func sessionsContext() contextCase {
	return contextCase{
		seed: func(t reporter, e *env) {
			t.Helper()
			s := newSession(1, "u1", e.now())
			s.ExpiresAt = s.CreatedAt.Add(2 * time.Hour)
			createSession(t, e, s)
		},
		state: func(t reporter, e *env) any {
			t.Helper()
			ss, err := e.Sessions().ListSessions(ctx(t), "u1")
			noErr(t, err)
			return normSessions(ss)
		},
		calls: func(e *env) []call {
			s := e.Sessions()
			now := e.now()
			return []call{
				{"CreateSession", func(ctx context.Context) error { return s.CreateSession(ctx, newSession(2, "u1", now)) }},
				{"GetSession", func(ctx context.Context) error { _, err := s.GetSession(ctx, idHash(1)); return err }},
				{"TouchSession", func(ctx context.Context) error {
					return s.TouchSession(ctx, idHash(1), now.Add(time.Minute))
				}},
				{"RevokeSession", func(ctx context.Context) error { return s.RevokeSession(ctx, idHash(1)) }},
				{"ListSessions", func(ctx context.Context) error { _, err := s.ListSessions(ctx, "u1"); return err }},
				{"DeleteExpiredSessions", func(ctx context.Context) error {
					_, err := s.DeleteExpiredSessions(ctx, now.Add(24*time.Hour))
					return err
				}},
			}
		},
	}
}

func auditContext() contextCase {
	return contextCase{
		seed: func(t reporter, e *env) {
			t.Helper()
			appendAudit(t, e, newAudit(1, "acme"))
		},
		state: func(t reporter, e *env) any {
			t.Helper()
			a, err := e.Audit().QueryAudit(ctx(t), storage.AuditQuery{Company: "acme", Limit: 10})
			noErr(t, err)
			return a
		},
		calls: func(e *env) []call {
			s := e.Audit()
			return []call{
				{"AppendAudit", func(ctx context.Context) error { return s.AppendAudit(ctx, newAudit(2, "acme")) }},
				{"GetAudit", func(ctx context.Context) error { _, err := s.GetAudit(ctx, traceCode(1)); return err }},
				{"QueryAudit", func(ctx context.Context) error {
					_, err := s.QueryAudit(ctx, storage.AuditQuery{Company: "acme", Limit: 10})
					return err
				}},
				{"Attachment", func(ctx context.Context) error {
					_, err := s.Attachment(ctx, traceCode(1), storage.FlowInput, 0)
					return err
				}},
			}
		},
	}
}

// countersState is what countersContext stores, as read back.
type countersState struct {
	counter int64
	slots   int
}

func countersContext() contextCase {
	return contextCase{
		seed: func(t reporter, e *env) {
			t.Helper()
			increment(t, e, "k", 1, time.Hour)
			isTrue(t, acquire(t, e, "s", "h1", 5, time.Hour))
		},
		state: func(t reporter, e *env) any {
			t.Helper()
			var st countersState
			var err error
			st.counter, _, err = e.Counters().Counter(ctx(t), "k")
			noErr(t, err)
			st.slots = slots(t, e, "s")
			return st
		},
		calls: func(e *env) []call {
			s := e.Counters()
			return []call{
				{"Increment", func(ctx context.Context) error { _, err := s.Increment(ctx, "k", 1, time.Hour); return err }},
				{"Counter", func(ctx context.Context) error { _, _, err := s.Counter(ctx, "k"); return err }},
				{"ResetCounter", func(ctx context.Context) error { return s.ResetCounter(ctx, "k") }},
				{"AcquireSlot", func(ctx context.Context) error {
					_, err := s.AcquireSlot(ctx, "s", "h2", 5, time.Hour)
					return err
				}},
				{"ReleaseSlot", func(ctx context.Context) error { return s.ReleaseSlot(ctx, "s", "h1") }},
				{"Slots", func(ctx context.Context) error { _, err := s.Slots(ctx, "s"); return err }},
			}
		},
	}
}
