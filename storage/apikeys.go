package storage

import (
	"context"
	"slices"
	"time"
)

// APIKey is the server-side record of an API key (a personal access
// token). Stores key it by KeyHash and never see the key itself.
type APIKey struct {
	// ID is the key's public id: it names the key in lists and for
	// revocation, and never authenticates.
	ID string
	// KeyHash is the hex-encoded SHA-256 of the key (64 lower-case hex
	// digits): the store's lookup key, unique like ID.
	KeyHash string
	// UserID is the ID of the user the key acts for.
	UserID string
	// Name is the owner's label for the key.
	Name string
	// Roles, when not empty, narrow the key to these of its user's roles;
	// empty means all of them. The session manager intersects them with
	// the user's current roles on every use.
	Roles []string
	// CreatedAt is when the key was made; ExpiresAt when it stops working.
	CreatedAt time.Time
	ExpiresAt time.Time
	// LastUsedAt is the last time the key authenticated (zero: never).
	LastUsedAt time.Time
	// Epoch is the user's session epoch when the key was made: a bump of
	// the epoch (password change, revoke-all) ends the key.
	Epoch int64
	// Revoked is true once the key was revoked.
	Revoked bool
}

// Clone returns a copy of k that shares nothing with it.
func (k APIKey) Clone() APIKey {
	k.Roles = slices.Clone(k.Roles)
	return k
}

// APIKeyStore keeps API keys by KeyHash, each named by its ID and owned
// by its UserID. storagetest.Run checks an implementation against this
// contract (storagetest.RunAPIKeys runs those checks alone).
type APIKeyStore interface {
	// CreateAPIKey stores a new key. An empty ID, KeyHash or UserID is
	// ErrInvalid; an ID or a KeyHash already stored is ErrConflict and
	// stores nothing.
	CreateAPIKey(ctx context.Context, k APIKey) error
	// GetAPIKey returns the key whose KeyHash is keyHash, or ErrNotFound.
	// It returns revoked and expired keys as they are and leaves the
	// decision to the session manager; a store may return ErrNotFound for
	// a key whose ExpiresAt has passed. It is the authenticating read of
	// every request presenting a key: one lookup by an indexed column.
	GetAPIKey(ctx context.Context, keyHash string) (APIKey, error)
	// ListAPIKeys returns the user's keys (revoked and expired ones too)
	// ordered by CreatedAt, then ID; none is an empty list, not an error.
	ListAPIKeys(ctx context.Context, userID string) ([]APIKey, error)
	// RevokeAPIKey marks the key with this ID revoked, if, and only if, it
	// belongs to userID: a missing key, or another user's, is ErrNotFound
	// and changes nothing. Revoking twice is not an error.
	RevokeAPIKey(ctx context.Context, userID, id string) error
	// TouchAPIKey sets LastUsedAt of the key whose KeyHash is keyHash,
	// only ever forward (an older time is ignored). A missing key is
	// ErrNotFound.
	TouchAPIKey(ctx context.Context, keyHash string, lastUsed time.Time) error
}
