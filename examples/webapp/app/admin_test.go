package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// userRow is the selector of a user's row on the admin page.
func userRow(username string) string { return "table#users tr.user[data-username=" + username + "]" }

func TestAdminPageRefusedWithoutUsersManage(t *testing.T) {
	e := start(t, nil)
	for _, name := range []string{"carol", "bob"} {
		b := e.loggedIn(t, name)
		p := b.get("/admin")
		assert.Equal(t, http.StatusForbidden, p.status, name)
		assert.Contains(t, p.text("#refused"), "users_manage", name)
		assert.Zero(t, p.count("table#users"), name)

		p = b.post("/admin/users", url.Values{"username": {"mallory"}, "password": {"mallory-password"}, "roles": {"sales"}})
		assert.Equal(t, http.StatusForbidden, p.status, name)
		p = b.post("/admin/users/alice/password", url.Values{"password": {"taken-over-password"}})
		assert.Equal(t, http.StatusForbidden, p.status, name)
	}
	e.browser(t).login("alice", "alice-password") // alice's password was not reset
	mallory := e.browser(t)
	p := mallory.post("/auth/login", url.Values{"username": {"mallory"}, "password": {"mallory-password"}})
	assert.Equal(t, "/login?error=invalid", p.location, "nobody was created")

	// A visitor is sent to the login page.
	p = e.browser(t).get("/admin")
	require.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, "/login?next=%2Fadmin", p.location)
}

func TestAdminCreatesAUserWhoThenLogsIn(t *testing.T) {
	e := start(t, nil)
	alice := e.loggedIn(t, "alice")
	p := alice.get("/")
	assert.Equal(t, 1, p.count(`nav a[href="/admin"]`), "the nav links to the admin page")

	p = alice.get("/admin")
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, []string{"alice", "bob", "carol"}, p.attrs("table#users tr.user", "data-username"))
	assert.Equal(t, []string{"manager", "sales", "viewer"}, p.attrs("form#create-user input[name=roles]", "value"))
	assert.Zero(t, p.count(userRow("alice")+" form"), "no forms on alice's own row")
	for _, sel := range []string{"form.reset-password", "form.block", "form.roles"} {
		assert.Equal(t, 1, p.count(userRow("bob")+" "+sel), sel)
	}
	assert.Equal(t, []string{"viewer"}, checked(p, userRow("bob")+" form.roles"))

	p = alice.post("/admin/users", url.Values{"username": {"dora"}, "password": {"dora-password-1"}, "name": {"Dora Viewer"},
		"email": {"dora@example.com"}, "roles": {"viewer", "sales"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = alice.get(p.location)
	assert.Equal(t, "User dora created.", p.text("#flash"))
	require.Equal(t, 1, p.count(userRow("dora")))
	assert.Contains(t, p.text(userRow("dora")), "Dora Viewer")
	assert.Equal(t, []string{"sales", "viewer"}, checked(p, userRow("dora")+" form.roles"))

	dora := e.browser(t)
	dora.login("dora", "dora-password-1")
	assert.Equal(t, 4, dora.get("/").count("th[data-attr]"), "sales and viewer: every column")
	assert.Equal(t, http.StatusForbidden, dora.get("/admin").status)

	// The done message names only a listed user.
	assert.Zero(t, alice.get("/admin?done=created&user=nobody").count("#flash"))
}

// checked are the values of the checked checkboxes under sel.
func checked(p *page, sel string) []string {
	var out []string
	for _, n := range p.all(sel + " input[type=checkbox]") {
		if _, ok := attrValue(n, "checked"); ok {
			out = append(out, attrOf(n, "value"))
		}
	}
	return out
}

func TestAdminCreateRefusals(t *testing.T) {
	e := start(t, nil)
	alice := e.loggedIn(t, "alice")
	for _, tc := range []struct {
		form   url.Values
		status int
		want   string
	}{
		{url.Values{"username": {"carol"}, "password": {"another-password"}}, http.StatusConflict, "The username carol is taken."},
		{url.Values{"username": {"CAROL"}, "password": {"another-password"}}, http.StatusConflict, "is taken"},
		{url.Values{"username": {"ed"}, "password": {"ed-password"}, "email": {"nope"}}, http.StatusBadRequest, "E-mail address: must be a bare e-mail address"},
		{url.Values{"username": {"e d"}, "password": {"ed-password"}}, http.StatusBadRequest, "Username: must hold only ASCII letters"},
		{url.Values{"username": {"ed"}, "password": {"short"}}, http.StatusBadRequest, "Password: must be"},
		{url.Values{"username": {"ed"}}, http.StatusBadRequest, "Enter a password"},
		{url.Values{"username": {"ed"}, "password": {"ed-password"}, "roles": {"ghost"}}, http.StatusBadRequest, `Roles: unknown role "ghost"`},
		{url.Values{"username": {"ed"}, "password": {"ed-password"}, "admin": {"true"}}, http.StatusBadRequest, `field "admin"`},
	} {
		p := alice.post("/admin/users", tc.form)
		assert.Equal(t, tc.status, p.status, tc.form)
		assert.Contains(t, p.text("#flash"), tc.want, tc.form)
		assert.Equal(t, []string{"alice", "bob", "carol"}, p.attrs("table#users tr.user", "data-username"), "nobody was created")
	}
	// A refused form is shown again, without the password.
	p := alice.post("/admin/users", url.Values{"username": {"ed"}, "password": {"ed-password"}, "name": {"Ed"}, "email": {"nope"}, "roles": {"sales"}})
	assert.Equal(t, "ed", p.attr("form#create-user input[name=username]", "value"))
	assert.Equal(t, "", p.attr("form#create-user input[name=password]", "value"))
	assert.Equal(t, []string{"sales"}, checked(p, "form#create-user"))
}

func TestAdminBlocksResetsAndAssignsRoles(t *testing.T) {
	e := start(t, nil)
	alice := e.loggedIn(t, "alice")
	carol := e.loggedIn(t, "carol")

	p := alice.post("/admin/users/carol/block", nil)
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = alice.get(p.location)
	assert.Equal(t, "User carol blocked: every session of carol was logged out.", p.text("#flash"))
	assert.Equal(t, 1, p.count(userRow("carol")+".blocked form.unblock"))
	assert.Equal(t, http.StatusSeeOther, carol.get("/account").status, "carol's session ended")
	lp := e.browser(t).post("/auth/login", url.Values{"username": {"carol"}, "password": {"carol-password"}})
	assert.Equal(t, "/login?error=invalid", lp.location, "a blocked user cannot log in")

	require.Equal(t, http.StatusSeeOther, alice.post("/admin/users/carol/unblock", nil).status)
	carol = e.loggedIn(t, "carol")

	p = alice.post("/admin/users/carol/password", url.Values{"password": {"carol-reset-password"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, "Password of carol reset: every session of carol was logged out.", alice.get(p.location).text("#flash"))
	assert.Equal(t, http.StatusSeeOther, carol.get("/account").status)
	carol = e.browser(t)
	carol.login("carol", "carol-reset-password")
	assert.Equal(t, 3, carol.get("/").count("form.edit"))

	// Roles: carol becomes a viewer, and loses her edit forms at once.
	p = alice.post("/admin/users/carol/roles", url.Values{"roles": {"viewer"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = alice.get(p.location)
	assert.Equal(t, "Roles of carol saved.", p.text("#flash"))
	assert.Equal(t, []string{"viewer"}, checked(p, userRow("carol")+" form.roles"))
	assert.Zero(t, carol.get("/").count("form.edit"))
	assert.Equal(t, http.StatusForbidden, carol.post("/customers/c1", url.Values{"name": {"Too late"}}).status)
}

func TestAdminChangesRefusedByManageRules(t *testing.T) {
	e := start(t, nil)
	alice := e.loggedIn(t, "alice")
	for _, tc := range []struct {
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"/admin/users/alice/block", nil, http.StatusForbidden, "Refused: nobody blocks itself."},
		{"/admin/users/alice/password", url.Values{"password": {"new-alice-password"}}, http.StatusForbidden, "nobody resets its own password here"},
		{"/admin/users/alice/roles", url.Values{"roles": {"viewer"}}, http.StatusForbidden, "nobody demotes itself"},
		{"/admin/users/ghost/block", nil, http.StatusNotFound, "There is no such user."},
		{"/admin/users/bob/password", url.Values{"password": {"short"}}, http.StatusBadRequest, "Password: must be"},
		{"/admin/users/bob/password", url.Values{}, http.StatusBadRequest, "Enter the new password."},
		{"/admin/users/bob/roles", url.Values{"roles": {"ghost"}}, http.StatusBadRequest, `Roles: unknown role "ghost"`},
	} {
		p := alice.post(tc.path, tc.form)
		assert.Equal(t, tc.status, p.status, tc.path)
		assert.Contains(t, p.text("#flash"), tc.want, tc.path)
	}
	p := alice.get("/admin")
	assert.Equal(t, []string{"viewer"}, checked(p, userRow("bob")+" form.roles"), "nothing changed")
	assert.Equal(t, 0, p.count("tr.user.blocked"))
	e.browser(t).login("bob", "bob-password")
}
