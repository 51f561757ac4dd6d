package gatehouse

import (
	"errors"
	"net/http"

	"github.com/gatehouse-go/gatehouse/session"
)

// serveSession answers GET /session with the CRM session document.
// A store failure is 503; a failing SessionSection is 500, and nothing of
// the document is sent.
func (g *Gatehouse) serveSession(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	doc, err := g.SessionDocument(r.Context(), a)
	var se *sectionError
	switch {
	case errors.As(err, &se):
		return errInternal(err)
	case err != nil:
		return errUnavailable(err)
	}
	return writeJSON(w, http.StatusOK, doc)
}

// serveUser answers GET /user with the caller's user document.
func (g *Gatehouse) serveUser(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	return writeJSON(w, http.StatusOK, NewUserDocument(&a.User))
}

// serveUserInfo answers GET /userInfo with {username, locale}, as Jmix does.
func (g *Gatehouse) serveUserInfo(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	return writeJSON(w, http.StatusOK, g.UserInfo(&a.User))
}

// servePermissions answers GET /permissions with the caller's permissions
// over the stored schema (Jmix's document, plus specifics).
func (g *Gatehouse) servePermissions(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	doc, err := g.PermissionsDocument(r.Context(), a)
	if err != nil {
		return errUnavailable(err)
	}
	return writeJSON(w, http.StatusOK, doc)
}
