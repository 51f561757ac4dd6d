package app_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVisitorSeesTheLoginLink(t *testing.T) {
	e := start(t, nil)
	p := e.browser(t).get("/")
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "/login", p.attr("a#login-link", "href"))
	assert.Zero(t, p.count("#whoami"))
	assert.Zero(t, p.count("table#customers"), "a visitor sees no customers")
	assert.Zero(t, p.count("form#logout"))
	assert.Contains(t, p.header.Get("Content-Security-Policy"), "default-src 'none'")
}

func TestLoginFormGoesToThePageFirstAskedFor(t *testing.T) {
	e := start(t, nil)
	b := e.browser(t)

	p := b.get("/account?tab=sessions")
	require.Equal(t, http.StatusSeeOther, p.status, "a page behind the login sends a browser to the login page")
	require.Equal(t, "/login?next=%2Faccount%3Ftab%3Dsessions", p.location)

	p = b.get(p.location)
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "post", p.attr("form#login", "method"))
	assert.Equal(t, "/auth/login", p.attr("form#login", "action"))
	assert.Equal(t, 1, p.count("form#login input[name=username]"))
	assert.Equal(t, "password", p.attr("form#login input[name=password]", "type"))
	assert.Equal(t, "/account?tab=sessions", p.attr("form#login input[type=hidden][name=next]", "value"))
	assert.Equal(t, "login", p.attr("form#login button[type=submit][name=submit]", "value"))
	assert.Zero(t, p.count("#login-error"), "a fresh login page shows no error")

	// What the browser sends: the hidden next and the button's name too.
	p = b.post("/auth/login", url.Values{"username": {"alice"}, "password": {"alice-password"},
		"next": {"/account?tab=sessions"}, "submit": {"login"}})
	require.Equal(t, http.StatusSeeOther, p.status, p.body)
	assert.Equal(t, "/account?tab=sessions", p.location)

	p = b.get(p.location)
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "alice", p.text("#whoami"))
	assert.Equal(t, 1, p.count("form#password"))
	assert.Equal(t, "/auth/logout", p.attr("form#logout", "action"))
}

func TestLoginPageDropsANextOffSite(t *testing.T) {
	e := start(t, nil)
	for _, next := range []string{"//evil.example/", "https://evil.example/", `/\evil.example`} {
		p := e.browser(t).get("/login?next=" + url.QueryEscape(next))
		assert.Equal(t, "", p.attr("form#login input[name=next]", "value"), next)
	}
}

func TestWrongPasswordIsShownOnTheLoginPage(t *testing.T) {
	e := start(t, nil)
	b := e.browser(t)
	p := b.post("/auth/login", url.Values{"username": {"alice"}, "password": {"wrong-password"}, "next": {"/admin"}, "submit": {"login"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	require.Equal(t, "/login?error=invalid&next=%2Fadmin", p.location)

	p = b.get(p.location)
	require.Equal(t, http.StatusOK, p.status)
	assert.Equal(t, "Wrong username or password.", p.text("#login-error"))
	assert.Equal(t, "/admin", p.attr("form#login input[name=next]", "value"), "the next login still goes where first asked")
	assert.Zero(t, p.count("#whoami"), "not logged in")
	assert.Equal(t, http.StatusSeeOther, b.get("/account").status, "still sent to the login page")
}

func TestLockoutIsShownWithItsRetryTime(t *testing.T) {
	e := start(t, nil)
	b := e.browser(t)
	var p *page
	for range 6 { // the default throttle locks after 5 failures, for a minute
		p = b.post("/auth/login", url.Values{"username": {"carol"}, "password": {"wrong-password"}})
		require.Equal(t, http.StatusSeeOther, p.status)
	}
	require.Regexp(t, `^/login\?error=locked&retry_after=\d+$`, p.location)
	assert.Equal(t, "Too many attempts. Try again in 1 minute.", b.get(p.location).text("#login-error"))

	// The right password is refused too while locked.
	p = b.post("/auth/login", url.Values{"username": {"carol"}, "password": {"carol-password"}})
	require.Equal(t, http.StatusSeeOther, p.status)
	assert.Contains(t, p.location, "error=locked")

	for q, want := range map[string]string{
		"error=locked&retry_after=30":   "Too many attempts. Try again in 30 seconds.",
		"error=locked&retry_after=900":  "Too many attempts. Try again in 15 minutes.",
		"error=locked&retry_after=nope": "Too many attempts. Try again later.",
		"error=unavailable":             "Logging in is not possible right now. Try again in a moment.",
	} {
		assert.Equal(t, want, b.get("/login?"+q).text("#login-error"), q)
	}
	assert.Zero(t, b.get("/login?error=<b>made-up</b>").count("#login-error"), "only the known codes are shown")
}

func TestLogout(t *testing.T) {
	e := start(t, nil)
	b := e.loggedIn(t, "bob")
	p := b.post("/auth/logout", nil)
	require.Equal(t, http.StatusSeeOther, p.status)
	assert.Equal(t, "/", p.location)
	p = b.get("/")
	assert.Zero(t, p.count("#whoami"))
	assert.Equal(t, 1, p.count("a#login-link"))
	assert.Equal(t, http.StatusSeeOther, b.get("/account").status)
}
