package gatehouse

import (
	"errors"
	"mime"
	"net/http"
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
	var ttl time.Duration
	if req.TTLSeconds != nil {
		s := *req.TTLSeconds
		if s < int64(token.MinTTL/time.Second) || s > int64(token.MaxTTL/time.Second) {
			return errorf(http.StatusBadRequest, "ttl_seconds: must be %d..%d (range)", int64(token.MinTTL/time.Second), int64(token.MaxTTL/time.Second))
		}
		ttl = time.Duration(s) * time.Second
	}
	res, err := g.login(r, username, password, ttl)
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

// login runs a login and maps its errors. Unknown user, wrong password and
// blocked user get one answer; so do locked usernames whether or not they
// exist.
func (g *Gatehouse) login(r *http.Request, username, password string, ttl time.Duration) (*session.Result, error) {
	res, err := g.sessions.Login(r.Context(), session.LoginRequest{
		Username: username, Password: password, TTL: ttl, Client: g.client(r),
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
// form: 204 with the session cookie. The body never carries the id. A
// session cookie the browser still presents is revoked first (a new id at
// every login: no fixation). Credentials in the query string are refused.
func (g *Gatehouse) serveLogin(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	if r.URL.RawQuery != "" {
		return errorf(http.StatusBadRequest, "query: not allowed; send the credentials in the body (location)")
	}
	if err := g.csrf.Check(r); err != nil {
		return &Error{Status: http.StatusForbidden, Message: "cross-origin request refused", Err: err}
	}
	var username, password *string
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return errBodyTooLarge(tooBig.Limit)
			}
			return errorf(http.StatusBadRequest, "body: malformed form")
		}
		for k, v := range r.PostForm {
			if k != "username" && k != "password" {
				if !utf8.ValidString(k) {
					return errorf(http.StatusBadRequest, "body: a field name is not valid UTF-8 (encoding)")
				}
				return errorf(http.StatusBadRequest, "%s: unknown field", k)
			}
			if len(v) != 1 {
				return errorf(http.StatusBadRequest, "%s: given more than once", k)
			}
			s := v[0]
			if !utf8.ValidString(s) {
				return errorf(http.StatusBadRequest, "%s: invalid UTF-8 (encoding)", k)
			}
			if k == "username" {
				username = &s
			} else {
				password = &s
			}
		}
	} else {
		var req struct {
			Username *string `json:"username"`
			Password *string `json:"password"`
		}
		if err := g.decodeJSON(r, &req); err != nil {
			return err
		}
		username, password = req.Username, req.Password
	}
	u, p, err := credentialsFields(username, password)
	if err != nil {
		return err
	}
	for _, c := range r.CookiesNamed(g.cookieName) {
		if err := g.sessions.RevokeID(r.Context(), c.Value); err != nil {
			return errUnavailable(err)
		}
	}
	res, err := g.login(r, u, p, 0)
	if err != nil {
		return err
	}
	g.setCookie(w, res)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
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
	w.WriteHeader(http.StatusNoContent)
	return nil
}
