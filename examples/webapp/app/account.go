package app

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// accountView is the data of the account page.
type accountView struct {
	Name, Email, Phone string
	Sessions           []sessionRow
	// TOTP is the state of the user's second factor.
	TOTP totpView
}

// sessionRow is one of the user's live sessions.
type sessionRow struct {
	ID       string
	Browser  string
	IP       string
	LastSeen string
	Current  bool
}

// accountDone are the messages of a successful change, by the done code the
// redirect after it carries: fixed texts, so a link cannot make the page
// say anything else.
var accountDone = map[string]string{
	"password": "Password changed. Every other session was logged out.",
	"profile":  "Profile saved.",
	"revoked":  "That session was logged out.",
	"totp-off": "Two-factor login is off: logging in needs only your password again.",
}

// account serves GET /account.
func (a *App) account(w http.ResponseWriter, r *http.Request) {
	v := newView(r, "Account")
	q := r.URL.Query()
	if msg, ok := accountDone[q.Get("done")]; ok {
		v.Flash = msg
	} else if q.Get("done") == "revoked-others" {
		if n, err := strconv.Atoi(q.Get("n")); err == nil && n >= 0 {
			v.Flash = strconv.Itoa(n) + " other " + plural(int64(n), "session was", "sessions were") + " logged out."
		}
	}
	a.renderAccount(w, r, http.StatusOK, v)
}

// renderAccount renders the account page with v's flash: the form values are
// the user's as stored, and the sessions are read afresh.
func (a *App) renderAccount(w http.ResponseWriter, r *http.Request, status int, v view) {
	a.renderAccountTOTP(w, r, status, v, nil)
}

// renderAccountTOTP is renderAccount with the second factor's section as t
// says (after a change in this request, which the request's user does not
// show yet); nil means as stored.
func (a *App) renderAccountTOTP(w http.ResponseWriter, r *http.Request, status int, v view, t *totpView) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	u := auth.User
	p := accountView{Name: u.Name, Email: u.Email, Phone: u.Phone}
	if t != nil {
		p.TOTP = *t
	} else {
		p.TOTP = totpView{Enabled: u.TOTPEnabled, Pending: !u.TOTPEnabled && u.TOTPSecret != ""}
	}
	sessions, err := a.g.Manage().Sessions(r.Context(), a.actor(r, auth), u.ID)
	if err != nil {
		a.manageFailed(w, r, err)
		return
	}
	loc := userLocation(&u)
	for _, s := range sessions {
		p.Sessions = append(p.Sessions, sessionRow{
			ID: s.ID, Browser: browser(s.UserAgent), IP: s.IP,
			LastSeen: s.LastSeenAt.In(loc).Format("2 Jan 2006 15:04 MST"), Current: s.Current,
		})
	}
	v.Page = p
	a.render(w, r, status, "account", v)
}

// accountFailed renders the account page with a refusal in #flash.
func (a *App) accountFailed(w http.ResponseWriter, r *http.Request, f *failure) {
	v := newView(r, "Account")
	v.Flash, v.FlashError = f.message, true
	a.renderAccount(w, r, f.status, v)
}

// changePassword serves POST /account/password: the current password and a
// new one. ChangePassword ends every session of the user, this one too, and
// opens a new one, whose cookie replaces this one's.
func (a *App) changePassword(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	form, f := readForm(w, r, "current_password", "new_password")
	if f != nil {
		a.accountFailed(w, r, f)
		return
	}
	current, next := form.Get("current_password"), form.Get("new_password")
	switch {
	case current == "":
		a.accountFailed(w, r, fail(http.StatusBadRequest, "Enter your current password."))
		return
	case next == "":
		a.accountFailed(w, r, fail(http.StatusBadRequest, "Enter a new password."))
		return
	}
	res, err := a.g.Sessions().ChangePassword(r.Context(), auth, current, next, a.g.Client(r))
	if err != nil {
		var locked *session.LockedError
		switch {
		case errors.Is(err, session.ErrInvalidCredentials):
			f = fail(http.StatusForbidden, "The current password is wrong. Nothing was changed.")
		case errors.As(err, &locked):
			f = fail(http.StatusTooManyRequests, "Too many wrong passwords. %s", retryIn(locked.RetryAfter))
		case errors.Is(err, user.ErrInvalid):
			msg, _ := fieldMessage(err, map[string]string{"password": "new_password"})
			f = fail(http.StatusBadRequest, "%s Nothing was changed.", msg)
		case errors.Is(err, session.ErrUnauthenticated):
			a.refuse(w, r, http.StatusUnauthorized, "Your session has ended. Log in again.")
			return
		case errors.Is(err, session.ErrBusy), errors.Is(err, session.ErrStore):
			f = fail(http.StatusServiceUnavailable, "The password could not be changed right now. Nothing was changed; try again in a moment.")
		default:
			a.fail500(w, r, err)
			return
		}
		a.accountFailed(w, r, f)
		return
	}
	// The old session is over: the browser keeps going with the new one.
	a.g.SetSessionCookie(w, res)
	http.Redirect(w, r, "/account?done=password", http.StatusSeeOther)
}

// updateProfile serves POST /account/profile: name, e-mail address and
// phone; an empty field clears it. gatehouse validates them as it validates
// a data file's users.
func (a *App) updateProfile(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	form, f := readForm(w, r, "name", "email", "phone")
	if f != nil {
		a.accountFailed(w, r, f)
		return
	}
	fields := [...]string{"name", "email", "phone"}
	var values [len(fields)]string
	for i, k := range fields {
		if _, ok := form[k]; !ok {
			a.accountFailed(w, r, fail(http.StatusBadRequest, "The form lacks the field %s.", label(k)))
			return
		}
		values[i] = strings.TrimSpace(form.Get(k))
	}
	_, err := a.g.Sessions().UpdateAccount(r.Context(), auth, func(u *user.User) error {
		u.Name, u.Email, u.Phone = values[0], values[1], values[2]
		return nil
	}, a.g.Client(r))
	if err != nil {
		switch {
		case errors.Is(err, user.ErrInvalid):
			msg, ok := fieldMessage(err, nil)
			if !ok {
				msg = "The profile is not valid."
			}
			f = fail(http.StatusBadRequest, "%s Nothing was changed.", msg)
		case errors.Is(err, session.ErrReadOnly):
			f = fail(http.StatusForbidden, "Your account is read-only. Nothing was changed.")
		case errors.Is(err, session.ErrConflict):
			f = fail(http.StatusConflict, "Your account was changed elsewhere at the same time. Nothing was changed; try again.")
		case errors.Is(err, session.ErrUnauthenticated):
			a.refuse(w, r, http.StatusUnauthorized, "Your session has ended. Log in again.")
			return
		case errors.Is(err, session.ErrStore):
			f = fail(http.StatusServiceUnavailable, "The profile could not be saved right now. Nothing was changed; try again in a moment.")
		default:
			a.fail500(w, r, err)
			return
		}
		a.accountFailed(w, r, f)
		return
	}
	http.Redirect(w, r, "/account?done=profile", http.StatusSeeOther)
}

// revokeSession serves POST /account/sessions/{id}/revoke: "log out" on one
// of the user's sessions (its public id, which authenticates nothing).
func (a *App) revokeSession(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	if _, f := readForm(w, r); f != nil {
		a.accountFailed(w, r, f)
		return
	}
	id := r.PathValue("id")
	if !isSessionID(id) {
		a.accountFailed(w, r, fail(http.StatusNotFound, "There is no such session of yours."))
		return
	}
	if err := a.g.Manage().RevokeSession(r.Context(), a.actor(r, auth), auth.User.ID, id); err != nil {
		if errors.Is(err, manage.ErrNotFound) {
			a.accountFailed(w, r, fail(http.StatusNotFound, "There is no such session of yours: it may have ended already."))
			return
		}
		a.manageFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=revoked", http.StatusSeeOther)
}

// revokeOthers serves POST /account/sessions/revoke-others: "log out
// everywhere else".
func (a *App) revokeOthers(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	if _, f := readForm(w, r); f != nil {
		a.accountFailed(w, r, f)
		return
	}
	n, err := a.g.Manage().RevokeOtherSessions(r.Context(), auth, a.g.Client(r))
	if err != nil {
		a.manageFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=revoked-others&n="+strconv.Itoa(n), http.StatusSeeOther)
}

// isSessionID reports whether s has the form of a session's public id (64
// lower-case hex digits).
func isSessionID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// userLocation is the user's time zone, UTC without one.
func userLocation(u *user.User) *time.Location {
	if u.Timezone != "" {
		if loc, err := time.LoadLocation(u.Timezone); err == nil {
			return loc
		}
	}
	return time.UTC
}

// browser names the browser and system of a user agent, roughly, for the
// sessions list; an unknown one is shown as it is (shortened).
func browser(ua string) string {
	if ua == "" {
		return "unknown"
	}
	name := ""
	for _, b := range []struct{ token, name string }{
		{"Edg/", "Edge"}, {"OPR/", "Opera"}, {"Firefox/", "Firefox"}, {"HeadlessChrome/", "Chrome (headless)"},
		{"Chrome/", "Chrome"}, {"Chromium/", "Chromium"}, {"Safari/", "Safari"}, {"curl/", "curl"}, {"Go-http-client/", "Go program"},
	} {
		if strings.Contains(ua, b.token) {
			name = b.name
			break
		}
	}
	system := ""
	for _, s := range []struct{ token, name string }{
		{"Android", "Android"}, {"iPhone", "iPhone"}, {"iPad", "iPad"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"},
	} {
		if strings.Contains(ua, s.token) {
			system = s.name
			break
		}
	}
	switch {
	case name != "" && system != "":
		return name + " on " + system
	case name != "":
		return name
	}
	if r := []rune(ua); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return ua
}
