package app

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse-go/gatehouse/session"
)

// totpView is the two-factor section of the account page.
type totpView struct {
	// Enabled says every login needs a one-time code.
	Enabled bool
	// Pending says an enrolment was begun but not confirmed; its secret is
	// not shown again (it is stored sealed), so the page offers to begin
	// anew.
	Pending bool
	// Enrolment is the secret just begun, shown with the confirm form.
	Enrolment *session.TOTPEnrolment
	// RecoveryCodes are the codes just made by the confirmation, shown this
	// once.
	RecoveryCodes []string
}

// beginTOTP serves POST /account/totp: a new secret for the user's
// authenticator app, shown with the form that confirms it.
func (a *App) beginTOTP(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	if _, f := readForm(w, r); f != nil {
		a.accountFailed(w, r, f)
		return
	}
	enr, err := a.g.Sessions().BeginTOTP(r.Context(), auth, a.g.Client(r))
	if err != nil {
		a.totpFailed(w, r, err)
		return
	}
	v := newView(r, "Account")
	v.Flash = "Add this secret to your authenticator app, then enter the code it shows to turn two-factor login on."
	a.renderAccountTOTP(w, r, http.StatusOK, v, &totpView{Pending: true, Enrolment: &enr})
}

// confirmTOTP serves POST /account/totp/confirm: the code of the pending
// enrolment turns two-factor login on, and the recovery codes are shown
// once.
func (a *App) confirmTOTP(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	form, f := readForm(w, r, "code")
	if f != nil {
		a.accountFailed(w, r, f)
		return
	}
	code := strings.Join(strings.Fields(form.Get("code")), "") // "123 456" as some apps show it
	if code == "" {
		a.accountFailed(w, r, fail(http.StatusBadRequest, "Enter the code your authenticator app shows. Two-factor login was not turned on."))
		return
	}
	if len(code) > 16 {
		a.accountFailed(w, r, fail(http.StatusBadRequest, "That code is too long: it has 6 digits. Two-factor login was not turned on."))
		return
	}
	codes, err := a.g.Sessions().ConfirmTOTP(r.Context(), auth, code, a.g.Client(r))
	if err != nil {
		a.totpFailed(w, r, err)
		return
	}
	v := newView(r, "Account")
	v.Flash = "Two-factor login is on: every login now needs a code from your authenticator app."
	a.renderAccountTOTP(w, r, http.StatusOK, v, &totpView{Enabled: true, RecoveryCodes: codes})
}

// disableTOTP serves POST /account/totp/disable: with the user's password,
// the second factor and its recovery codes are removed.
func (a *App) disableTOTP(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok {
		a.fail500(w, r, errNoAuth)
		return
	}
	form, f := readForm(w, r, "password")
	if f != nil {
		a.accountFailed(w, r, f)
		return
	}
	password := form.Get("password")
	if password == "" {
		a.accountFailed(w, r, fail(http.StatusBadRequest, "Enter your password. Two-factor login is still on."))
		return
	}
	if err := a.g.Sessions().DisableTOTP(r.Context(), auth, password, a.g.Client(r)); err != nil {
		a.totpFailed(w, r, err)
		return
	}
	http.Redirect(w, r, "/account?done=totp-off", http.StatusSeeOther)
}

// totpFailed words an error of the TOTP methods in #flash.
func (a *App) totpFailed(w http.ResponseWriter, r *http.Request, err error) {
	var (
		f      *failure
		locked *session.LockedError
	)
	switch {
	case errors.Is(err, session.ErrInvalidCode):
		f = fail(http.StatusBadRequest, "That code is wrong (or has expired). Two-factor login was not turned on; enter the code your app shows now.")
	case errors.Is(err, session.ErrMFAEnabled):
		f = fail(http.StatusConflict, "Two-factor login is already on. Turn it off first to set up a new authenticator app.")
	case errors.Is(err, session.ErrNoEnrolment):
		f = fail(http.StatusConflict, "There is no two-factor set-up in progress. Begin the set-up first.")
	case errors.Is(err, session.ErrInvalidCredentials):
		f = fail(http.StatusForbidden, "The password is wrong. Two-factor login is still on.")
	case errors.As(err, &locked):
		f = fail(http.StatusTooManyRequests, "Too many wrong passwords. %s", retryIn(locked.RetryAfter))
	case errors.Is(err, session.ErrMFAUnavailable):
		f = fail(http.StatusServiceUnavailable, "Two-factor login is not available on this server.")
	case errors.Is(err, session.ErrUnauthenticated):
		a.refuse(w, r, http.StatusUnauthorized, "Your session has ended. Log in again.")
		return
	case errors.Is(err, session.ErrBusy), errors.Is(err, session.ErrStore):
		f = fail(http.StatusServiceUnavailable, "This could not be done right now. Nothing was changed; try again in a moment.")
	default:
		a.fail500(w, r, err)
		return
	}
	a.accountFailed(w, r, f)
}
