package manage_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// newGatehouse is the Gatehouse of the examples: an in-memory store, a
// fixed clock and the fast test hasher.
func newGatehouse() *gatehouse.Gatehouse {
	g, _ := newClocked()
	return g
}

// newClocked is newGatehouse with its clock.
func newClocked() (*gatehouse.Gatehouse, *gatehousetest.Clock) {
	clock := gatehousetest.NewClock(gatehousetest.StartTime())
	g, err := gatehouse.New(gatehouse.Config{
		Now:     clock.Now,
		Logger:  slog.New(slog.DiscardHandler),
		Session: session.Config{Hasher: gatehousetest.Hasher()},
	})
	if err != nil {
		panic(err)
	}
	return g, clock
}

func ExampleManager_CreateUser() {
	g := newGatehouse()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	if _, err := m.PutRole(ctx, manage.System, permissions.Role{Code: "sales"}); err != nil {
		panic(err)
	}
	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{
		Username: "alice", Password: "correct horse", Company: "acme_corp",
		Name: "Alice Liddell", Roles: []string{"sales"},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Username, u.Company, u.Roles, len(u.ID), u.Version)

	// Usernames are unique up to case.
	_, err = m.CreateUser(ctx, manage.System, manage.NewUser{Username: "ALICE", Password: "correct horse", Company: "acme_corp"})
	fmt.Println(errors.Is(err, manage.ErrConflict))

	// Every field is validated; the error names the field and the rule.
	_, err = m.CreateUser(ctx, manage.System, manage.NewUser{Username: "bob", Password: "correct horse", Company: "acme_corp", Roles: []string{"ghost"}})
	var fe *user.FieldError
	if errors.As(err, &fe) {
		fmt.Println(fe.Field, fe.Rule, fe.Message)
	}
	// Output:
	// alice acme_corp [sales] 36 1
	// true
	// roles unknown unknown role "ghost"
}

func ExampleManager_SetPassword() {
	g := newGatehouse()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Password: "correct horse", Company: "acme_corp"})
	if err != nil {
		panic(err)
	}
	res, err := g.Sessions().Login(ctx, session.LoginRequest{Username: "alice", Password: "correct horse"})
	if err != nil {
		panic(err)
	}

	// An administrator's reset: the new hash and a new session epoch in
	// one write, so every session and token of the user dies at once.
	if err := m.SetPassword(ctx, manage.System, u.ID, "battery staple"); err != nil {
		panic(err)
	}
	_, err = g.Sessions().Authenticate(ctx, session.Credential{Bearer: res.Token})
	fmt.Println(errors.Is(err, session.ErrUnauthenticated))
	_, err = g.Sessions().Login(ctx, session.LoginRequest{Username: "alice", Password: "battery staple"})
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}

func ExampleManager_PutRole() {
	g := newGatehouse()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	created, err := m.PutRole(ctx, manage.System, permissions.Role{
		Code:     "viewer",
		Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}},
	})
	fmt.Println(created, err)

	// A role is checked against the whole catalogue: an unknown base role
	// is refused, and nothing is stored.
	_, err = m.PutRole(ctx, manage.System, permissions.Role{Code: "sales", Base: []string{"viewr"}})
	fmt.Println(errors.Is(err, manage.ErrInvalid), errors.Is(err, permissions.ErrUnknownRole))
	_, err = m.Role(ctx, manage.System, "sales")
	fmt.Println(errors.Is(err, manage.ErrNotFound))
	// Output:
	// true <nil>
	// true true
	// true
}

func ExampleManager_DeleteRole() {
	g := newGatehouse()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	for _, r := range []permissions.Role{{Code: "viewer"}, {Code: "sales", Base: []string{"viewer"}}} {
		if _, err := m.PutRole(ctx, manage.System, r); err != nil {
			panic(err)
		}
	}
	if _, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Company: "acme_corp", Roles: []string{"viewer"}}); err != nil {
		panic(err)
	}

	err := m.DeleteRole(ctx, manage.System, "viewer", false)
	var inUse *manage.RoleInUseError
	if errors.As(err, &inUse) {
		fmt.Println(inUse.Holders, inUse.IncludedBy, errors.Is(err, manage.ErrConflict))
	}
	fmt.Println(err)

	// Forced, the role is also taken from its holders and from the roles
	// that include it.
	fmt.Println(m.DeleteRole(ctx, manage.System, "viewer", true))
	u, _ := m.UserByUsername(ctx, manage.System, "alice")
	sales, _ := m.Role(ctx, manage.System, "sales")
	fmt.Println(len(u.Roles), len(sales.Base))
	// Output:
	// 1 [sales] true
	// manage: role "viewer" is in use: held by 1 user(s), included by sales
	// <nil>
	// 0 0
}

func ExampleManager_Sessions() {
	g, clock := newClocked()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Password: "correct horse", Company: "acme_corp"})
	if err != nil {
		panic(err)
	}
	var logins []*session.Result
	for _, agent := range []string{"phone", "laptop", "tablet"} {
		clock.Add(time.Minute)
		res, err := g.Sessions().Login(ctx, session.LoginRequest{
			Username: "alice", Password: "correct horse", Client: session.Client{UserAgent: agent},
		})
		if err != nil {
			panic(err)
		}
		logins = append(logins, res)
	}
	// Alice, on her laptop, lists her sessions: no permission is needed
	// for one's own.
	a, err := g.Sessions().Authenticate(ctx, session.Credential{Bearer: logins[1].Token})
	if err != nil {
		panic(err)
	}
	me := manage.Caller(a, session.Client{})
	ss, err := m.Sessions(ctx, me, u.ID)
	if err != nil {
		panic(err)
	}
	// Newest first; s.ID is the sid of the session's tokens, which never
	// authenticates.
	for _, s := range ss {
		fmt.Println(s.UserAgent, s.Current, s.CreatedAt.Format(time.TimeOnly), s.ID == logins[0].Session.IDHash)
	}
	// Output:
	// tablet false 12:03:00 false
	// laptop true 12:02:00 false
	// phone false 12:01:00 true
}

func ExampleManager_RevokeOtherSessions() {
	g := newGatehouse()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Password: "correct horse", Company: "acme_corp"})
	if err != nil {
		panic(err)
	}
	var tokens []string
	for range 3 {
		res, err := g.Sessions().Login(ctx, session.LoginRequest{Username: "alice", Password: "correct horse"})
		if err != nil {
			panic(err)
		}
		tokens = append(tokens, res.Token)
	}
	a, err := g.Sessions().Authenticate(ctx, session.Credential{Bearer: tokens[2]})
	if err != nil {
		panic(err)
	}
	// "Log out other devices".
	n, err := m.RevokeOtherSessions(ctx, a, session.Client{})
	fmt.Println(n, err)
	ss, _ := m.Sessions(ctx, manage.System, u.ID)
	fmt.Println(len(ss))
	_, err = g.Sessions().Authenticate(ctx, session.Credential{Bearer: tokens[0]})
	fmt.Println(errors.Is(err, session.ErrUnauthenticated))
	// Output:
	// 2 <nil>
	// 1
	// true
}

// A caller is held to the rules of who may do what.
func ExampleActor() {
	g := newGatehouse()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	if _, err := m.PutRole(ctx, manage.System, permissions.Role{Code: "manager", Specifics: []string{manage.PermUsers}}); err != nil {
		panic(err)
	}
	if _, err := m.PutRole(ctx, manage.System, permissions.Role{Code: "auditor"}); err != nil {
		panic(err)
	}
	if _, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "mia", Password: "correct horse", Company: "acme_corp", Roles: []string{"manager"}}); err != nil {
		panic(err)
	}
	res, err := g.Sessions().Login(ctx, session.LoginRequest{Username: "mia", Password: "correct horse"})
	if err != nil {
		panic(err)
	}
	a, err := g.Sessions().Authenticate(ctx, session.Credential{Bearer: res.Token})
	if err != nil {
		panic(err)
	}
	mia := manage.Caller(a, session.Client{IP: "192.0.2.1"})

	// Mia creates users in her company, with roles she holds.
	u, err := m.CreateUser(ctx, mia, manage.NewUser{Username: "ned", Password: "correct horse", Roles: []string{"manager"}})
	fmt.Println(u.Company, err)
	// She may not grant a role she does not hold, nor create an admin.
	_, err = m.AddRole(ctx, mia, u.ID, "auditor")
	fmt.Println(err)
	_, err = m.CreateUser(ctx, mia, manage.NewUser{Username: "root", Password: "correct horse", Admin: true})
	fmt.Println(err)
	// Output:
	// acme_corp <nil>
	// manage: forbidden: escalation: a non-admin grants only roles it holds; it does not hold "auditor"
	// manage: forbidden: admin: only an admin creates an admin
}

func ExampleManager_UpdateUser() {
	g := newGatehouse()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Password: "correct horse", Company: "acme_corp"})
	if err != nil {
		panic(err)
	}
	// The change is applied to the user as stored, and again after a
	// concurrent change; what it changes is validated.
	u, err = m.UpdateUser(ctx, manage.System, u.ID, func(u *user.User) error {
		u.Name, u.Email = "Alice Liddell", "alice@example.com"
		return nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(u.Name, u.Email, u.Version)

	_, err = m.UpdateUser(ctx, manage.System, u.ID, func(u *user.User) error { u.Email = "not an address"; return nil })
	fmt.Println(errors.Is(err, manage.ErrInvalid))
	// Output:
	// Alice Liddell alice@example.com 2
	// true
}

func ExampleManager_ListUsers() {
	g := newGatehouse()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	for _, name := range []string{"carol", "alice", "bob", "alina"} {
		if _, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: name, Password: "correct horse", Company: "acme_corp"}); err != nil {
			panic(err)
		}
	}
	page, err := m.ListUsers(ctx, manage.System, manage.UserQuery{Company: "acme_corp", Search: "al", Limit: 1})
	if err != nil {
		panic(err)
	}
	fmt.Println(page.Total, page.Users[0].Username)
	// Output:
	// 2 alice
}

func ExampleManager_Block() {
	g := newGatehouse()
	defer g.Close()
	ctx := context.Background()
	m := g.Manage()

	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Password: "correct horse", Company: "acme_corp"})
	if err != nil {
		panic(err)
	}
	res, err := g.Sessions().Login(ctx, session.LoginRequest{Username: "alice", Password: "correct horse"})
	if err != nil {
		panic(err)
	}
	if _, err := m.Block(ctx, manage.System, u.ID); err != nil {
		panic(err)
	}
	_, err = g.Sessions().Authenticate(ctx, session.Credential{Bearer: res.Token})
	fmt.Println("token after block:", errors.Is(err, session.ErrUnauthenticated))

	if err := m.DeleteUser(ctx, manage.System, u.ID); err != nil {
		panic(err)
	}
	_, err = m.User(ctx, manage.System, u.ID)
	fmt.Println("after delete:", errors.Is(err, manage.ErrNotFound))
	// Output:
	// token after block: true
	// after delete: true
}
