package storagetest

import (
	"context"
	"errors"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// authReadGroup checks the optional capabilities storage.AuthReader and
// storage.UserAuthReader against the plain calls. A store that does not
// implement one, or whose method says errors.ErrUnsupported, passes its
// checks without being read.
func authReadGroup() group { return group{"authread", authReadChecks()} }

// authReader returns e's store as a storage.AuthReader, or false when it
// is not one or cannot serve the call.
func authReader(t reporter, e *env) (storage.AuthReader, bool) {
	t.Helper()
	r, ok := e.store.(storage.AuthReader)
	if !ok {
		return nil, false
	}
	_, err := r.ReadAuth(ctx(t), idHash(999))
	if errors.Is(err, errors.ErrUnsupported) {
		return nil, false
	}
	errIs(t, err, storage.ErrNotFound, "ReadAuth of a missing session")
	return r, true
}

// userAuthReader is authReader for storage.UserAuthReader.
func userAuthReader(t reporter, e *env) (storage.UserAuthReader, bool) {
	t.Helper()
	r, ok := e.store.(storage.UserAuthReader)
	if !ok {
		return nil, false
	}
	got, err := r.ReadUserAuth(ctx(t), "no-such-user")
	if errors.Is(err, errors.ErrUnsupported) {
		return nil, false
	}
	noErr(t, err, "ReadUserAuth of a missing user")
	isFalse(t, got.UserFound, "ReadUserAuth of a missing user: UserFound")
	return r, true
}

// plainAuth is what the plain calls read for a session: GetSession, and
// GetUser and PolicyVersion of its user (readPlainUser).
type plainAuth struct {
	session    storage.Session
	sessionErr error
	user       storage.UserAuthRead
}

func readPlain(t reporter, e *env, hash string) plainAuth {
	t.Helper()
	var p plainAuth
	p.session, p.sessionErr = e.Sessions().GetSession(ctx(t), hash)
	if p.sessionErr != nil {
		errIs(t, p.sessionErr, storage.ErrNotFound, "GetSession")
		return p
	}
	p.user = readPlainUser(t, e, p.session.UserID)
	return p
}

func readPlainUser(t reporter, e *env, id string) storage.UserAuthRead {
	t.Helper()
	var r storage.UserAuthRead
	u, err := e.Users().GetUser(ctx(t), id)
	if errors.Is(err, storage.ErrNotFound) {
		return r
	}
	noErr(t, err, "GetUser")
	r.User, r.UserFound = u, true
	r.Versions.Policy, err = e.Roles().PolicyVersion(ctx(t))
	noErr(t, err, "PolicyVersion")
	return r
}

// agree requires ReadAuth of hash to return what the plain calls return,
// and returns it.
func agree(t reporter, e *env, r storage.AuthReader, hash string) storage.AuthRead {
	t.Helper()
	want := readPlain(t, e, hash)
	got, err := r.ReadAuth(ctx(t), hash)
	if want.sessionErr != nil {
		errIs(t, err, storage.ErrNotFound, "ReadAuth where GetSession is ErrNotFound")
		return got
	}
	noErr(t, err, "ReadAuth")
	equal(t, normSession(want.session), normSession(got.Session), "ReadAuth: the session as GetSession reads it")
	agreeUser(t, want.user, got.UserAuthRead, "ReadAuth")
	return got
}

func agreeUser(t reporter, want, got storage.UserAuthRead, call string) {
	t.Helper()
	equal(t, want.UserFound, got.UserFound, "%s: UserFound as GetUser finds the user", call)
	if !want.UserFound {
		return
	}
	equal(t, normUser(want.User), normUser(got.User), "%s: the user as GetUser reads it", call)
	equal(t, want.Versions.Policy, got.Versions.Policy, "%s: Versions.Policy as PolicyVersion reads it", call)
}

// authFixture stores user u1 (with the suite's fixture fields), a role and
// session 1 of u1, and returns the session.
func authFixture(t reporter, e *env) storage.Session {
	t.Helper()
	_, err := e.Users().CreateUser(ctx(t), newUser("u1", "alice", "acme"))
	noErr(t, err, "CreateUser")
	noErr(t, e.Roles().PutRole(ctx(t), newRole("viewer")), "PutRole")
	s := newSession(1, "u1", e.now())
	createSession(t, e, s)
	return s
}

func authReadChecks() []check {
	return []check{
		{"a store that reads auth should read a live session and its user as the plain calls do", func(t reporter, e *env) {
			r, ok := authReader(t, e)
			if !ok {
				return
			}
			s := authFixture(t, e)
			got := agree(t, e, r, s.IDHash)
			isTrue(t, got.UserFound, "UserFound")
			noErr(t, e.Sessions().TouchSession(ctx(t), s.IDHash, e.now().Add(time.Second)), "TouchSession")
			agree(t, e, r, s.IDHash)
		}},
		{"a store that reads auth should return a revoked session as revoked", func(t reporter, e *env) {
			r, ok := authReader(t, e)
			if !ok {
				return
			}
			s := authFixture(t, e)
			noErr(t, e.Sessions().RevokeSession(ctx(t), s.IDHash), "RevokeSession")
			got := agree(t, e, r, s.IDHash)
			isTrue(t, got.Session.Revoked, "a revoked session read as not revoked")
		}},
		{"a store that reads auth should return ErrNotFound for a missing session", func(t reporter, e *env) {
			r, ok := authReader(t, e)
			if !ok {
				return
			}
			authFixture(t, e)
			_, err := r.ReadAuth(ctx(t), idHash(2))
			errIs(t, err, storage.ErrNotFound, "ReadAuth")
		}},
		{"a store that reads auth should read an expired session as GetSession does", func(t reporter, e *env) {
			r, ok := authReader(t, e)
			if !ok {
				return
			}
			_, err := e.Users().CreateUser(ctx(t), newUser("u1", "alice", "acme"))
			noErr(t, err, "CreateUser")
			s := newSession(1, "u1", e.now())
			s.ExpiresAt = s.CreatedAt.Add(e.ttl())
			createSession(t, e, s)
			e.expire(t, e.ttl(), func() bool { return e.now().After(s.ExpiresAt) }, "the clock did not pass ExpiresAt")
			got := agree(t, e, r, s.IDHash)
			if got.Session.IDHash != "" {
				equal(t, normTime(s.ExpiresAt), normTime(got.Session.ExpiresAt), "an expired session must come back with its ExpiresAt")
			}
		}},
		{"a store that reads auth should report a session's missing user as not found, without an error", func(t reporter, e *env) {
			r, ok := authReader(t, e)
			if !ok {
				return
			}
			s := newSession(7, "gone", e.now())
			createSession(t, e, s)
			got := agree(t, e, r, s.IDHash)
			isFalse(t, got.UserFound, "UserFound for a user that does not exist")
			s2 := authFixture(t, e)
			noErr(t, e.Users().DeleteUser(ctx(t), "u1"), "DeleteUser")
			got = agree(t, e, r, s2.IDHash)
			isFalse(t, got.UserFound, "UserFound for a deleted user")
		}},
		{"a store that reads auth should read a blocked user and a new epoch as GetUser does", func(t reporter, e *env) {
			r, ok := authReader(t, e)
			if !ok {
				return
			}
			s := authFixture(t, e)
			u, err := e.Users().GetUser(ctx(t), "u1")
			noErr(t, err, "GetUser")
			u.Blocked = true
			u, err = e.Users().UpdateUser(ctx(t), u)
			noErr(t, err, "UpdateUser")
			got := agree(t, e, r, s.IDHash)
			isTrue(t, got.User.Blocked, "a blocked user read as not blocked")
			u.Blocked, u.SessionEpoch = false, u.SessionEpoch+1
			_, err = e.Users().UpdateUser(ctx(t), u)
			noErr(t, err, "UpdateUser")
			got = agree(t, e, r, s.IDHash)
			equal(t, s.Epoch+1, got.User.SessionEpoch, "the user's new epoch")
		}},
		{"a store that reads auth should move the versions with every role, parameter and schema change, as the plain calls read them", func(t reporter, e *env) {
			r, ok := authReader(t, e)
			if !ok {
				return
			}
			s := authFixture(t, e)
			versionsFollowChanges(t, e, "ReadAuth", func() storage.Versions {
				t.Helper()
				return agree(t, e, r, s.IDHash).Versions
			})
		}},
		{"a store that reads auth should fail, not report a missing session, when the context has ended", func(t reporter, e *env) {
			r, ok := authReader(t, e)
			if !ok {
				return
			}
			s := authFixture(t, e)
			c, cancel := context.WithCancel(ctx(t))
			cancel()
			_, err := r.ReadAuth(c, s.IDHash)
			anyErr(t, err, "ReadAuth with an ended context")
			isFalse(t, errors.Is(err, storage.ErrNotFound), "an ended context read as a missing session: %v", err)
		}},
		{"a store that reads users for auth should read a user as the plain calls do", func(t reporter, e *env) {
			r, ok := userAuthReader(t, e)
			if !ok {
				return
			}
			authFixture(t, e)
			got, err := r.ReadUserAuth(ctx(t), "u1")
			noErr(t, err, "ReadUserAuth")
			agreeUser(t, readPlainUser(t, e, "u1"), got, "ReadUserAuth")
			isTrue(t, got.UserFound, "UserFound")
			noErr(t, e.Users().DeleteUser(ctx(t), "u1"), "DeleteUser")
			got, err = r.ReadUserAuth(ctx(t), "u1")
			noErr(t, err, "ReadUserAuth of a deleted user")
			isFalse(t, got.UserFound, "UserFound for a deleted user")
			c, cancel := context.WithCancel(ctx(t))
			cancel()
			_, err = r.ReadUserAuth(c, "u1")
			anyErr(t, err, "ReadUserAuth with an ended context")
		}},
		{"a store that reads users for auth should move the versions with every role, parameter and schema change, as the plain calls read them", func(t reporter, e *env) {
			r, ok := userAuthReader(t, e)
			if !ok {
				return
			}
			s := authFixture(t, e)
			// ReadAuth, where the store serves it too, reads the same
			// versions: there is no plain call for Versions.Parameters to
			// compare with.
			ar, both := authReader(t, e)
			versionsFollowChanges(t, e, "ReadUserAuth", func() storage.Versions {
				t.Helper()
				got, err := r.ReadUserAuth(ctx(t), "u1")
				noErr(t, err, "ReadUserAuth")
				isTrue(t, got.UserFound, "ReadUserAuth: UserFound")
				agreeUser(t, readPlainUser(t, e, "u1"), got, "ReadUserAuth")
				if both {
					a, err := ar.ReadAuth(ctx(t), s.IDHash)
					noErr(t, err, "ReadAuth")
					equal(t, a.Versions, got.Versions, "ReadUserAuth: Versions as ReadAuth reads them")
				}
				return got.Versions
			})
		}},
	}
}

// versionsFollowChanges makes each change that must move a version —
// PutRole of a new role and of an existing one, DeleteRole, PutParameter
// of a new parameter and of an existing one, DeleteParameter, PutSchema —
// and requires read, made before the first and after each, to return a
// version of the kind the change moves (Policy for roles, Parameters for
// parameters and the schema) that it has not returned before, since a
// version never returns to an earlier value. The other version may move
// too. read compares Policy with PolicyVersion itself (agree,
// agreeUser); call names the read in failures.
func versionsFollowChanges(t reporter, e *env, call string, read func() storage.Versions) {
	t.Helper()
	policy, params := map[int64]bool{}, map[int64]bool{}
	v := read()
	policy[v.Policy], params[v.Parameters] = true, true
	steps := []struct {
		what   string
		policy bool // the change moves Versions.Policy, else Versions.Parameters
		change func() error
	}{
		{"PutRole of a new role", true, func() error { return e.Roles().PutRole(ctx(t), newRole("sales")) }},
		{"PutRole of an existing role", true, func() error {
			r := newRole("sales")
			r.Title = "Sales, renamed"
			return e.Roles().PutRole(ctx(t), r)
		}},
		{"DeleteRole", true, func() error { return e.Roles().DeleteRole(ctx(t), "sales") }},
		{"PutParameter of a new parameter", false, func() error {
			return e.Parameters().PutParameter(ctx(t), storage.Parameter{Code: "p", Title: "P", Value: "1"})
		}},
		{"PutParameter of an existing parameter", false, func() error {
			return e.Parameters().PutParameter(ctx(t), storage.Parameter{Code: "p", Title: "P", Value: "2"})
		}},
		{"DeleteParameter", false, func() error { return e.Parameters().DeleteParameter(ctx(t), "p") }},
		{"PutSchema", false, func() error {
			return e.Parameters().PutSchema(ctx(t), storage.Schema{"Customer": {"name"}})
		}},
	}
	for _, st := range steps {
		noErr(t, st.change(), st.what)
		v := read()
		if st.policy {
			isFalse(t, policy[v.Policy], "%s: Versions.Policy after %s is %d, a value it had before", call, st.what, v.Policy)
		} else {
			isFalse(t, params[v.Parameters], "%s: Versions.Parameters after %s is %d, a value it had before", call, st.what, v.Parameters)
		}
		policy[v.Policy], params[v.Parameters] = true, true
	}
}
