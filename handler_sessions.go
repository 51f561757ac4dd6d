package gatehouse

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// sessionEntry is one live session in GET /sessions and GET
// /users/{username}/sessions of the admin API. It never holds anything
// that lets anyone authenticate: id is the public id its tokens carry as
// sid.
type sessionEntry struct {
	ID         string `json:"id"`
	CreatedAt  string `json:"created_at"`
	LastSeenAt string `json:"last_seen_at"`
	ExpiresAt  string `json:"expires_at"`
	IP         string `json:"ip"`
	UserAgent  string `json:"user_agent"`
	Current    bool   `json:"current"`
}

// sessionList is the body of GET /sessions.
type sessionList struct {
	Sessions []sessionEntry `json:"sessions"`
}

// revokedCount is the body of POST /sessions/revoke-others and DELETE
// /users/{username}/sessions.
type revokedCount struct {
	Revoked int `json:"revoked"`
}

func newSessionList(ss []manage.Session) sessionList {
	out := sessionList{Sessions: make([]sessionEntry, len(ss))}
	for i, s := range ss {
		out.Sessions[i] = sessionEntry{
			ID: s.ID, CreatedAt: rfc3339(s.CreatedAt), LastSeenAt: rfc3339(s.LastSeenAt),
			ExpiresAt: rfc3339(s.ExpiresAt), IP: s.IP, UserAgent: s.UserAgent, Current: s.Current,
		}
	}
	return out
}

// rfc3339 formats t in UTC, to the second.
func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// actor is the caller of a request as package manage sees it, so that its
// rules of who may do what apply.
func (g *Gatehouse) actor(r *http.Request, a *session.Auth) manage.Actor {
	return manage.Actor{Auth: a, Client: g.client(r)}
}

// serveSessions answers GET /sessions with the caller's live sessions,
// newest first; current marks the one of this request.
func (g *Gatehouse) serveSessions(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	ss, err := g.manage.Sessions(r.Context(), g.actor(r, a), a.User.ID)
	if err != nil {
		return manageError(err)
	}
	return writeJSON(w, http.StatusOK, newSessionList(ss))
}

// serveSessionRevoke answers DELETE /sessions/{id}: it revokes one live
// session of the caller by its public id (204). An id that names no live
// session of the caller is 404. Revoking the session of this very request
// also clears the cookie, as logging out does.
func (g *Gatehouse) serveSessionRevoke(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	id := r.PathValue("id")
	if err := g.manage.RevokeSession(r.Context(), g.actor(r, a), a.User.ID, id); err != nil {
		return manageError(err)
	}
	if id == a.Session.IDHash && a.ViaCookie() {
		g.clearCookie(w)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// serveSessionsRevokeOthers answers POST /sessions/revoke-others: every
// live session of the caller but this one ends ("log out other devices").
func (g *Gatehouse) serveSessionsRevokeOthers(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	n, err := g.manage.RevokeOtherSessions(r.Context(), a, g.client(r))
	if err != nil {
		return manageError(err)
	}
	return writeJSON(w, http.StatusOK, revokedCount{Revoked: n})
}

// manageError maps an error of package manage to the HTTP error: a field
// error 400 naming the field and the rule, ErrNotFound 404, a refusal 403
// naming the rule, ErrConflict 409, anything else (a store that does not
// answer) 503. An *Error is returned as it is.
func manageError(err error) error {
	var (
		he     *Error
		fe     *user.FieldError
		fes    user.ValidationErrors
		forbid *manage.ForbiddenError
		inUse  *manage.RoleInUseError
	)
	switch {
	case err == nil:
		return nil
	case errors.As(err, &he):
		return he
	case errors.As(err, &fes) && len(fes) > 0:
		msgs := make([]string, len(fes))
		for i, fe := range fes {
			msgs[i] = fmt.Sprintf("%s: %s (%s)", fe.Field, fe.Message, fe.Rule)
		}
		return &Error{Status: http.StatusBadRequest, Message: strings.Join(msgs, "; "), Err: err}
	case errors.As(err, &fe):
		return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("%s: %s (%s)", fe.Field, fe.Message, fe.Rule), Err: err}
	case errors.Is(err, manage.ErrInvalid):
		return &Error{Status: http.StatusBadRequest, Message: invalidMessage(err), Err: err}
	case errors.As(err, &forbid):
		return &Error{Status: http.StatusForbidden, Message: fmt.Sprintf("forbidden (%s): %s", forbid.Rule, forbid.Message), Err: err}
	case errors.Is(err, manage.ErrForbidden):
		return &Error{Status: http.StatusForbidden, Message: "forbidden", Err: err}
	case errors.Is(err, manage.ErrNotFound):
		msg := strings.TrimPrefix(err.Error(), manage.ErrNotFound.Error()+": ")
		if msg == err.Error() {
			msg = "not found"
		}
		return &Error{Status: http.StatusNotFound, Message: msg, Err: err}
	case errors.As(err, &inUse):
		msg := fmt.Sprintf("role %q is in use: held by %d user(s)", inUse.Code, inUse.Holders)
		if len(inUse.IncludedBy) > 0 {
			msg += ", included by " + strings.Join(inUse.IncludedBy, ", ")
		}
		return &Error{Status: http.StatusConflict, Message: msg + "; delete with ?force=true to remove it from them", Err: err}
	case errors.Is(err, manage.ErrConflict):
		return &Error{Status: http.StatusConflict, Message: conflictMessage(err), Err: err}
	}
	return errUnavailable(err)
}

// conflictMessage is the message of a 409: the username taken, or a
// concurrent change (nothing written).
func conflictMessage(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "username "); i >= 0 && strings.HasSuffix(msg, " is taken") {
		return msg[i:] + " (up to case)"
	}
	return "changed concurrently; nothing was written, retry"
}

// invalidMessage is the message of a 400 for an invalid role: the error of
// package permissions, which names the role and the field, with the rule
// it broke.
func invalidMessage(err error) string {
	msg := strings.TrimPrefix(err.Error(), user.ErrInvalid.Error()+": ")
	msg = strings.ReplaceAll(msg, "permissions: ", "")
	for _, r := range []struct {
		err  error
		rule string
	}{
		{permissions.ErrBadName, "name"},
		{permissions.ErrUnknownRole, "unknown"},
		{permissions.ErrCycle, "cycle"},
		{permissions.ErrDuplicateRole, "duplicate"},
		{permissions.ErrNotInSchema, "schema"},
		{permissions.ErrUnknownOp, "operation"},
		{permissions.ErrUnknownAccess, "access"},
	} {
		if errors.Is(err, r.err) {
			return msg + " (" + r.rule + ")"
		}
	}
	return msg + " (invalid)"
}
