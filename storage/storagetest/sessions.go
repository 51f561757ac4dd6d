package storagetest

import (
	"errors"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

func createSession(t reporter, e *env, s storage.Session) {
	t.Helper()
	noErr(t, e.Sessions().CreateSession(ctx(t), s), "CreateSession")
}

func requireSession(t reporter, e *env, want storage.Session) {
	t.Helper()
	got, err := e.Sessions().GetSession(ctx(t), want.IDHash)
	noErr(t, err, "GetSession")
	equal(t, normSession(want), normSession(got))
}

func sessionChecks() []check {
	return []check{
		{"a store should create a session and return it as it was created", func(t reporter, e *env) {
			s := newSession(1, "u1", e.now())
			createSession(t, e, s)
			requireSession(t, e, s)
		}},
		{"a store should return ErrNotFound for a missing session", func(t reporter, e *env) {
			createSession(t, e, newSession(1, "u1", e.now()))
			missing := idHash(2)
			_, err := e.Sessions().GetSession(ctx(t), missing)
			errIs(t, err, storage.ErrNotFound, "GetSession")
			errIs(t, e.Sessions().TouchSession(ctx(t), missing, e.now()), storage.ErrNotFound, "TouchSession")
			errIs(t, e.Sessions().RevokeSession(ctx(t), missing), storage.ErrNotFound, "RevokeSession")
		}},
		{"a store should reject a session with an empty id hash or user id as ErrInvalid", func(t reporter, e *env) {
			s := newSession(1, "u1", e.now())
			s.IDHash = ""
			errIs(t, e.Sessions().CreateSession(ctx(t), s), storage.ErrInvalid, "empty IDHash")
			s = newSession(1, "", e.now())
			errIs(t, e.Sessions().CreateSession(ctx(t), s), storage.ErrInvalid, "empty UserID")
			_, err := e.Sessions().GetSession(ctx(t), idHash(1))
			errIs(t, err, storage.ErrNotFound, "a rejected session was stored")
		}},
		{"a store should reject a duplicate session id hash as ErrConflict and keep the first session", func(t reporter, e *env) {
			first := newSession(1, "u1", e.now())
			createSession(t, e, first)
			second := newSession(1, "u2", e.now().Add(time.Minute))
			errIs(t, e.Sessions().CreateSession(ctx(t), second), storage.ErrConflict)
			requireSession(t, e, first)
			list, err := e.Sessions().ListSessions(ctx(t), "u2")
			noErr(t, err)
			empty(t, list, "the rejected session is listed")
		}},
		{"a store should move LastSeenAt only forward when a session is touched", func(t reporter, e *env) {
			s := newSession(1, "u1", e.now())
			createSession(t, e, s)
			later := s.LastSeenAt.Add(10 * time.Minute)
			noErr(t, e.Sessions().TouchSession(ctx(t), s.IDHash, later))
			s.LastSeenAt = later
			requireSession(t, e, s)
			noErr(t, e.Sessions().TouchSession(ctx(t), s.IDHash, later.Add(-5*time.Minute)), "an older time")
			requireSession(t, e, s)
			noErr(t, e.Sessions().TouchSession(ctx(t), s.IDHash, later), "the same time")
			requireSession(t, e, s)
			latest := later.Add(time.Millisecond)
			noErr(t, e.Sessions().TouchSession(ctx(t), s.IDHash, latest))
			s.LastSeenAt = latest
			requireSession(t, e, s)
		}},
		{"a store should revoke a session idempotently and still return it", func(t reporter, e *env) {
			s := newSession(1, "u1", e.now())
			other := newSession(2, "u1", e.now())
			createSession(t, e, s)
			createSession(t, e, other)
			noErr(t, e.Sessions().RevokeSession(ctx(t), s.IDHash))
			s.Revoked = true
			requireSession(t, e, s)
			noErr(t, e.Sessions().RevokeSession(ctx(t), s.IDHash), "second revoke")
			requireSession(t, e, s)
			requireSession(t, e, other)
			later := s.LastSeenAt.Add(time.Minute)
			noErr(t, e.Sessions().TouchSession(ctx(t), s.IDHash, later), "touching a revoked session")
			s.LastSeenAt = later
			requireSession(t, e, s)
		}},
		{"a store should list a user's sessions, revoked ones too, ordered by creation", func(t reporter, e *env) {
			base := e.now()
			a := newSession(1, "u1", base.Add(2*time.Second))
			b := newSession(2, "u1", base)
			c := newSession(3, "u2", base.Add(time.Second))
			d := newSession(4, "u1", base.Add(time.Second))
			for _, s := range []storage.Session{a, b, c, d} {
				createSession(t, e, s)
			}
			noErr(t, e.Sessions().RevokeSession(ctx(t), d.IDHash))
			d.Revoked = true
			got, err := e.Sessions().ListSessions(ctx(t), "u1")
			noErr(t, err)
			equal(t, normSessions([]storage.Session{b, d, a}), normSessions(got))
			got, err = e.Sessions().ListSessions(ctx(t), "u2")
			noErr(t, err)
			equal(t, normSessions([]storage.Session{c}), normSessions(got))
			got, err = e.Sessions().ListSessions(ctx(t), "u3")
			noErr(t, err)
			empty(t, got)
		}},
		{"a store should delete sessions expiring at or before a time and count them", func(t reporter, e *env) {
			base := e.now()
			var ss []storage.Session
			for i, exp := range []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour, 2 * time.Hour} {
				s := newSession(i, "u1", base)
				s.ExpiresAt = base.Add(exp)
				ss = append(ss, s)
				createSession(t, e, s)
			}
			n, err := e.Sessions().DeleteExpiredSessions(ctx(t), base.Add(30*time.Minute))
			noErr(t, err)
			equal(t, 0, n, "nothing has expired yet")
			n, err = e.Sessions().DeleteExpiredSessions(ctx(t), base.Add(2*time.Hour))
			noErr(t, err)
			equal(t, 3, n, "sessions expiring at or before the time")
			for _, s := range ss[:2] {
				_, err = e.Sessions().GetSession(ctx(t), s.IDHash)
				errIs(t, err, storage.ErrNotFound, "a deleted session")
			}
			_, err = e.Sessions().GetSession(ctx(t), ss[3].IDHash)
			errIs(t, err, storage.ErrNotFound, "a deleted session")
			requireSession(t, e, ss[2])
			n, err = e.Sessions().DeleteExpiredSessions(ctx(t), base.Add(2*time.Hour))
			noErr(t, err)
			equal(t, 0, n, "a second pass")
		}},
		{"a store should either keep returning a session past its ExpiresAt or forget it", func(t reporter, e *env) {
			s := newSession(1, "u1", e.now())
			s.ExpiresAt = s.CreatedAt.Add(e.ttl())
			createSession(t, e, s)
			requireSession(t, e, s)
			e.expire(t, e.ttl(), func() bool { return e.now().After(s.ExpiresAt) }, "the clock did not pass ExpiresAt")
			got, err := e.Sessions().GetSession(ctx(t), s.IDHash)
			if errors.Is(err, storage.ErrNotFound) {
				return
			}
			noErr(t, err)
			equal(t, normSession(s), normSession(got), "an expired session must come back unchanged")
		}},
		{"a store should not let a caller change sessions through a returned list", func(t reporter, e *env) {
			s := newSession(1, "u1", e.now())
			createSession(t, e, s)
			got, err := e.Sessions().ListSessions(ctx(t), "u1")
			noErr(t, err)
			hasLen(t, got, 1)
			got[0].Revoked = true
			got[0].UserID = "mutated"
			requireSession(t, e, s)
		}},
	}
}
