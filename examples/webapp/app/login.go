package app

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gatehouse-go/gatehouse"
)

// loginView is the data of the login page.
type loginView struct {
	// Error says why the last attempt failed, in words.
	Error string
	// Next is where a successful login goes: the page first asked for.
	Next string
}

// loginPage serves GET /login. Its form posts to gatehouse's POST
// /auth/login, which on success sends the browser to next and on failure
// back here with ?error=invalid, ?error=locked&retry_after=<seconds> or
// ?error=unavailable, which the page puts in words.
func (a *App) loginPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := loginView{}
	if next := q.Get("next"); gatehouse.IsLocalPath(next) {
		p.Next = next
	}
	switch q.Get("error") {
	case gatehouse.LoginInvalid:
		p.Error = "Wrong username or password."
	case gatehouse.LoginLocked:
		var wait time.Duration
		if s, err := strconv.ParseInt(q.Get("retry_after"), 10, 32); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		p.Error = "Too many attempts. " + retryIn(wait)
	case gatehouse.LoginUnavailable:
		p.Error = "Logging in is not possible right now. Try again in a moment."
	}
	v := newView(r, "Log in")
	v.Page = p
	a.render(w, r, http.StatusOK, "login", v)
}
