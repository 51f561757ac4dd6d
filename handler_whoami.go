package gatehouse

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gatehouse-go/gatehouse/session"
)

// whoamiRoutes registers the documents about the caller (DESIGN §5).
func (g *Gatehouse) whoamiRoutes(r *router) {
	r.handle("GET /session", "session", g.serveSession)
	r.handle("GET /user", "user", g.serveUser)
	r.handle("GET /userInfo", "user_info", g.serveUserInfo)
	r.handle("GET /permissions", "permissions", g.servePermissions)
	r.handle("GET /account", "account", g.serveAccount)
	r.handle("PUT /account", "account_update", g.serveAccountUpdate)
}

// CookieName returns the name of the session cookie (Config.CookieName,
// "SID" by default).
func (g *Gatehouse) CookieName() string { return g.cookieName }

// caller authenticates an API request (401 without a live session, 403 for
// a read-only user's unsafe method).
func (g *Gatehouse) caller(r *http.Request) (*session.Auth, error) {
	return g.authenticate(r, infoFrom(r.Context()), false)
}

// serveSession answers GET /session with the session document (seed 000).
// A store failure is 503; a failing SessionSection is 500, and nothing of
// the document is sent.
func (g *Gatehouse) serveSession(w http.ResponseWriter, r *http.Request) error {
	a, err := g.caller(r)
	if err != nil {
		return err
	}
	doc, err := g.SessionDocument(r.Context(), a)
	var se *sectionError
	switch {
	case errors.As(err, &se):
		return &Error{Status: http.StatusInternalServerError, Message: "internal error", Err: err}
	case err != nil:
		return storeUnavailable(err)
	}
	return writeDocument(w, doc)
}

// serveUser answers GET /user with the caller's user document.
func (g *Gatehouse) serveUser(w http.ResponseWriter, r *http.Request) error {
	a, err := g.caller(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, NewUserDocument(&a.User))
	return nil
}

// serveUserInfo answers GET /userInfo with {username, locale} (seed 003).
func (g *Gatehouse) serveUserInfo(w http.ResponseWriter, r *http.Request) error {
	a, err := g.caller(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, g.UserInfo(&a.User))
	return nil
}

// servePermissions answers GET /permissions with the caller's permissions
// over the stored schema (seed 003, plus specifics).
func (g *Gatehouse) servePermissions(w http.ResponseWriter, r *http.Request) error {
	a, err := g.caller(r)
	if err != nil {
		return err
	}
	doc, err := g.PermissionsDocument(r.Context(), a)
	if err != nil {
		return storeUnavailable(err)
	}
	writeJSON(w, http.StatusOK, doc)
	return nil
}

func storeUnavailable(err error) error {
	return &Error{Status: http.StatusServiceUnavailable, Message: "service unavailable", Err: err}
}

// writeDocument encodes v before writing anything, so that a value that
// cannot be encoded (a section's, say) is an error response, not a broken
// body.
func writeDocument(w http.ResponseWriter, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return &Error{Status: http.StatusInternalServerError, Message: "internal error", Err: err}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(b, '\n'))
	return nil
}
