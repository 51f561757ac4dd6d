package manage_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/manage/managetest"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

func TestScenarioMemstore(t *testing.T) {
	managetest.Run(t, func(t *testing.T) *gatehouse.Gatehouse { return gatehousetest.New(t).G })
}

// fixture is a memstore gatehouse with the roles and users of the rule
// tests:
//
//   - role "manager" grants users_manage, "rolesmgr" roles_manage,
//     "sales" and "support" nothing special;
//   - "mgr" (acme) holds manager and sales; "ro" (acme) holds manager
//     but is read-only; "plain" (acme) holds sales; "boss" (acme) is an
//     admin; "rmgr" (acme) holds rolesmgr; "alien" (other) holds manager.
type fixture struct {
	env   *gatehousetest.Env
	m     *manage.Manager
	users map[string]user.User
}

const acme, other = "acme_corp", "other_corp"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	env := gatehousetest.New(t)
	f := &fixture{env: env, m: env.G.Manage(), users: map[string]user.User{}}
	ctx := context.Background()
	for _, r := range []permissions.Role{
		{Code: "manager", Specifics: []string{manage.PermUsers}},
		{Code: "rolesmgr", Specifics: []string{manage.PermRoles}},
		{Code: "sales"},
		{Code: "support"},
	} {
		_, err := f.m.PutRole(ctx, manage.System, r)
		require.NoError(t, err)
	}
	for _, nu := range []manage.NewUser{
		{Username: "mgr", Company: acme, Roles: []string{"manager", "sales"}},
		{Username: "ro", Company: acme, Roles: []string{"manager"}, Access: user.AccessReadOnly},
		{Username: "plain", Company: acme, Roles: []string{"sales"}},
		{Username: "boss", Company: acme, Admin: true},
		{Username: "rmgr", Company: acme, Roles: []string{"rolesmgr"}},
		{Username: "alien", Company: other, Roles: []string{"manager"}},
		{Username: "target", Company: acme, Roles: []string{"sales"}},
		{Username: "faraway", Company: other},
		{Username: "senior", Company: acme, Roles: []string{"support"}},
	} {
		nu.Password = "password-" + nu.Username
		u, err := f.m.CreateUser(ctx, manage.System, nu)
		require.NoError(t, err)
		f.users[nu.Username] = u
	}
	return f
}

// as returns the Actor of a fresh login of username.
func (f *fixture) as(t *testing.T, username string) manage.Actor {
	t.Helper()
	return manage.Caller(f.auth(t, username), session.Client{IP: "192.0.2.7"})
}

func (f *fixture) auth(t *testing.T, username string) *session.Auth {
	t.Helper()
	res := managetest.Login(t, f.env.G, username, "password-"+username)
	a, err := managetest.Authenticate(f.env.G, res)
	require.NoError(t, err)
	return a
}

func (f *fixture) id(name string) string { return f.users[name].ID }

func rule(t *testing.T, err error) string {
	t.Helper()
	var fe *manage.ForbiddenError
	require.ErrorAs(t, err, &fe)
	require.ErrorIs(t, err, manage.ErrForbidden)
	return fe.Rule
}

// Every rule of who may do what, each refused as the documentation says;
// nothing is written on a refusal.
func TestCallerRules(t *testing.T) {
	ctx := context.Background()
	type op func(f *fixture, a manage.Actor) error
	rename := func(name string) op {
		return func(f *fixture, a manage.Actor) error {
			_, err := f.m.UpdateUser(ctx, a, f.id(name), func(u *user.User) error { u.Name = "Changed Name"; return nil })
			return err
		}
	}
	tests := []struct {
		name   string
		actor  string
		op     op
		rule   string // a ForbiddenError rule, or "" for the error below
		target error
	}{
		{"no users_manage: create", "plain", func(f *fixture, a manage.Actor) error {
			_, err := f.m.CreateUser(ctx, a, manage.NewUser{Username: "n1", Password: "password-1"})
			return err
		}, manage.RulePermission, nil},
		{"no users_manage: read", "plain", func(f *fixture, a manage.Actor) error {
			_, err := f.m.User(ctx, a, f.id("target"))
			return err
		}, manage.RulePermission, nil},
		{"no users_manage: list", "rmgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.ListUsers(ctx, a, manage.UserQuery{})
			return err
		}, manage.RulePermission, nil},
		{"no users_manage: password", "plain", func(f *fixture, a manage.Actor) error {
			return f.m.SetPassword(ctx, a, f.id("target"), "password-new")
		}, manage.RulePermission, nil},
		{"no users_manage: another's sessions", "plain", func(f *fixture, a manage.Actor) error {
			_, err := f.m.Sessions(ctx, a, f.id("target"))
			return err
		}, manage.RulePermission, nil},
		{"no roles_manage: put role", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.PutRole(ctx, a, permissions.Role{Code: "new"})
			return err
		}, manage.RulePermission, nil},
		{"no roles_manage: delete role", "mgr", func(f *fixture, a manage.Actor) error {
			return f.m.DeleteRole(ctx, a, "support", true)
		}, manage.RulePermission, nil},
		{"no permission to read roles", "plain", func(f *fixture, a manage.Actor) error {
			_, err := f.m.Roles(ctx, a)
			return err
		}, manage.RulePermission, nil},
		// A non-admin manager changes only users whose roles it holds:
		// otherwise it could reset the password of one who holds more and
		// act as that user.
		{"escalation: password of a user holding more", "mgr", func(f *fixture, a manage.Actor) error {
			return f.m.SetPassword(ctx, a, f.id("senior"), "password-new")
		}, manage.RuleEscalation, nil},
		{"escalation: update a user holding more", "mgr", rename("senior"), manage.RuleEscalation, nil},
		{"escalation: delete a user holding more", "mgr", func(f *fixture, a manage.Actor) error {
			return f.m.DeleteUser(ctx, a, f.id("senior"))
		}, manage.RuleEscalation, nil},
		{"escalation: revoke the sessions of a user holding more", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.RevokeSessions(ctx, a, f.id("senior"))
			return err
		}, manage.RuleEscalation, nil},
		{"self: reset own password without the current one", "mgr", func(f *fixture, a manage.Actor) error {
			return f.m.SetPassword(ctx, a, f.id("mgr"), "password-new")
		}, manage.RuleSelf, nil},
		// A non-admin roles_manage holder changes only roles nobody holds.
		{"escalation: widen a held role", "rmgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.PutRole(ctx, a, permissions.Role{Code: "sales", Specifics: []string{"*"}})
			return err
		}, manage.RuleEscalation, nil},
		{"escalation: widen its own role", "rmgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.PutRole(ctx, a, permissions.Role{Code: "rolesmgr", Specifics: []string{manage.PermRoles, manage.PermUsers}})
			return err
		}, manage.RuleEscalation, nil},
		{"escalation: delete a held role", "rmgr", func(f *fixture, a manage.Actor) error {
			return f.m.DeleteRole(ctx, a, "sales", true)
		}, manage.RuleEscalation, nil},
		{"read-only: update", "ro", rename("target"), manage.RuleReadOnly, nil},
		{"read-only: create", "ro", func(f *fixture, a manage.Actor) error {
			_, err := f.m.CreateUser(ctx, a, manage.NewUser{Username: "n2", Password: "password-1"})
			return err
		}, manage.RuleReadOnly, nil},
		{"read-only: revoke another's sessions", "ro", func(f *fixture, a manage.Actor) error {
			_, err := f.m.RevokeSessions(ctx, a, f.id("target"))
			return err
		}, manage.RuleReadOnly, nil},
		{"another company: read", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.User(ctx, a, f.id("faraway"))
			return err
		}, "", manage.ErrNotFound},
		{"another company: by username", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.UserByUsername(ctx, a, "faraway")
			return err
		}, "", manage.ErrNotFound},
		{"another company: update", "mgr", rename("faraway"), "", manage.ErrNotFound},
		{"another company: delete", "alien", func(f *fixture, a manage.Actor) error {
			return f.m.DeleteUser(ctx, a, f.id("target"))
		}, "", manage.ErrNotFound},
		{"another company: sessions", "alien", func(f *fixture, a manage.Actor) error {
			_, err := f.m.Sessions(ctx, a, f.id("target"))
			return err
		}, "", manage.ErrNotFound},
		{"another company: create", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.CreateUser(ctx, a, manage.NewUser{Username: "n3", Password: "password-1", Company: other})
			return err
		}, manage.RuleCompany, nil},
		{"another company: move", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.UpdateUser(ctx, a, f.id("target"), func(u *user.User) error { u.Company = other; return nil })
			return err
		}, manage.RuleCompany, nil},
		{"non-admin creates an admin", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.CreateUser(ctx, a, manage.NewUser{Username: "n4", Password: "password-1", Admin: true})
			return err
		}, manage.RuleAdmin, nil},
		{"non-admin makes a user admin", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.UpdateUser(ctx, a, f.id("target"), func(u *user.User) error { u.Admin = true; return nil })
			return err
		}, manage.RuleAdmin, nil},
		{"non-admin changes an admin", "mgr", rename("boss"), manage.RuleAdmin, nil},
		{"non-admin sets an admin's password", "mgr", func(f *fixture, a manage.Actor) error {
			return f.m.SetPassword(ctx, a, f.id("boss"), "password-new")
		}, manage.RuleAdmin, nil},
		{"non-admin blocks an admin", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.Block(ctx, a, f.id("boss"))
			return err
		}, manage.RuleAdmin, nil},
		{"non-admin deletes an admin", "mgr", func(f *fixture, a manage.Actor) error {
			return f.m.DeleteUser(ctx, a, f.id("boss"))
		}, manage.RuleAdmin, nil},
		{"non-admin revokes an admin's sessions", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.RevokeSessions(ctx, a, f.id("boss"))
			return err
		}, manage.RuleAdmin, nil},
		{"escalation: create with a role not held", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.CreateUser(ctx, a, manage.NewUser{Username: "n5", Password: "password-1", Roles: []string{"support"}})
			return err
		}, manage.RuleEscalation, nil},
		{"escalation: add a role not held", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.AddRole(ctx, a, f.id("target"), "rolesmgr")
			return err
		}, manage.RuleEscalation, nil},
		{"escalation: set roles", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.SetRoles(ctx, a, f.id("target"), []string{"sales", "support"})
			return err
		}, manage.RuleEscalation, nil},
		{"self: block", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.Block(ctx, a, f.id("mgr"))
			return err
		}, manage.RuleSelf, nil},
		{"self: delete", "boss", func(f *fixture, a manage.Actor) error {
			return f.m.DeleteUser(ctx, a, f.id("boss"))
		}, manage.RuleSelf, nil},
		{"self: drop admin", "boss", func(f *fixture, a manage.Actor) error {
			_, err := f.m.UpdateUser(ctx, a, f.id("boss"), func(u *user.User) error { u.Admin = false; return nil })
			return err
		}, manage.RuleSelf, nil},
		{"self: read-only", "boss", func(f *fixture, a manage.Actor) error {
			_, err := f.m.SetAccess(ctx, a, f.id("boss"), user.AccessReadOnly)
			return err
		}, manage.RuleSelf, nil},
		{"self: drop a role", "mgr", func(f *fixture, a manage.Actor) error {
			_, err := f.m.RemoveRole(ctx, a, f.id("mgr"), "manager")
			return err
		}, manage.RuleSelf, nil},
		{"unknown role", "boss", func(f *fixture, a manage.Actor) error {
			_, err := f.m.AddRole(ctx, a, f.id("target"), "ghost")
			return err
		}, "", manage.ErrInvalid},
		{"store-only field", "boss", func(f *fixture, a manage.Actor) error {
			_, err := f.m.UpdateUser(ctx, a, f.id("target"), func(u *user.User) error { u.SessionEpoch = 99; return nil })
			return err
		}, "", manage.ErrInvalid},
		{"another's session id", "mgr", func(f *fixture, a manage.Actor) error {
			other := f.auth(t, "plain")
			return f.m.RevokeSession(ctx, a, f.id("mgr"), other.Session.IDHash)
		}, "", manage.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			before := snapshot(t, f)
			err := tt.op(f, f.as(t, tt.actor))
			if tt.rule != "" {
				assert.Equal(t, tt.rule, rule(t, err), "error: %v", err)
			} else {
				require.ErrorIs(t, err, tt.target)
			}
			assert.Equal(t, before, snapshot(t, f), "a refused operation changed something")
		})
	}
}

// snapshot is what the store holds of users and roles, versions included.
func snapshot(t *testing.T, f *fixture) map[string]any {
	t.Helper()
	ctx := context.Background()
	us, err := f.env.Store.Users().ListUsers(ctx, storage.UserQuery{Limit: 1000})
	require.NoError(t, err)
	roles, err := f.env.Store.Roles().ListRoles(ctx)
	require.NoError(t, err)
	return map[string]any{"users": us, "roles": roles}
}

// What the rules allow, each by the weakest actor allowed.
func TestCallerAllowed(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	mgr, boss, ro, plain, rmgr := f.as(t, "mgr"), f.as(t, "boss"), f.as(t, "ro"), f.as(t, "plain"), f.as(t, "rmgr")

	u, err := f.m.AddRole(ctx, mgr, f.id("target"), "manager")
	require.NoError(t, err, "a manager grants a role it holds")
	assert.Equal(t, []string{"sales", "manager"}, u.Roles)
	_, err = f.m.Block(ctx, mgr, f.id("target"))
	require.NoError(t, err)
	_, err = f.m.Unblock(ctx, mgr, f.id("target"))
	require.NoError(t, err)
	require.NoError(t, f.m.SetPassword(ctx, mgr, f.id("target"), "password-new"))
	_, err = f.m.UpdateUser(ctx, boss, f.id("target"), func(u *user.User) error { u.Admin = true; return nil })
	require.NoError(t, err, "an admin makes a user admin")
	_, err = f.m.AddRole(ctx, boss, f.id("plain"), "support")
	require.NoError(t, err, "an admin grants any role")
	_, err = f.m.UpdateUser(ctx, mgr, f.id("mgr"), func(u *user.User) error { u.Name = "Me Myself"; return nil })
	require.NoError(t, err, "a manager changes its own name")

	got, err := f.m.User(ctx, ro, f.id("plain"))
	require.NoError(t, err, "a read-only manager reads")
	assert.Equal(t, "plain", got.Username)
	page, err := f.m.ListUsers(ctx, ro, manage.UserQuery{Company: other})
	require.NoError(t, err)
	assert.Zero(t, page.Total, "another company lists nobody")

	_, err = f.m.PutRole(ctx, rmgr, permissions.Role{Code: "auditor"})
	require.NoError(t, err, "roles_manage puts roles")
	_, err = f.m.Roles(ctx, mgr)
	require.NoError(t, err, "users_manage reads roles")

	// Own sessions: everyone, read-only users included.
	for _, a := range []manage.Actor{plain, ro} {
		ss, err := f.m.Sessions(ctx, a, a.Auth.User.ID)
		require.NoError(t, err)
		require.NotEmpty(t, ss)
		n, err := f.m.RevokeOtherSessions(ctx, a.Auth, a.Client)
		require.NoError(t, err)
		assert.Equal(t, len(ss)-1, n)
		require.NoError(t, f.m.RevokeSession(ctx, a, a.Auth.User.ID, a.Auth.Session.IDHash))
		s, err := f.env.Store.Sessions().GetSession(ctx, a.Auth.Session.IDHash)
		require.NoError(t, err)
		assert.True(t, s.Revoked)
	}
}

// The live-session rule: expired and idle sessions are not listed, with
// the fake clock.
func TestSessionsLiveRule(t *testing.T) {
	ctx := context.Background()
	env := gatehousetest.New(t, gatehousetest.WithConfig(func(c *gatehouse.Config) {
		c.Session.SessionTTL = 2 * time.Hour
		c.Session.IdleTimeout = 10 * time.Minute
		c.Session.TokenIdleTimeout = 20 * time.Minute
	}))
	m := env.G.Manage()
	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Password: "password-1", Company: acme})
	require.NoError(t, err)
	first := managetest.Login(t, env.G, "alice", "password-1")
	env.Clock.Add(time.Minute)
	second := managetest.Login(t, env.G, "alice", "password-1")

	ss, err := m.Sessions(ctx, manage.System, u.ID)
	require.NoError(t, err)
	require.Len(t, ss, 2)
	assert.Equal(t, second.Session.IDHash, ss[0].ID, "newest first")
	assert.Equal(t, first.Session.IDHash, ss[1].ID)
	assert.Equal(t, second.Session.ExpiresAt, ss[0].ExpiresAt)

	// Keep the second in use; the first idles past both idle timeouts.
	for range 3 {
		env.Clock.Add(8 * time.Minute)
		_, err := managetest.Authenticate(env.G, second)
		require.NoError(t, err)
	}
	ss, err = m.Sessions(ctx, manage.System, u.ID)
	require.NoError(t, err)
	require.Len(t, ss, 1, "an idle session is not live")
	assert.Equal(t, second.Session.IDHash, ss[0].ID)
	require.ErrorIs(t, m.RevokeSession(ctx, manage.System, u.ID, first.Session.IDHash), manage.ErrNotFound)

	env.Clock.Add(2 * time.Hour)
	ss, err = m.Sessions(ctx, manage.System, u.ID)
	require.NoError(t, err)
	assert.Empty(t, ss, "an expired session is not live")
}

// Updates retry on a version conflict and re-apply the change to what is
// stored, so concurrent changes of other fields are never lost.
func TestUpdateUserConcurrent(t *testing.T) {
	ctx := context.Background()
	env := gatehousetest.New(t)
	m := env.G.Manage()
	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Password: "password-1", Company: acme})
	require.NoError(t, err)
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	var wg sync.WaitGroup
	errs := make([]error, len(keys))
	for i, k := range keys {
		wg.Go(func() {
			_, errs[i] = m.UpdateUser(ctx, manage.System, u.ID, func(u *user.User) error {
				if u.Attributes == nil {
					u.Attributes = map[string]string{}
				}
				u.Attributes[k] = "1"
				return nil
			})
		})
	}
	wg.Wait()
	got, err := m.User(ctx, manage.System, u.ID)
	require.NoError(t, err)
	for i, k := range keys {
		if errs[i] == nil {
			assert.Equal(t, "1", got.Attributes[k], "attribute %s written and then lost", k)
		} else {
			require.ErrorIs(t, errs[i], manage.ErrConflict)
		}
	}

	// A change function's error is returned as it is, and nothing written.
	boom := errors.New("boom")
	_, err = m.UpdateUser(ctx, manage.System, u.ID, func(*user.User) error { return boom })
	require.ErrorIs(t, err, boom)
	again, err := m.User(ctx, manage.System, u.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Version, again.Version)

	// A change that changes nothing writes nothing.
	same, err := m.UpdateUser(ctx, manage.System, u.ID, func(*user.User) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, got.Version, same.Version)
}

// Validation: every field by the data file's rules, every error naming
// the field and rule; usernames unique up to case.
func TestCreateUserValidation(t *testing.T) {
	ctx := context.Background()
	env := gatehousetest.New(t)
	m := env.G.Manage()
	_, err := m.PutRole(ctx, manage.System, permissions.Role{Code: "sales"})
	require.NoError(t, err)
	base := manage.NewUser{Username: "alice", Password: "password-1", Company: acme}
	tests := []struct {
		name        string
		change      func(*manage.NewUser)
		field, rule string
	}{
		{"username pattern", func(n *manage.NewUser) { n.Username = "al ice" }, "username", user.RulePattern},
		{"username missing", func(n *manage.NewUser) { n.Username = "" }, "username", user.RuleRequired},
		{"company missing for System", func(n *manage.NewUser) { n.Company = "" }, "company_key", user.RuleRequired},
		{"email", func(n *manage.NewUser) { n.Email = "alice" }, "email", user.RuleFormat},
		{"phone", func(n *manage.NewUser) { n.Phone = "call me" }, "phone", user.RulePattern},
		{"timezone", func(n *manage.NewUser) { n.Timezone = "Mars/Olympus" }, "timezone", user.RuleZone},
		{"access", func(n *manage.NewUser) { n.Access = "root" }, "access", user.RuleEnum},
		{"name with an override", func(n *manage.NewUser) { n.Name = "ad\u202emin" }, "name", user.RuleFormat},
		{"short password", func(n *manage.NewUser) { n.Password = "short" }, "password", user.RuleLength},
		{"unknown role", func(n *manage.NewUser) { n.Roles = []string{"sales", "ghost", "phantom"} }, "roles", manage.RuleUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nu := base
			tt.change(&nu)
			_, err := m.CreateUser(ctx, manage.System, nu)
			require.ErrorIs(t, err, manage.ErrInvalid)
			var fe *user.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.field, fe.Field)
			assert.Equal(t, tt.rule, fe.Rule)
			assert.NotContains(t, err.Error(), "password-1")
		})
	}
	_, err = m.UserByUsername(ctx, manage.System, "alice")
	require.ErrorIs(t, err, manage.ErrNotFound, "nothing stored")
	var fe *user.FieldError
	_, err = m.CreateUser(ctx, manage.System, manage.NewUser{Username: "bob", Password: "password-1", Company: acme, Roles: []string{"ghost", "phantom"}})
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, fe.Message, `"ghost"`)
	assert.Contains(t, fe.Message, `"phantom"`)

	// No password: stored without a hash, cannot log in until one is set.
	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "nopass", Company: acme})
	require.NoError(t, err)
	stored, err := env.Store.Users().GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Empty(t, stored.PasswordHash)
	_, err = env.G.Sessions().Login(ctx, session.LoginRequest{Username: "nopass", Password: "anything"})
	require.ErrorIs(t, err, session.ErrInvalidCredentials)
	require.NoError(t, m.SetPassword(ctx, manage.System, u.ID, "password-2"))
	managetest.Login(t, env.G, "NoPass", "password-2")

	// A username taken up to case, on create and on rename.
	_, err = m.CreateUser(ctx, manage.System, manage.NewUser{Username: "NOPASS", Company: acme})
	require.ErrorIs(t, err, manage.ErrConflict)
	b, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "bob", Company: acme})
	require.NoError(t, err)
	_, err = m.UpdateUser(ctx, manage.System, b.ID, func(u *user.User) error { u.Username = "nOpAsS"; return nil })
	require.ErrorIs(t, err, manage.ErrConflict)
	r, err := m.UpdateUser(ctx, manage.System, b.ID, func(u *user.User) error { u.Username = "Bob"; return nil })
	require.NoError(t, err, "a user changes the case of its own username")
	assert.Equal(t, "Bob", r.Username)

	// A role given twice is held once.
	d, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "dup", Company: acme, Roles: []string{"sales", "sales"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"sales"}, d.Roles)

	// The policy of the sessions applies.
	strict := gatehousetest.New(t, gatehousetest.WithConfig(func(c *gatehouse.Config) {
		c.Session.PasswordPolicy = user.PasswordPolicy{MinLength: 12}
	}))
	_, err = strict.G.Manage().CreateUser(ctx, manage.System, manage.NewUser{Username: "carol", Password: "password-1", Company: acme})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "password", fe.Field)
}

// Every change is audited with the actor and the target, never a secret.
func TestAuditActorAndTarget(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	mgr := f.as(t, "mgr")
	mgr.Client.TraceCode = "8f9d2c1e-4b7a-4c3d-9e8f-1a2b3c4d5e6f"
	require.NoError(t, f.m.SetPassword(ctx, mgr, f.id("target"), "secret-password-9"))
	rec, err := f.env.Store.Audit().GetAudit(ctx, mgr.Client.TraceCode)
	require.NoError(t, err)
	assert.Equal(t, "user_password_set", rec.OperationID)
	assert.Equal(t, "mgr", rec.Username)
	assert.Equal(t, acme, rec.Company)
	assert.Equal(t, "192.0.2.7", rec.ClientIP)
	assert.Equal(t, manage.MethodGroup, rec.MethodGroup)
	assert.Contains(t, rec.Detail, "target")
	assert.Contains(t, rec.Detail, f.id("target"))
	assert.NotContains(t, rec.Detail, "secret-password-9")

	_, err = f.m.UpdateUser(ctx, manage.System, f.id("target"), func(u *user.User) error {
		u.Name, u.Phone = "Secret Name", "+1 555 0100"
		return nil
	})
	require.NoError(t, err)
	page, err := f.env.Store.Audit().QueryAudit(ctx, storage.AuditQuery{Company: acme, OperationID: "user_update", Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	assert.Equal(t, manage.SystemUsername, page.Records[0].Username)
	assert.True(t, strings.HasSuffix(page.Records[0].Detail, "changed: name,phone"), page.Records[0].Detail)
	assert.NotContains(t, page.Records[0].Detail, "Secret Name")

	rmgr := f.as(t, "rmgr")
	_, err = f.m.PutRole(ctx, rmgr, permissions.Role{Code: "auditor"})
	require.NoError(t, err)
	require.NoError(t, f.m.DeleteRole(ctx, rmgr, "auditor", false))
	for _, op := range []string{"role_put", "role_delete"} {
		page, err := f.env.Store.Audit().QueryAudit(ctx, storage.AuditQuery{Company: acme, OperationID: op, Limit: 10})
		require.NoError(t, err)
		require.Len(t, page.Records, 1, op)
		assert.Equal(t, "rmgr", page.Records[0].Username)
		assert.Equal(t, "role auditor", strings.TrimSuffix(page.Records[0].Detail, " created"))
	}
}

func TestNew(t *testing.T) {
	_, err := manage.New(nil, nil, manage.Config{})
	require.Error(t, err)
	env := gatehousetest.New(t)
	m, err := manage.New(env.Store, env.G.Sessions(), manage.Config{})
	require.NoError(t, err)
	_, err = m.CreateUser(context.Background(), manage.System, manage.NewUser{Username: "alice", Company: acme})
	require.NoError(t, err)
	_, err = m.RevokeOtherSessions(context.Background(), nil, session.Client{})
	require.ErrorIs(t, err, manage.ErrInvalid)
}

func TestUserParametersMustBeStoredParameters(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, err := f.m.CreateUser(ctx, manage.System, manage.NewUser{Username: "pia", Password: "password-1", Company: acme, Parameters: map[string]string{"no_such": "1"}})
	var fe *user.FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "parameters", fe.Field)
	assert.Equal(t, manage.RuleUnknown, fe.Rule)
	assert.Contains(t, fe.Message, "no_such")
	_, err = f.m.UserByUsername(ctx, manage.System, "pia")
	assert.ErrorIs(t, err, manage.ErrNotFound, "nothing stored")

	_, err = f.m.UpdateUser(ctx, manage.System, f.id("target"), func(u *user.User) error {
		u.Parameters = map[string]string{"no_such": "1"}
		return nil
	})
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "parameters", fe.Field)
}
