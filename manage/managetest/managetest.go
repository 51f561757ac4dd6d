// Package managetest runs one scenario of package manage's API against a
// Gatehouse, so that every store (memory, SQLite, PostgreSQL, PostgreSQL
// with Redis) is shown to behave alike under it. It uses package testing
// only.
package managetest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Company is the company of the scenario's users.
const Company = "acme_corp"

// Run runs the scenario, each part as a subtest on a Gatehouse of its own
// made by open over an empty store. The Gatehouse must use a fast hasher
// (gatehousetest.Hasher) and a password policy of the defaults.
func Run(t *testing.T, open func(t *testing.T) *gatehouse.Gatehouse) {
	t.Run("Users", func(t *testing.T) { testUsers(t, open(t)) })
	t.Run("PasswordSetEndsSessions", func(t *testing.T) { testPasswordSet(t, open(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("BlockAndDelete", func(t *testing.T) { testBlockDelete(t, open(t)) })
	t.Run("Roles", func(t *testing.T) { testRoles(t, open(t)) })
	t.Run("CallerRules", func(t *testing.T) { testCallerRules(t, open(t)) })
	t.Run("Audit", func(t *testing.T) { testAudit(t, open(t)) })
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error %v, want one wrapping %v", err, target)
	}
}

// seed stores role "sales" (with specific users_manage) and creates user
// username with password "password-1" holding it.
func seed(t *testing.T, g *gatehouse.Gatehouse, username string, admin bool) user.User {
	t.Helper()
	ctx := context.Background()
	m := g.Manage()
	if _, err := m.Role(ctx, manage.System, "sales"); errors.Is(err, manage.ErrNotFound) {
		_, err := m.PutRole(ctx, manage.System, permissions.Role{Code: "sales", Specifics: []string{manage.PermUsers}})
		check(t, err)
	}
	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{
		Username: username, Password: "password-1", Company: Company, Name: "User " + username,
		Email: username + "@example.com", Roles: []string{"sales"}, Admin: admin,
	})
	check(t, err)
	return u
}

// Login logs username in with password and returns the result.
func Login(t *testing.T, g *gatehouse.Gatehouse, username, password string) *session.Result {
	t.Helper()
	res, err := g.Sessions().Login(context.Background(), session.LoginRequest{Username: username, Password: password})
	check(t, err)
	return res
}

// Authenticate authenticates res's token.
func Authenticate(g *gatehouse.Gatehouse, res *session.Result) (*session.Auth, error) {
	return g.Sessions().Authenticate(context.Background(), session.Credential{Bearer: res.Token})
}

func mustAuth(t *testing.T, g *gatehouse.Gatehouse, res *session.Result) *session.Auth {
	t.Helper()
	a, err := Authenticate(g, res)
	check(t, err)
	return a
}

func testUsers(t *testing.T, g *gatehouse.Gatehouse) {
	ctx := context.Background()
	m := g.Manage()
	alice := seed(t, g, "alice", false)
	if alice.ID == "" || alice.Version != 1 || alice.PasswordHash != "" || alice.PasswordChangedAt.IsZero() {
		t.Fatalf("created user %+v: want an id, version 1, PasswordChangedAt and no hash", alice)
	}
	if stored, err := g.Store().Users().GetUser(ctx, alice.ID); err != nil || stored.PasswordHash == "" {
		t.Fatalf("stored user: %v, hash %q: want a hash", err, stored.PasswordHash)
	}
	_, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "ALICE", Password: "password-2", Company: Company})
	wantErr(t, err, manage.ErrConflict)
	_, err = m.CreateUser(ctx, manage.System, manage.NewUser{Username: "bob", Password: "password-2", Company: Company, Roles: []string{"nope"}})
	var fe *user.FieldError
	if !errors.As(err, &fe) || fe.Field != "roles" || fe.Rule != manage.RuleUnknown {
		t.Fatalf("unknown role: error %v, want a roles field error", err)
	}
	_, err = m.CreateUser(ctx, manage.System, manage.NewUser{Username: "b", Password: "short", Company: Company})
	wantErr(t, err, manage.ErrInvalid)
	if _, err := m.UserByUsername(ctx, manage.System, "bob"); !errors.Is(err, manage.ErrNotFound) {
		t.Fatalf("a refused user was stored: %v", err)
	}
	got, err := m.UserByUsername(ctx, manage.System, "Alice")
	check(t, err)
	if got.ID != alice.ID {
		t.Fatalf("UserByUsername(Alice) = %q, want %q", got.ID, alice.ID)
	}
	up, err := m.UpdateUser(ctx, manage.System, alice.ID, func(u *user.User) error {
		u.Name = "Alice Liddell"
		return nil
	})
	check(t, err)
	if up.Name != "Alice Liddell" || up.Version != 2 {
		t.Fatalf("updated user %+v", up)
	}
	_, err = m.UpdateUser(ctx, manage.System, alice.ID, func(u *user.User) error {
		u.Email = "not an address"
		return nil
	})
	wantErr(t, err, manage.ErrInvalid)
	for _, name := range []string{"carol", "dave", "erin"} {
		seed(t, g, name, false)
	}
	_, err = m.CreateUser(ctx, manage.System, manage.NewUser{Username: "frank", Password: "password-3", Company: "other_corp"})
	check(t, err)
	page, err := m.ListUsers(ctx, manage.System, manage.UserQuery{Company: Company, Offset: 1, Limit: 2})
	check(t, err)
	if page.Total != 4 || len(page.Users) != 2 || page.Users[0].Username != "carol" || page.Users[1].Username != "dave" {
		t.Fatalf("page %+v: want carol, dave of 4", page)
	}
	page, err = m.ListUsers(ctx, manage.System, manage.UserQuery{Search: "LIDDELL"})
	check(t, err)
	if page.Total != 1 || page.Users[0].ID != alice.ID {
		t.Fatalf("search: %+v", page)
	}
	page, err = m.ListUsers(ctx, manage.System, manage.UserQuery{})
	check(t, err)
	if page.Total != 5 {
		t.Fatalf("all users: total %d, want 5", page.Total)
	}
	for _, u := range page.Users {
		if u.PasswordHash != "" {
			t.Fatalf("ListUsers returned the hash of %s", u.Username)
		}
	}
	u, err := m.AddRole(ctx, manage.System, alice.ID, "sales")
	check(t, err)
	if !slices.Equal(u.Roles, []string{"sales"}) {
		t.Fatalf("roles %v", u.Roles)
	}
	u, err = m.RemoveRole(ctx, manage.System, alice.ID, "sales")
	check(t, err)
	if len(u.Roles) != 0 {
		t.Fatalf("roles %v after RemoveRole", u.Roles)
	}
	u, err = m.SetAccess(ctx, manage.System, alice.ID, user.AccessReadOnly)
	check(t, err)
	if u.Access != user.AccessReadOnly {
		t.Fatalf("access %q", u.Access)
	}
}

func testPasswordSet(t *testing.T, g *gatehouse.Gatehouse) {
	ctx := context.Background()
	m := g.Manage()
	alice := seed(t, g, "alice", false)
	res := Login(t, g, "alice", "password-1")
	mustAuth(t, g, res)
	wantErr(t, m.SetPassword(ctx, manage.System, alice.ID, "short"), manage.ErrInvalid)
	mustAuth(t, g, res)
	check(t, m.SetPassword(ctx, manage.System, alice.ID, "password-new"))
	_, err := Authenticate(g, res)
	wantErr(t, err, session.ErrUnauthenticated)
	_, err = g.Sessions().Login(ctx, session.LoginRequest{Username: "alice", Password: "password-1"})
	wantErr(t, err, session.ErrInvalidCredentials)
	mustAuth(t, g, Login(t, g, "alice", "password-new"))
}

func testSessions(t *testing.T, g *gatehouse.Gatehouse) {
	ctx := context.Background()
	m := g.Manage()
	alice := seed(t, g, "alice", false)
	first := Login(t, g, "alice", "password-1")
	second := Login(t, g, "alice", "password-1")
	third := Login(t, g, "alice", "password-1")
	a := mustAuth(t, g, second)
	ss, err := m.Sessions(ctx, manage.Caller(a, session.Client{}), alice.ID)
	check(t, err)
	if len(ss) != 3 {
		t.Fatalf("%d sessions, want 3", len(ss))
	}
	for _, s := range ss {
		if s.Current != (s.ID == second.Session.IDHash) {
			t.Fatalf("session %s: Current %v", s.ID, s.Current)
		}
	}
	wantErr(t, m.RevokeSession(ctx, manage.System, alice.ID, "0123"), manage.ErrNotFound)
	bob := seed(t, g, "bob", false)
	wantErr(t, m.RevokeSession(ctx, manage.System, bob.ID, first.Session.IDHash), manage.ErrNotFound)
	check(t, m.RevokeSession(ctx, manage.System, alice.ID, first.Session.IDHash))
	_, err = Authenticate(g, first)
	wantErr(t, err, session.ErrUnauthenticated)
	wantErr(t, m.RevokeSession(ctx, manage.System, alice.ID, first.Session.IDHash), manage.ErrNotFound)
	n, err := m.RevokeOtherSessions(ctx, a, session.Client{})
	check(t, err)
	if n != 1 {
		t.Fatalf("RevokeOtherSessions = %d, want 1", n)
	}
	_, err = Authenticate(g, third)
	wantErr(t, err, session.ErrUnauthenticated)
	mustAuth(t, g, second)
	ss, err = m.Sessions(ctx, manage.System, alice.ID)
	check(t, err)
	if len(ss) != 1 || ss[0].ID != second.Session.IDHash || ss[0].Current {
		t.Fatalf("sessions %+v, want the second only", ss)
	}
	n, err = m.RevokeSessions(ctx, manage.System, alice.ID)
	check(t, err)
	if n != 1 {
		t.Fatalf("RevokeSessions = %d, want 1", n)
	}
	_, err = Authenticate(g, second)
	wantErr(t, err, session.ErrUnauthenticated)
	ss, err = m.Sessions(ctx, manage.System, alice.ID)
	check(t, err)
	if len(ss) != 0 {
		t.Fatalf("%d sessions after RevokeSessions", len(ss))
	}
}

func testBlockDelete(t *testing.T, g *gatehouse.Gatehouse) {
	ctx := context.Background()
	m := g.Manage()
	alice := seed(t, g, "alice", false)
	res := Login(t, g, "alice", "password-1")
	u, err := m.Block(ctx, manage.System, alice.ID)
	check(t, err)
	if !u.Blocked {
		t.Fatal("not blocked")
	}
	_, err = Authenticate(g, res)
	wantErr(t, err, session.ErrUnauthenticated)
	_, err = m.Unblock(ctx, manage.System, alice.ID)
	check(t, err)
	_, err = Authenticate(g, res)
	wantErr(t, err, session.ErrUnauthenticated) // blocking ended it for good
	res = Login(t, g, "alice", "password-1")
	mustAuth(t, g, res)
	check(t, m.DeleteUser(ctx, manage.System, alice.ID))
	_, err = Authenticate(g, res)
	wantErr(t, err, session.ErrUnauthenticated)
	s, err := g.Store().Sessions().GetSession(ctx, res.Session.IDHash)
	if err == nil && !s.Revoked {
		t.Fatal("the deleted user's session was not revoked")
	}
	_, err = m.User(ctx, manage.System, alice.ID)
	wantErr(t, err, manage.ErrNotFound)
	wantErr(t, m.DeleteUser(ctx, manage.System, alice.ID), manage.ErrNotFound)
}

func testRoles(t *testing.T, g *gatehouse.Gatehouse) {
	ctx := context.Background()
	m := g.Manage()
	created, err := m.PutRole(ctx, manage.System, permissions.Role{Code: "viewer", Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}}})
	check(t, err)
	if !created {
		t.Fatal("PutRole of a new role: created false")
	}
	created, err = m.PutRole(ctx, manage.System, permissions.Role{Code: "viewer", Title: "Viewer", FromDataFile: true,
		Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}}})
	check(t, err)
	if created {
		t.Fatal("PutRole of a stored role: created true")
	}
	if r, err := g.Store().Roles().GetRole(ctx, "viewer"); err != nil || r.FromDataFile {
		t.Fatalf("a role put at run time: %v, FromDataFile %v: want false", err, r.FromDataFile)
	}
	_, err = m.PutRole(ctx, manage.System, permissions.Role{Code: "sales", Base: []string{"viewer"}})
	check(t, err)
	for name, r := range map[string]permissions.Role{
		"unknown base": {Code: "x", Base: []string{"ghost"}},
		"cycle":        {Code: "viewer", Base: []string{"sales"}},
		"bad name":     {Code: "a b"},
	} {
		_, err := m.PutRole(ctx, manage.System, r)
		if !errors.Is(err, manage.ErrInvalid) {
			t.Fatalf("%s: error %v, want ErrInvalid", name, err)
		}
	}
	if _, err := m.Role(ctx, manage.System, "x"); !errors.Is(err, manage.ErrNotFound) {
		t.Fatalf("an invalid role was stored: %v", err)
	}
	v, err := m.Role(ctx, manage.System, "viewer")
	check(t, err)
	if len(v.Base) != 0 || v.Title != "Viewer" {
		t.Fatalf("viewer changed by a refused put: %+v", v)
	}
	check(t, g.Store().Parameters().PutSchema(ctx, storage.Schema{"Customer": {"name", "email"}}))
	_, err = m.PutRole(ctx, manage.System, permissions.Role{Code: "typo", Entities: map[string][]permissions.Op{"Custmer": {permissions.OpRead}}})
	var se *permissions.SchemaError
	if !errors.As(err, &se) || !errors.Is(err, manage.ErrInvalid) {
		t.Fatalf("schema: error %v, want a *permissions.SchemaError", err)
	}

	alice := seed(t, g, "alice", false) // holds sales
	err = m.DeleteRole(ctx, manage.System, "viewer", false)
	var inUse *manage.RoleInUseError
	if !errors.As(err, &inUse) || !errors.Is(err, manage.ErrConflict) || inUse.Holders != 0 || !slices.Equal(inUse.IncludedBy, []string{"sales"}) {
		t.Fatalf("delete viewer: %v", err)
	}
	err = m.DeleteRole(ctx, manage.System, "sales", false)
	if !errors.As(err, &inUse) || inUse.Holders != 1 || len(inUse.IncludedBy) != 0 {
		t.Fatalf("delete sales: %v", err)
	}
	check(t, m.DeleteRole(ctx, manage.System, "viewer", true))
	check(t, m.DeleteRole(ctx, manage.System, "sales", true))
	wantErr(t, m.DeleteRole(ctx, manage.System, "sales", false), manage.ErrNotFound)
	u, err := m.User(ctx, manage.System, alice.ID)
	check(t, err)
	if len(u.Roles) != 0 {
		t.Fatalf("a forced delete left the role with its holder: %v", u.Roles)
	}
	roles, err := m.Roles(ctx, manage.System)
	check(t, err)
	if len(roles) != 0 {
		t.Fatalf("roles left: %+v", roles)
	}
}

func testCallerRules(t *testing.T, g *gatehouse.Gatehouse) {
	ctx := context.Background()
	m := g.Manage()
	mgr := seed(t, g, "manager", false) // sales grants users_manage
	target := seed(t, g, "target", false)
	admin := seed(t, g, "boss", true)
	other, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "stranger", Password: "password-1", Company: "other_corp"})
	check(t, err)
	a := manage.Caller(mustAuth(t, g, Login(t, g, "manager", "password-1")), session.Client{IP: "192.0.2.1"})

	u, err := m.UpdateUser(ctx, a, target.ID, func(u *user.User) error { u.Name = "Renamed"; return nil })
	check(t, err)
	if u.Name != "Renamed" {
		t.Fatalf("name %q", u.Name)
	}
	_, err = m.User(ctx, a, other.ID)
	wantErr(t, err, manage.ErrNotFound)
	_, err = m.Block(ctx, a, admin.ID)
	wantErr(t, err, manage.ErrForbidden)
	_, err = m.Block(ctx, a, mgr.ID)
	wantErr(t, err, manage.ErrForbidden)
	wantErr(t, m.DeleteUser(ctx, a, mgr.ID), manage.ErrForbidden)
	_, err = m.CreateUser(ctx, a, manage.NewUser{Username: "newbie", Password: "password-1", Company: "other_corp"})
	wantErr(t, err, manage.ErrForbidden)
	nu, err := m.CreateUser(ctx, a, manage.NewUser{Username: "newbie", Password: "password-1", Roles: []string{"sales"}})
	check(t, err)
	if nu.Company != Company {
		t.Fatalf("a caller's new user is in %q, want its company", nu.Company)
	}
	page, err := m.ListUsers(ctx, a, manage.UserQuery{})
	check(t, err)
	if page.Total != 4 {
		t.Fatalf("a caller lists %d users, want the 4 of its company", page.Total)
	}
}

func testAudit(t *testing.T, g *gatehouse.Gatehouse) {
	ctx := context.Background()
	m := g.Manage()
	alice := seed(t, g, "alice", false)
	check(t, m.SetPassword(ctx, manage.System, alice.ID, "password-2"))
	_, err := m.Block(ctx, manage.System, alice.ID)
	check(t, err)
	_, err = m.Unblock(ctx, manage.System, alice.ID)
	check(t, err)
	_, err = m.RevokeSessions(ctx, manage.System, alice.ID)
	check(t, err)
	check(t, m.DeleteUser(ctx, manage.System, alice.ID))
	page, err := g.Store().Audit().QueryAudit(ctx, storage.AuditQuery{Company: Company, MethodGroup: manage.MethodGroup, Limit: 100})
	check(t, err)
	var ops []string
	for _, r := range page.Records {
		if r.Username != manage.SystemUsername {
			t.Fatalf("record %+v: username %q, want %q", r, r.Username, manage.SystemUsername)
		}
		ops = append(ops, r.OperationID)
	}
	for _, op := range []string{"user_create", "user_password_set", "user_block", "user_unblock", "session_revoke", "user_delete"} {
		if !slices.Contains(ops, op) {
			t.Fatalf("audit operations %v lack %s", ops, op)
		}
	}
}
