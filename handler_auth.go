package gatehouse

import (
	"errors"
	"net/http"
	"net/url"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// tokenRequest is the body of POST /token.
type tokenRequest struct {
	Username   *string `json:"username"`
	Password   *string `json:"password"`
	TTLSeconds *int64  `json:"ttl_seconds"`
	// OTP and RecoveryCode are the second factor of a user with TOTP.
	OTP          *string `json:"otp"`
	RecoveryCode *string `json:"recovery_code"`
}

// secondFactor is the optional second factor of a login request.
type secondFactor struct{ otp, recovery string }

// secondFactorFields checks the optional otp and recovery_code fields: at
// most one, each of bounded length.
func secondFactorFields(otp, recovery *string) (secondFactor, error) {
	var f secondFactor
	if otp != nil {
		if len(*otp) > 16 {
			return f, errorf(http.StatusBadRequest, "otp: at most 16 characters (length)")
		}
		f.otp = *otp
	}
	if recovery != nil {
		if len(*recovery) > 64 {
			return f, errorf(http.StatusBadRequest, "recovery_code: at most 64 characters (length)")
		}
		f.recovery = *recovery
	}
	if f.otp != "" && f.recovery != "" {
		return f, errorf(http.StatusBadRequest, "otp: give otp or recovery_code, not both")
	}
	return f, nil
}

// serveToken answers POST /token: the JWT of a new session as a JSON
// string.
func (g *Gatehouse) serveToken(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var req tokenRequest
	if err := g.decodeJSON(r, &req); err != nil {
		return err
	}
	username, password, err := credentialsFields(req.Username, req.Password)
	if err != nil {
		return err
	}
	factor, err := secondFactorFields(req.OTP, req.RecoveryCode)
	if err != nil {
		return err
	}
	var ttl time.Duration
	if req.TTLSeconds != nil {
		s := *req.TTLSeconds
		if s < int64(token.MinTTL/time.Second) || s > int64(token.MaxTTL/time.Second) {
			return errorf(http.StatusBadRequest, "ttl_seconds: must be %d..%d (range)", int64(token.MinTTL/time.Second), int64(token.MaxTTL/time.Second))
		}
		ttl = time.Duration(s) * time.Second
	}
	res, err := g.login(r, username, password, factor, ttl)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, res.Token)
}

// credentialsFields checks username and password as the account service
// limits them.
func credentialsFields(username, password *string) (string, string, error) {
	if username == nil {
		return "", "", errorf(http.StatusBadRequest, "username: is required (required)")
	}
	if fe := user.ValidateUsername(*username); fe != nil {
		return "", "", fieldError(fe, "username")
	}
	if password == nil {
		return "", "", errorf(http.StatusBadRequest, "password: is required (required)")
	}
	if err := user.ValidatePassword(*password); err != nil {
		return "", "", fieldError(err, "password")
	}
	return *username, *password, nil
}

// fieldError turns a user validation error into a 400 naming field and
// rule; any other error is returned as it is.
func fieldError(err error, field string) error {
	var fe *user.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	return errorf(http.StatusBadRequest, "%s: %s (%s)", field, fe.Message, fe.Rule)
}

// login runs a login and maps its errors. Unknown user, wrong password,
// blocked user and a wrong or replayed one-time code get one answer; so do
// locked usernames whether or not they exist. A user with TOTP who sent no
// code gets 401 "one-time code required" (after the right password only).
func (g *Gatehouse) login(r *http.Request, username, password string, f secondFactor, ttl time.Duration) (*session.Result, error) {
	res, err := g.sessions.Login(r.Context(), session.LoginRequest{
		Username: username, Password: password, TTL: ttl, Client: g.client(r),
		OTP: f.otp, RecoveryCode: f.recovery,
	})
	if err != nil {
		return nil, credentialError(err, "invalid username or password", http.StatusUnauthorized)
	}
	ri := infoFrom(r.Context())
	ri.company, ri.username = res.User.Company, res.User.Username
	return res, nil
}

// credentialError maps the errors of a password check.
func credentialError(err error, wrong string, wrongStatus int) error {
	var locked *session.LockedError
	switch {
	case errors.Is(err, session.ErrInvalidCredentials):
		return errorf(wrongStatus, "%s", wrong)
	case errors.Is(err, session.ErrOTPRequired):
		return errorf(http.StatusUnauthorized, "one-time code required")
	case errors.Is(err, session.ErrMFAUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Message: "one-time codes cannot be checked; use a recovery code", Err: err}
	case errors.As(err, &locked):
		return &Error{Status: http.StatusTooManyRequests, Message: "too many attempts; retry later", RetryAfter: locked.RetryAfter}
	case errors.Is(err, session.ErrBusy):
		return &Error{Status: http.StatusServiceUnavailable, Message: "busy; retry later", RetryAfter: time.Second, Err: err}
	case errors.Is(err, session.ErrUnauthenticated):
		return &Error{Status: http.StatusUnauthorized, Message: "not authenticated", Err: err}
	case errors.Is(err, user.ErrInvalid):
		return fieldError(err, "password")
	case errors.Is(err, token.ErrTTL):
		return errorf(http.StatusBadRequest, "ttl_seconds: must be 60..31556926 (range)")
	}
	return errUnavailable(err)
}

// tokenCheck is the answer of POST /token/check.
type tokenCheck struct {
	Valid bool     `json:"valid"`
	Roles []string `json:"roles"`
}

// serveTokenCheck answers POST /token/check: {valid, roles} for a JWT
// given as a JSON string. A token that does not name a live session, and a
// body that is no JSON string, are {valid: false, roles: []}, never an
// error status. Roles are the user's current role codes, not the token's
// claim.
func (g *Gatehouse) serveTokenCheck(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	out := tokenCheck{Roles: []string{}}
	var tok string
	if err := g.decodeJSON(r, &tok); err == nil && tok != "" {
		if a, err := g.sessions.Authenticate(r.Context(), session.Credential{Bearer: tok}); err == nil {
			out.Valid = true
			if len(a.User.Roles) > 0 {
				out.Roles = a.User.Roles
			}
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, out)
}

// passwordRequest is the body of POST /password.
type passwordRequest struct {
	CurrentPassword *string `json:"current_password"`
	NewPassword     *string `json:"new_password"`
}

// servePassword answers POST /password: checks the current password,
// stores the new one, ends every older session and token of the user and
// returns the JWT of a new session (and, for a cookie caller, a new cookie).
func (g *Gatehouse) servePassword(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var req passwordRequest
	if err := g.decodeJSON(r, &req); err != nil {
		return err
	}
	if req.CurrentPassword == nil {
		return errorf(http.StatusBadRequest, "current_password: is required (required)")
	}
	if err := user.ValidatePassword(*req.CurrentPassword); err != nil {
		return fieldError(err, "current_password")
	}
	if req.NewPassword == nil {
		return errorf(http.StatusBadRequest, "new_password: is required (required)")
	}
	res, err := g.sessions.ChangePassword(r.Context(), a, *req.CurrentPassword, *req.NewPassword, g.client(r))
	if err != nil {
		if errors.Is(err, user.ErrInvalid) {
			return fieldError(err, "new_password")
		}
		return credentialError(err, "current_password: wrong password", http.StatusForbidden)
	}
	if a.ViaCookie() {
		g.setCookie(w, res)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, res.Token)
}

// serveLogin answers POST /login, JSON {username, password} or an HTML
// form, and sets the session cookie. The body never carries the id. A
// session cookie the browser still presents is revoked first (a new id at
// every login: no fixation). Credentials in the query string are refused.
//
// An API client (JSON, or a form-encoded body from a script or a tool)
// gets 204, or the error. A browser submitting a form (isFormSubmission)
// is answered 303: to its next (a field, or the query's) when that is a
// local path, else to the default destination; a failed one back to the
// login page with the reason (failFormLogin). A form may carry fields
// besides username and password (a submit button's name, next); a JSON
// body may not.
func (g *Gatehouse) serveLogin(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	browser := isFormSubmission(r)
	if err := loginQuery(r, browser); err != nil {
		return err
	}
	if err := g.csrf.Check(r); err != nil {
		return errCrossOrigin(err)
	}
	var (
		username, password *string
		otp, recovery      *string
		next               string
		err                error
	)
	if isForm(r) {
		if err = g.parseForm(r); err == nil {
			next = formNext(r)
			username, password, otp, recovery, err = loginFormFields(r)
		}
	} else {
		var req struct {
			Username     *string `json:"username"`
			Password     *string `json:"password"`
			OTP          *string `json:"otp"`
			RecoveryCode *string `json:"recovery_code"`
		}
		if err = g.decodeJSON(r, &req); err == nil {
			username, password, otp, recovery = req.Username, req.Password, req.OTP, req.RecoveryCode
		}
	}
	if err == nil {
		_, err = g.loginWith(w, r, username, password, otp, recovery)
	}
	switch {
	case browser && err != nil:
		g.failFormLogin(w, r, next, err)
	case browser:
		g.redirectLocal(w, next)
	case err != nil:
		return err
	default:
		w.WriteHeader(http.StatusNoContent)
	}
	return nil
}

// loginQuery refuses a query on POST /login, where credentials do not
// belong (they end up in logs and histories), but a form's next.
func loginQuery(r *http.Request, form bool) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	if !form {
		return errorf(http.StatusBadRequest, "query: not allowed; send the credentials in the body (location)")
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err == nil && len(q) == 1 && len(q["next"]) == 1 {
		return nil
	}
	return errorf(http.StatusBadRequest, "query: not allowed but a form's next; send the credentials in the body (location)")
}

// loginFormFields returns the username, password, otp and recovery_code
// of a login form, each given at most once and valid UTF-8. Other fields
// are ignored.
func loginFormFields(r *http.Request) (username, password, otp, recovery *string, err error) {
	fields := map[string]**string{"username": &username, "password": &password, "otp": &otp, "recovery_code": &recovery}
	for _, k := range []string{"username", "password", "otp", "recovery_code"} {
		v, ok := r.PostForm[k]
		if !ok {
			continue
		}
		if len(v) != 1 {
			return nil, nil, nil, nil, errorf(http.StatusBadRequest, "%s: given more than once", k)
		}
		s := v[0]
		if !utf8.ValidString(s) {
			return nil, nil, nil, nil, errorf(http.StatusBadRequest, "%s: invalid UTF-8 (encoding)", k)
		}
		*fields[k] = &s
	}
	return username, password, otp, recovery, nil
}

// loginWith checks the credentials, revokes the session the browser still
// presents and logs in, setting the cookie.
func (g *Gatehouse) loginWith(w http.ResponseWriter, r *http.Request, username, password, otp, recovery *string) (*session.Result, error) {
	u, p, err := credentialsFields(username, password)
	if err != nil {
		return nil, err
	}
	f, err := secondFactorFields(otp, recovery)
	if err != nil {
		return nil, err
	}
	for _, c := range r.CookiesNamed(g.cookieName) {
		if err := g.sessions.RevokeID(r.Context(), c.Value); err != nil {
			return nil, errUnavailable(err)
		}
	}
	res, err := g.login(r, u, p, f, 0)
	if err != nil {
		return nil, err
	}
	g.setCookie(w, res)
	w.Header().Set("Cache-Control", "no-store")
	return res, nil
}

// serveLogout answers POST /logout and DELETE /session: revokes the
// caller's session and, once it is ended, clears the cookie (a failed
// revocation is a 503 that leaves the cookie, since the session may still
// be live). A refused credential (401) clears it too, so that a browser
// drops a dead cookie — but only for a request that passes the
// cross-origin check (the route's clearCookieOn401): a SameSite=Lax cookie
// is not sent on a cross-site form post, and clearing it then would let any
// page log a browser out.
func (g *Gatehouse) serveLogout(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	if err := g.sessions.Logout(r.Context(), a, g.client(r)); err != nil {
		return &Error{Status: http.StatusServiceUnavailable, Message: "logout failed; the session may still be live", Err: err}
	}
	g.clearCookie(w)
	if isFormSubmission(r) {
		g.redirectAfterForm(w, r)
		return nil
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// redirectAfterForm answers a browser's form submission (a logout) with
// 303 to its next, or the default destination.
func (g *Gatehouse) redirectAfterForm(w http.ResponseWriter, r *http.Request) {
	next := ""
	if g.parseForm(r) == nil {
		next = formNext(r)
	}
	g.redirectLocal(w, next)
}
