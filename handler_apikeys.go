package gatehouse

import (
	"errors"
	"net/http"
	"time"

	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/session"
)

// apiKeyRequest is the body of POST /api-keys.
type apiKeyRequest struct {
	Name       string   `json:"name"`
	TTLSeconds *int64   `json:"ttl_seconds,omitempty"`
	Roles      []string `json:"roles,omitempty"`
}

// apiKeyCreated is the answer of POST /api-keys: the only time the key is
// shown.
type apiKeyCreated struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Key       string   `json:"key"`
	CreatedAt string   `json:"created_at"`
	ExpiresAt string   `json:"expires_at"`
	Roles     []string `json:"roles"`
}

// apiKeyEntry is one key in GET /api-keys and GET
// /users/{username}/api-keys: never the key.
type apiKeyEntry struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Roles      []string `json:"roles"`
	CreatedAt  string   `json:"created_at"`
	ExpiresAt  string   `json:"expires_at"`
	LastUsedAt *string  `json:"last_used_at"`
}

// apiKeyList is the body of GET /api-keys.
type apiKeyList struct {
	APIKeys []apiKeyEntry `json:"api_keys"`
}

func newAPIKeyList(ks []manage.APIKey) apiKeyList {
	out := apiKeyList{APIKeys: make([]apiKeyEntry, len(ks))}
	for i, k := range ks {
		e := apiKeyEntry{ID: k.ID, Name: k.Name, Roles: k.Roles, CreatedAt: rfc3339(k.CreatedAt), ExpiresAt: rfc3339(k.ExpiresAt)}
		if k.LastUsedAt != nil {
			s := rfc3339(*k.LastUsedAt)
			e.LastUsedAt = &s
		}
		out.APIKeys[i] = e
	}
	return out
}

// serveAPIKeyCreate answers POST /api-keys: a new API key of the caller,
// shown once (201, Cache-Control: no-store). A caller authenticated by an
// API key, or read-only, gets 403; a bad name, TTL or role 400.
func (g *Gatehouse) serveAPIKeyCreate(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var req apiKeyRequest
	if err := g.decodeJSON(r, &req); err != nil {
		return err
	}
	var ttl time.Duration
	if req.TTLSeconds != nil {
		s := *req.TTLSeconds
		if s < int64(session.MinAPIKeyTTL/time.Second) || s > int64(session.MaxAPIKeyTTL/time.Second) {
			return errorf(http.StatusBadRequest, "ttl_seconds: must be %d..%d (range)", int64(session.MinAPIKeyTTL/time.Second), int64(session.MaxAPIKeyTTL/time.Second))
		}
		ttl = time.Duration(s) * time.Second
	}
	k, err := g.sessions.CreateAPIKey(r.Context(), a, session.APIKeyRequest{Name: req.Name, TTL: ttl, Roles: req.Roles}, g.client(r))
	switch {
	case errors.Is(err, session.ErrAPIKeyCaller):
		return &Error{Status: http.StatusForbidden, Message: "an API key cannot make API keys; log in", Err: err}
	case errors.Is(err, session.ErrReadOnly):
		return &Error{Status: http.StatusForbidden, Message: "read-only access: a read-only user cannot make API keys", Reason: RefusedReadOnly, Err: err}
	case errors.Is(err, session.ErrStore):
		return errUnavailable(err)
	case err != nil:
		return manageError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusCreated, apiKeyCreated{
		ID: k.Record.ID, Name: k.Record.Name, Key: k.Key,
		CreatedAt: rfc3339(k.Record.CreatedAt), ExpiresAt: rfc3339(k.Record.ExpiresAt),
		Roles: append([]string{}, k.Record.Roles...),
	})
}

// serveAPIKeys answers GET /api-keys with the caller's live keys, oldest
// first, without the keys themselves.
func (g *Gatehouse) serveAPIKeys(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	ks, err := g.manage.APIKeys(r.Context(), g.actor(r, a), a.User.ID)
	if err != nil {
		return manageError(err)
	}
	return writeJSON(w, http.StatusOK, newAPIKeyList(ks))
}

// serveAPIKeyRevoke answers DELETE /api-keys/{id}: the caller's key with
// that public id is revoked (204); an id that names none of the caller's
// keys, another user's included, is 404.
func (g *Gatehouse) serveAPIKeyRevoke(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	if err := g.manage.RevokeAPIKey(r.Context(), g.actor(r, a), a.User.ID, r.PathValue("id")); err != nil {
		return manageError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// serveAdminUserAPIKeys answers GET /users/{username}/api-keys of the
// admin API: the user's live keys (manage.Manager.APIKeys's rules).
func (g *Gatehouse) serveAdminUserAPIKeys(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	u, err := g.adminTarget(r, a)
	if err != nil {
		return err
	}
	ks, err := g.manage.APIKeys(r.Context(), g.actor(r, a), u.ID)
	if err != nil {
		return manageError(err)
	}
	return writeJSON(w, http.StatusOK, newAPIKeyList(ks))
}

// serveAdminUserAPIKeyRevoke answers DELETE
// /users/{username}/api-keys/{id} of the admin API: 204, or 404 for a key
// the user does not have (manage.Manager.RevokeAPIKey's rules).
func (g *Gatehouse) serveAdminUserAPIKeyRevoke(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	u, err := g.adminTarget(r, a)
	if err != nil {
		return err
	}
	if err := g.manage.RevokeAPIKey(r.Context(), g.actor(r, a), u.ID, r.PathValue("id")); err != nil {
		return manageError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
