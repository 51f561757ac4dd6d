package storagetest

import (
	"fmt"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// createUser creates u and returns the user as stored.
func createUser(t reporter, e *env, u user.User) user.User {
	t.Helper()
	got, err := e.Users().CreateUser(ctx(t), u)
	noErr(t, err, "CreateUser(%q)", u.ID)
	return got
}

// requireUser requires the stored user with want.ID to equal want, by ID
// and by username.
func requireUser(t reporter, e *env, want user.User) {
	t.Helper()
	got, err := e.Users().GetUser(ctx(t), want.ID)
	noErr(t, err, "GetUser")
	equal(t, normUser(want), normUser(got), "GetUser")
	got, err = e.Users().GetUserByUsername(ctx(t), want.Username)
	noErr(t, err, "GetUserByUsername")
	equal(t, normUser(want), normUser(got), "GetUserByUsername")
}

func userChecks() []check {
	return []check{
		{"a store should create a user with Version 1 and CreatedAt = UpdatedAt = its clock, and return it as stored", func(t reporter, e *env) {
			in := newUser("u1", "alice", "acme")
			in.Version = 7             // ignored
			in.CreatedAt = fixedTime() // ignored
			in.UpdatedAt = fixedTime() // ignored
			before := e.now()
			got := createUser(t, e, in)
			after := e.now()
			equal(t, int64(1), got.Version)
			e.within(t, got.CreatedAt, before, after, "CreatedAt")
			isTrue(t, got.CreatedAt.Equal(got.UpdatedAt), "CreatedAt %v != UpdatedAt %v", got.CreatedAt, got.UpdatedAt)
			want := in
			want.Version, want.CreatedAt, want.UpdatedAt = 1, got.CreatedAt, got.UpdatedAt
			equal(t, normUser(want), normUser(got), "returned user")
			requireUser(t, e, want)
		}},
		{"a store should reject a user with an empty id or username as ErrInvalid", func(t reporter, e *env) {
			_, err := e.Users().CreateUser(ctx(t), newUser("", "alice", "acme"))
			errIs(t, err, storage.ErrInvalid, "empty ID")
			_, err = e.Users().CreateUser(ctx(t), newUser("u1", "", "acme"))
			errIs(t, err, storage.ErrInvalid, "empty Username")
			list, err := e.Users().ListUsers(ctx(t), storage.UserQuery{Limit: 10})
			noErr(t, err)
			empty(t, list, "a rejected user was stored")
		}},
		{"a store should reject a duplicate user id or username as ErrConflict and keep the first user", func(t reporter, e *env) {
			first := createUser(t, e, newUser("u1", "alice", "acme"))
			_, err := e.Users().CreateUser(ctx(t), newUser("u1", "bob", "globex"))
			errIs(t, err, storage.ErrConflict, "duplicate ID")
			_, err = e.Users().CreateUser(ctx(t), newUser("u2", "alice", "globex"))
			errIs(t, err, storage.ErrConflict, "duplicate Username")
			requireUser(t, e, first)
			_, err = e.Users().GetUserByUsername(ctx(t), "bob")
			errIs(t, err, storage.ErrNotFound, "the rejected user's username")
			_, err = e.Users().GetUser(ctx(t), "u2")
			errIs(t, err, storage.ErrNotFound, "the rejected user's ID")
		}},
		{"a store should refuse a username equal to another's up to case with ErrConflict", func(t reporter, e *env) {
			first := createUser(t, e, newUser("u1", "alice", "acme"))
			for i, name := range []string{"Alice", "ALICE", "aLiCe"} {
				_, err := e.Users().CreateUser(ctx(t), newUser(fmt.Sprintf("u%d", i+2), name, "globex"))
				errIs(t, err, storage.ErrConflict, "CreateUser(%q) beside %q", name, first.Username)
			}
			requireUser(t, e, first)
			list, err := e.Users().ListUsers(ctx(t), storage.UserQuery{Limit: 10})
			noErr(t, err)
			equal(t, normUsers([]user.User{first}), normUsers(list), "a refused user was stored")
		}},
		{"a store should refuse an update renaming a user to another's username up to case with ErrConflict and change nothing", func(t reporter, e *env) {
			alice := createUser(t, e, newUser("u1", "alice", "acme"))
			bob := createUser(t, e, newUser("u2", "bob", "acme"))
			for _, name := range []string{"Alice", "ALICE"} {
				in := bob.Clone()
				in.Username = name
				in.Name = "not applied"
				_, err := e.Users().UpdateUser(ctx(t), in)
				errIs(t, err, storage.ErrConflict, "rename %q to %q beside %q", bob.Username, name, alice.Username)
			}
			requireUser(t, e, alice)
			requireUser(t, e, bob)
		}},
		{"a store should let a user change the case of its own username", func(t reporter, e *env) {
			alice := createUser(t, e, newUser("u1", "alice", "acme"))
			in := alice.Clone()
			in.Username = "Alice"
			got, err := e.Users().UpdateUser(ctx(t), in)
			noErr(t, err, "rename %q to %q", alice.Username, in.Username)
			equal(t, "Alice", got.Username)
			requireUser(t, e, got)
			for _, name := range []string{"alice", "ALICE"} {
				byName, err := e.Users().GetUserByUsername(ctx(t), name)
				noErr(t, err, "GetUserByUsername(%q)", name)
				equal(t, "Alice", byName.Username, "GetUserByUsername(%q) returns the stored spelling", name)
			}
			_, err = e.Users().CreateUser(ctx(t), newUser("u2", "alice", "acme"))
			errIs(t, err, storage.ErrConflict, "the old spelling is still the same user's")
		}},
		{"a store should find a user by username up to case, returning the stored spelling", func(t reporter, e *env) {
			mixed := createUser(t, e, newUser("u1", "Alice_Liddell", "acme"))
			for _, name := range []string{"Alice_Liddell", "alice_liddell", "ALICE_LIDDELL", "aLICE_lIDDELL"} {
				got, err := e.Users().GetUserByUsername(ctx(t), name)
				noErr(t, err, "GetUserByUsername(%q)", name)
				equal(t, normUser(mixed), normUser(got), "GetUserByUsername(%q)", name)
			}
			// Only whole names match, and only ASCII letters fold: U+212A
			// KELVIN SIGN, which Unicode lower-cases to "k", is not a "k".
			createUser(t, e, newUser("u2", "kate", "acme"))
			for _, name := range []string{"alice", "Alice_Liddel", "alice_liddell_", "alice_liddel_", "alice%", "%", "\u212Aate"} {
				_, err := e.Users().GetUserByUsername(ctx(t), name)
				errIs(t, err, storage.ErrNotFound, "GetUserByUsername(%q)", name)
			}
		}},
		{"a store should return ErrNotFound for a missing user", func(t reporter, e *env) {
			createUser(t, e, newUser("u1", "alice", "acme"))
			_, err := e.Users().GetUser(ctx(t), "u2")
			errIs(t, err, storage.ErrNotFound, "GetUser")
			_, err = e.Users().GetUserByUsername(ctx(t), "bob")
			errIs(t, err, storage.ErrNotFound, "GetUserByUsername")
			_, err = e.Users().UpdateUser(ctx(t), newUser("u2", "bob", "acme"))
			errIs(t, err, storage.ErrNotFound, "UpdateUser")
			errIs(t, e.Users().DeleteUser(ctx(t), "u2"), storage.ErrNotFound, "DeleteUser")
			_, err = e.Users().GetUser(ctx(t), "")
			anyErr(t, err, "GetUser of an empty id")
		}},
		{"a store should update a user with the version it read, bump Version, stamp UpdatedAt and keep CreatedAt", func(t reporter, e *env) {
			created := createUser(t, e, newUser("u1", "alice", "acme"))
			e.advance(time.Hour)
			in := created.Clone()
			in.Name = "Alice Liddell"
			in.Roles = []string{"admin"}
			in.Attributes = map[string]string{"dep_id": "8"}
			in.Parameters = nil
			in.SessionEpoch = 4
			in.Blocked = true
			// The second factor and the reset token change like any field.
			in.TOTPSecret, in.TOTPEnabled, in.TOTPLastStep = "v1.another-sealed-secret", false, 58_000_001
			in.RecoveryCodes = []string{strings.Repeat("d", 64)}
			in.ResetTokenHash, in.ResetExpiresAt, in.ResetEpoch = "", time.Time{}, 0
			in.CreatedAt = fixedTime() // ignored
			before := e.now()
			got, err := e.Users().UpdateUser(ctx(t), in)
			after := e.now()
			noErr(t, err)
			equal(t, int64(2), got.Version)
			isTrue(t, got.CreatedAt.Equal(created.CreatedAt), "CreatedAt changed from %v to %v", created.CreatedAt, got.CreatedAt)
			e.within(t, got.UpdatedAt, before, after, "UpdatedAt")
			if e.clock != nil {
				isTrue(t, got.UpdatedAt.After(created.UpdatedAt), "UpdatedAt did not move")
			}
			want := in
			want.Version, want.CreatedAt, want.UpdatedAt = 2, created.CreatedAt, got.UpdatedAt
			equal(t, normUser(want), normUser(got), "returned user")
			requireUser(t, e, want)

			again := got
			again.Name = "Alice L."
			got, err = e.Users().UpdateUser(ctx(t), again)
			noErr(t, err)
			equal(t, int64(3), got.Version, "second update")
		}},
		{"a store should reject an update with a stale version as ErrConflict and change nothing", func(t reporter, e *env) {
			v1 := createUser(t, e, newUser("u1", "alice", "acme"))
			first := v1.Clone()
			first.Name = "first writer"
			v2, err := e.Users().UpdateUser(ctx(t), first)
			noErr(t, err)
			for _, version := range []int64{v1.Version, 0, v2.Version + 1} {
				second := v1.Clone()
				second.Version = version
				second.Name = "second writer"
				second.Username = "mallory"
				_, err = e.Users().UpdateUser(ctx(t), second)
				errIs(t, err, storage.ErrConflict, "update with version %d (stored %d)", version, v2.Version)
			}
			requireUser(t, e, v2)
			_, err = e.Users().GetUserByUsername(ctx(t), "mallory")
			errIs(t, err, storage.ErrNotFound, "a rejected update renamed the user")
		}},
		{"a store should reject an update taking another user's username as ErrConflict and change nothing", func(t reporter, e *env) {
			alice := createUser(t, e, newUser("u1", "alice", "acme"))
			bob := createUser(t, e, newUser("u2", "bob", "acme"))
			in := bob.Clone()
			in.Username = "alice"
			in.Name = "not applied"
			_, err := e.Users().UpdateUser(ctx(t), in)
			errIs(t, err, storage.ErrConflict)
			requireUser(t, e, alice)
			requireUser(t, e, bob)
		}},
		{"a store should rename a user so that only the new username finds it", func(t reporter, e *env) {
			alice := createUser(t, e, newUser("u1", "alice", "acme"))
			in := alice.Clone()
			in.Username = "alice2"
			got, err := e.Users().UpdateUser(ctx(t), in)
			noErr(t, err)
			requireUser(t, e, got)
			_, err = e.Users().GetUserByUsername(ctx(t), "alice")
			errIs(t, err, storage.ErrNotFound, "the old username")
			createUser(t, e, newUser("u2", "alice", "acme")) // the old username is free
		}},
		{"a store should delete a user, freeing its id and username", func(t reporter, e *env) {
			createUser(t, e, newUser("u1", "alice", "acme"))
			bob := createUser(t, e, newUser("u2", "bob", "acme"))
			noErr(t, e.Users().DeleteUser(ctx(t), "u1"))
			_, err := e.Users().GetUser(ctx(t), "u1")
			errIs(t, err, storage.ErrNotFound, "GetUser after delete")
			_, err = e.Users().GetUserByUsername(ctx(t), "alice")
			errIs(t, err, storage.ErrNotFound, "GetUserByUsername after delete")
			errIs(t, e.Users().DeleteUser(ctx(t), "u1"), storage.ErrNotFound, "second delete")
			requireUser(t, e, bob)
			again := createUser(t, e, newUser("u1", "alice", "acme"))
			equal(t, int64(1), again.Version, "a re-created user starts at Version 1")
		}},
		{"a store should list users ordered by username, filtered by company, with offset and limit", func(t reporter, e *env) {
			names := []struct{ id, name, company string }{
				{"u5", "erin", "acme"}, {"u1", "alice", "globex"}, {"u3", "carol", "acme"},
				{"u2", "bob", "acme"}, {"u6", "frank", "globex"}, {"u4", "dave", "acme"},
			}
			byName := map[string]user.User{}
			for _, n := range names {
				byName[n.name] = createUser(t, e, newUser(n.id, n.name, n.company))
			}
			pick := func(ns ...string) []user.User {
				out := make([]user.User, len(ns))
				for i, n := range ns {
					out[i] = byName[n]
				}
				return normUsers(out)
			}
			for _, tc := range []struct {
				q    storage.UserQuery
				want []string
			}{
				{storage.UserQuery{Limit: 100}, []string{"alice", "bob", "carol", "dave", "erin", "frank"}},
				{storage.UserQuery{Company: "acme", Limit: 100}, []string{"bob", "carol", "dave", "erin"}},
				{storage.UserQuery{Company: "globex", Limit: 100}, []string{"alice", "frank"}},
				{storage.UserQuery{Company: "initech", Limit: 100}, nil},
				{storage.UserQuery{Company: "acm", Limit: 100}, nil},
				{storage.UserQuery{Limit: 2}, []string{"alice", "bob"}},
				{storage.UserQuery{Offset: 2, Limit: 3}, []string{"carol", "dave", "erin"}},
				{storage.UserQuery{Offset: 5, Limit: 3}, []string{"frank"}},
				{storage.UserQuery{Offset: 6, Limit: 3}, nil},
				{storage.UserQuery{Company: "acme", Offset: 1, Limit: 2}, []string{"carol", "dave"}},
			} {
				run(t, fmt.Sprintf("%+v", tc.q), func(t reporter) {
					got, err := e.Users().ListUsers(ctx(t), tc.q)
					noErr(t, err)
					equal(t, pick(tc.want...), normUsers(got))
				})
			}
		}},
		{"a store should reject a user query with Limit < 1 or a negative Offset as ErrInvalid", func(t reporter, e *env) {
			createUser(t, e, newUser("u1", "alice", "acme"))
			for _, q := range []storage.UserQuery{{Limit: 0}, {Limit: -1}, {Offset: -1, Limit: 10}} {
				_, err := e.Users().ListUsers(ctx(t), q)
				errIs(t, err, storage.ErrInvalid, "%+v", q)
			}
		}},
		{"a store should not let a caller change a user through a value passed in or returned", func(t reporter, e *env) {
			in := newUser("u1", "alice", "acme")
			got := createUser(t, e, in)
			want := got.Clone()
			mutateUser(&in)
			mutateUser(&got)
			requireUser(t, e, want)

			fetched, err := e.Users().GetUser(ctx(t), "u1")
			noErr(t, err)
			mutateUser(&fetched)
			byName, err := e.Users().GetUserByUsername(ctx(t), "alice")
			noErr(t, err)
			mutateUser(&byName)
			list, err := e.Users().ListUsers(ctx(t), storage.UserQuery{Limit: 10})
			noErr(t, err)
			hasLen(t, list, 1)
			mutateUser(&list[0])
			requireUser(t, e, want)

			upd := want.Clone()
			upd.Name = "updated"
			stored, err := e.Users().UpdateUser(ctx(t), upd)
			noErr(t, err)
			want = stored.Clone()
			mutateUser(&upd)
			mutateUser(&stored)
			requireUser(t, e, want)
		}},
	}
}

// mutateUser changes u's slices and maps in place (and, for good measure,
// a field): a store that shares them with its state would see the change.
func mutateUser(u *user.User) {
	if len(u.Roles) > 0 {
		u.Roles[0] = "mutated"
	}
	u.Roles = append(u.Roles[:len(u.Roles):len(u.Roles)], "appended")
	for k := range u.Attributes {
		u.Attributes[k] = "mutated"
	}
	if u.Attributes != nil {
		u.Attributes["added"] = "x"
	}
	for k := range u.Parameters {
		u.Parameters[k] = "mutated"
	}
	if u.Parameters != nil {
		u.Parameters["added"] = "x"
	}
	if len(u.RecoveryCodes) > 0 {
		u.RecoveryCodes[0] = "mutated"
	}
	u.Name = "mutated"
}
