package gatehouse

import (
	"errors"
	"net/http"

	"github.com/gatehouse-go/gatehouse/session"
)

// serveSession answers GET /session with the CRM session document.
// A store failure is 503; a failing SessionSection is 500, and nothing of
// the document is sent.
// It serves the bytes json.Marshal makes of g.SessionDocument(ctx, a),
// encoded by appendSessionJSON (documents_cache.go).
func (g *Gatehouse) serveSession(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	bp := documentBuffers.Get().(*[]byte)
	b, err := g.appendSessionJSON(r.Context(), (*bp)[:0], a)
	var se *sectionError
	switch {
	case errors.As(err, &se):
		putBuffer(bp, *bp)
		return errInternal(err)
	case err != nil:
		putBuffer(bp, *bp)
		return errUnavailable(err)
	}
	b = append(b, '\n')
	writeJSONBytes(w, http.StatusOK, b)
	putBuffer(bp, b)
	return nil
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
