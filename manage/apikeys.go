package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// APIKey is a live API key as its owner and managers see it: never the
// key, nor its hash.
//
// Its JSON form is the one of GET /api-keys: {"id", "name", "roles",
// "created_at", "expires_at", "last_used_at"} (last_used_at null for a key
// never used).
type APIKey struct {
	// ID is the key's public id: it names the key for RevokeAPIKey and
	// never authenticates.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Roles are the roles the key is narrowed to; empty: all of its
	// user's.
	Roles      []string   `json:"roles"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

// NewAPIKeyView returns k as APIKey: what may be shown of it.
func NewAPIKeyView(k storage.APIKey) APIKey {
	v := APIKey{ID: k.ID, Name: k.Name, Roles: append([]string{}, k.Roles...), CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt}
	if !k.LastUsedAt.IsZero() {
		t := k.LastUsedAt
		v.LastUsedAt = &t
	}
	return v
}

// APIKeys returns the live API keys of the user with userID (not revoked,
// not expired, made under the user's current session epoch), oldest first.
// The rules are those of Sessions: anyone may list its own, read-only
// callers included; other users' need PermUsers, in the caller's company
// (another company's user is ErrNotFound).
func (m *Manager) APIKeys(ctx context.Context, a Actor, userID string) ([]APIKey, error) {
	u, err := m.mayManageSessions(ctx, a, userID, false)
	if err != nil {
		return nil, err
	}
	ks, err := m.sessions.LiveAPIKeys(ctx, &u)
	if err != nil {
		return nil, fmt.Errorf("manage: %w", err)
	}
	out := make([]APIKey, len(ks))
	for i, k := range ks {
		out[i] = NewAPIKeyView(k)
	}
	return out, nil
}

// RevokeAPIKey revokes the API key with the public id of the user with
// userID, at once for every instance sharing the store; revoking a revoked
// key again is not an error. A key the user does not have (another user's
// included) is ErrNotFound. The rules are those of RevokeSession: anyone
// revokes its own keys, read-only callers included (revoking takes access
// away); another user's need PermUsers, the caller's company, and the
// rules of UpdateUser (RuleAdmin, RuleEscalation). Audited as
// api_key_revoke with actor and target.
func (m *Manager) RevokeAPIKey(ctx context.Context, a Actor, userID, id string) error {
	u, err := m.mayManageSessions(ctx, a, userID, true)
	if err != nil {
		return err
	}
	err = m.store.APIKeys().RevokeAPIKey(ctx, u.ID, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%w: no such api key", ErrNotFound)
	case err != nil:
		return fmt.Errorf("manage: revoke api key: %w", err)
	}
	m.record(ctx, a, "api_key_revoke", u.Company, "api key "+id+" of "+target(&u))
	return nil
}
