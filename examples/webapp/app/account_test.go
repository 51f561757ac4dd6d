package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sessionIDs are the public ids of the rows of the sessions table: the
// current one first, then the others.
func sessionIDs(t *testing.T, p *page) (current string, others []string) {
	t.Helper()
	require.Equal(t, http.StatusOK, p.status, p.body)
	current = p.attr("table#sessions tr.session.current", "data-id")
	for _, n := range p.all("table#sessions tr.session") {
		if id := attrOf(n, "data-id"); id != current {
			others = append(others, id)
		}
	}
	return current, others
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	e := start(t, nil)
	a, b := e.loggedIn(t, "carol"), e.loggedIn(t, "carol")
	require.Equal(t, http.StatusOK, b.get("/account").status)

	p := a.post("/account/password", url.Values{"current_password": {"carol-password"}, "new_password": {"carol-new-password"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	require.Equal(t, "/account?done=password", p.location)
	p = a.get(p.location)
	require.Equal(t, http.StatusOK, p.status, "the browser that changed it goes on with the new session")
	assert.Equal(t, "Password changed. Every other session was logged out.", p.text("#flash"))
	assert.Equal(t, "carol", p.text("#whoami"))
	_, others := sessionIDs(t, p)
	assert.Empty(t, others, "only the new session is live")

	p = b.get("/account")
	require.Equal(t, http.StatusSeeOther, p.status, "the other browser's session ended")
	assert.Equal(t, "/login?next=%2Faccount", p.location)

	c := e.browser(t)
	p = c.post("/auth/login", url.Values{"username": {"carol"}, "password": {"carol-password"}})
	assert.Equal(t, "/login?error=invalid", p.location, "the old password is gone")
	c.login("carol", "carol-new-password")
}

func TestPasswordChangeRefusals(t *testing.T) {
	e := start(t, nil)
	a, b := e.loggedIn(t, "carol"), e.loggedIn(t, "carol")
	for _, tc := range []struct {
		form   url.Values
		status int
		want   string
	}{
		{url.Values{"current_password": {"wrong-password"}, "new_password": {"carol-new-password"}}, http.StatusForbidden, "The current password is wrong. Nothing was changed."},
		{url.Values{"current_password": {"carol-password"}, "new_password": {"short"}}, http.StatusBadRequest, "New password: must be"},
		{url.Values{"current_password": {""}, "new_password": {"carol-new-password"}}, http.StatusBadRequest, "Enter your current password."},
		{url.Values{"current_password": {"carol-password"}}, http.StatusBadRequest, "Enter a new password."},
		{url.Values{"current_password": {"carol-password"}, "new_password": {"carol-new-password"}, "admin": {"1"}}, http.StatusBadRequest, `field "admin"`},
	} {
		p := a.post("/account/password", tc.form)
		assert.Equal(t, tc.status, p.status, tc.form)
		assert.Contains(t, p.text("#flash"), tc.want, tc.form)
		assert.Equal(t, 1, p.count("form#password"), "the account page is shown again")
	}
	assert.Equal(t, http.StatusOK, b.get("/account").status, "nothing changed: the other session lives")
	e.browser(t).login("carol", "carol-password")
}

func TestRevokeASessionFromTheList(t *testing.T) {
	e := start(t, nil)
	a, b := e.loggedIn(t, "alice"), e.loggedIn(t, "alice")
	_, bOthers := sessionIDs(t, b.get("/account"))
	require.Len(t, bOthers, 1)

	p := a.get("/account")
	current, others := sessionIDs(t, p)
	require.Equal(t, bOthers, []string{current}, "each browser sees the other's session as the other")
	require.Len(t, others, 1)
	assert.Contains(t, p.text("table#sessions tr.session.current"), "this one")
	assert.Zero(t, p.count("table#sessions tr.session.current form.revoke"), "no log out button on this session")
	row := "table#sessions tr.session[data-id=" + others[0] + "]"
	assert.Contains(t, p.text(row), "127.0.0.1", "the address")
	assert.Contains(t, p.text(row), "Go program", "the browser")
	action := p.attr(row+" form.revoke", "action")
	require.Equal(t, "/account/sessions/"+others[0]+"/revoke", action)

	p = a.post(action, nil)
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = a.get(p.location)
	assert.Equal(t, "That session was logged out.", p.text("#flash"))
	_, others = sessionIDs(t, p)
	assert.Empty(t, others)
	assert.Equal(t, http.StatusSeeOther, b.get("/account").status, "b's session ended")

	// Again: it is gone.
	p = a.post(action, nil)
	assert.Equal(t, http.StatusNotFound, p.status)
	assert.Contains(t, p.text("#flash"), "no such session")
	// Another user's session cannot be named.
	bob := e.loggedIn(t, "bob")
	bobs, _ := sessionIDs(t, bob.get("/account"))
	assert.Equal(t, http.StatusNotFound, a.post("/account/sessions/"+bobs+"/revoke", nil).status)
	assert.Equal(t, http.StatusOK, bob.get("/account").status, "bob's session lives")
}

func TestLogOutEverywhereElse(t *testing.T) {
	e := start(t, nil)
	a, b, c := e.loggedIn(t, "bob"), e.loggedIn(t, "bob"), e.loggedIn(t, "bob")
	p := a.post("/account/sessions/revoke-others", nil)
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = a.get(p.location)
	assert.Equal(t, "2 other sessions were logged out.", p.text("#flash"))
	_, others := sessionIDs(t, p)
	assert.Empty(t, others)
	assert.Equal(t, http.StatusSeeOther, b.get("/account").status)
	assert.Equal(t, http.StatusSeeOther, c.get("/account").status)
}

func TestProfileChange(t *testing.T) {
	e := start(t, nil)
	bob := e.loggedIn(t, "bob")
	p := bob.get("/account")
	assert.Equal(t, "Bob Viewer", p.attr("form#profile input[name=name]", "value"))
	assert.Equal(t, "bob@example.com", p.attr("form#profile input[name=email]", "value"))

	p = bob.post("/account/profile", url.Values{"name": {"Robert Viewer"}, "email": {"robert@example.com"}, "phone": {"+49 30 555 0100"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	p = bob.get(p.location)
	assert.Equal(t, "Profile saved.", p.text("#flash"))
	assert.Equal(t, "Robert Viewer", p.attr("form#profile input[name=name]", "value"))
	assert.Equal(t, "robert@example.com", p.attr("form#profile input[name=email]", "value"))
	assert.Equal(t, "+49 30 555 0100", p.attr("form#profile input[name=phone]", "value"))

	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"name": {"Robert"}, "email": {"not-an-address"}, "phone": {""}}, "E-mail address: must be a bare e-mail address"},
		{url.Values{"name": {"Robert"}, "email": {""}, "phone": {"call me"}}, "Phone: must hold only digits"},
		{url.Values{"name": {"Robert"}, "email": {""}}, "lacks the field Phone"},
		{url.Values{"name": {"Robert"}, "email": {""}, "phone": {""}, "company_key": {"other"}}, `field "company_key"`},
	} {
		p := bob.post("/account/profile", tc.form)
		assert.Equal(t, http.StatusBadRequest, p.status, tc.form)
		assert.Contains(t, p.text("#flash"), tc.want, tc.form)
	}
	p = bob.get("/account")
	assert.Equal(t, "Robert Viewer", p.attr("form#profile input[name=name]", "value"), "nothing of the refused forms was written")
	assert.Equal(t, "+49 30 555 0100", p.attr("form#profile input[name=phone]", "value"))

	// Empty fields clear.
	require.Equal(t, http.StatusSeeOther, bob.post("/account/profile", url.Values{"name": {""}, "email": {""}, "phone": {""}}).status)
	p = bob.get("/account")
	assert.Equal(t, "", p.attr("form#profile input[name=phone]", "value"))
}

func TestReadOnlyUserManagesItsOwnCredentials(t *testing.T) {
	e := start(t, nil)
	g := e.app.Gatehouse()
	u, err := g.Manage().UserByUsername(t.Context(), manage.System, "bob")
	require.NoError(t, err)
	_, err = g.Manage().SetAccess(t.Context(), manage.System, u.ID, user.AccessReadOnly)
	require.NoError(t, err)
	a, b, c := e.loggedIn(t, "bob"), e.loggedIn(t, "bob"), e.loggedIn(t, "bob")

	p := a.post("/account/profile", url.Values{"name": {"Bob"}, "email": {"bob@example.com"}, "phone": {""}})
	assert.Equal(t, http.StatusForbidden, p.status, "a read-only user changes no profile")
	assert.Contains(t, p.text("#refused"), "read-only")

	_, others := sessionIDs(t, a.get("/account"))
	require.Len(t, others, 2)
	p = a.post("/account/sessions/"+others[0]+"/revoke", nil)
	require.Equal(t, http.StatusSeeOther, p.status, "but ends its own sessions: %s", p.body)
	p = a.post("/account/password", url.Values{"current_password": {"bob-password"}, "new_password": {"bob-new-password"}})
	require.Equal(t, http.StatusSeeOther, p.status, "and changes its own password: %s", p.body)
	assert.Equal(t, http.StatusOK, a.get("/account").status)
	assert.Equal(t, http.StatusSeeOther, b.get("/account").status)
	assert.Equal(t, http.StatusSeeOther, c.get("/account").status)
}
