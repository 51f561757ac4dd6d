package session

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// APIKeyPrefix starts every API key, so that secret scanners recognise a
// leaked one and Authenticate tells a key from a JWT.
const APIKeyPrefix = "ghk_"

// API key lifetimes: DefaultAPIKeyTTL when the request names none, and
// the bounds of one it names (those of a token's ttl_seconds). Every key
// expires: a forgotten key must not work for ever.
const (
	DefaultAPIKeyTTL = 90 * 24 * time.Hour
	MinAPIKeyTTL     = time.Minute
	MaxAPIKeyTTL     = 31556926 * time.Second
)

// MaxAPIKeyName is the longest API key name, in runes.
const MaxAPIKeyName = 256

// apiKeyTouchInterval is how stale LastUsedAt may get before a use writes
// it: at most one write a minute per key.
const apiKeyTouchInterval = time.Minute

// keyAPIKeyFail counts the unknown API keys an address presented.
const keyAPIKeyFail = "gatehouse:apikey:fail:addr:"

var (
	// ErrAPIKeyCaller is returned when a caller authenticated by an API
	// key asks to make an API key (or to manage other credentials): a key
	// never makes a key, so a narrowed key cannot mint a wider one.
	ErrAPIKeyCaller = errors.New("session: an API key cannot manage credentials")
)

// APIKeyRequest asks for a new API key.
type APIKeyRequest struct {
	// Name labels the key for its owner: 1..MaxAPIKeyName runes, no
	// control or format characters.
	Name string
	// TTL is the key's lifetime, MinAPIKeyTTL..MaxAPIKeyTTL; zero means
	// DefaultAPIKeyTTL.
	TTL time.Duration
	// Roles, when not empty, narrow the key to these roles, each of which
	// the caller must hold directly; empty means all of the caller's roles
	// (and its admin flag).
	Roles []string
}

// NewAPIKey is a made API key: Key is the secret, shown to its owner once
// and never stored (the store keeps its SHA-256 in Record.KeyHash).
type NewAPIKey struct {
	Key    string
	Record storage.APIKey
}

// CreateAPIKey makes an API key for a's user. The caller must hold a live
// session or token, not an API key (ErrAPIKeyCaller), and have full
// access (ErrReadOnly: a key is a new credential, which a read-only user
// does not get); the roles it names must be roles it holds (a
// *user.FieldError wrapping user.ErrInvalid otherwise, as for a bad name
// or TTL). The key carries the user's current session epoch, so a
// password change or a revoke-all ends it. Audited as api_key_create,
// with the key's public id and never the key.
func (m *Manager) CreateAPIKey(ctx context.Context, a *Auth, req APIKeyRequest, c Client) (*NewAPIKey, error) {
	switch {
	case a.APIKey != nil:
		return nil, ErrAPIKeyCaller
	case a.User.EffectiveAccess() == user.AccessReadOnly:
		return nil, ErrReadOnly
	}
	if err := validAPIKeyName(req.Name); err != nil {
		return nil, err
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = DefaultAPIKeyTTL
	}
	if ttl < MinAPIKeyTTL || ttl > MaxAPIKeyTTL {
		return nil, &user.FieldError{Field: "ttl_seconds", Rule: "range", Message: fmt.Sprintf("must be %d..%d", int64(MinAPIKeyTTL/time.Second), int64(MaxAPIKeyTTL/time.Second))}
	}
	var roles []string
	for _, r := range req.Roles {
		if !slices.Contains(a.User.Roles, r) {
			return nil, &user.FieldError{Field: "roles", Rule: "held", Message: "must be roles the caller holds"}
		}
		if !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	secret, _, err := newID()
	if err != nil {
		return nil, err
	}
	key := APIKeyPrefix + secret
	hash := HashID(key) // of the whole key, prefix included
	var idb [16]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, fmt.Errorf("session: random source: %w", err)
	}
	now := m.cfg.Now().Round(0).UTC()
	rec := storage.APIKey{
		ID: base64.RawURLEncoding.EncodeToString(idb[:]), KeyHash: hash, UserID: a.User.ID,
		Name: req.Name, Roles: roles, CreatedAt: now, ExpiresAt: now.Add(ttl), Epoch: a.User.SessionEpoch,
	}
	rec.Roles = slices.Clip(rec.Roles)
	act := m.auditAction("api_key_create", a.User.Username, a.User.Company, c)
	if err := m.store.APIKeys().CreateAPIKey(ctx, rec); err != nil {
		m.audit(ctx, act, "failed", "store error")
		return nil, storeErr("create api key", err)
	}
	m.audit(ctx, act, "ok", "api key "+rec.ID)
	return &NewAPIKey{Key: key, Record: rec}, nil
}

func validAPIKeyName(name string) error {
	n := 0
	for _, r := range name {
		n++
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || isFormat(r) {
			return &user.FieldError{Field: "name", Rule: "characters", Message: "must not hold control or format characters"}
		}
	}
	if n < 1 || n > MaxAPIKeyName || strings.TrimSpace(name) == "" {
		return &user.FieldError{Field: "name", Rule: "length", Message: fmt.Sprintf("must be 1..%d characters", MaxAPIKeyName)}
	}
	return nil
}

// isFormat reports the format (Cf) characters that hide text: zero-width
// spaces and joiners, bidirectional controls, the BOM.
func isFormat(r rune) bool {
	return r == 0xad || (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) ||
		(r >= 0x2060 && r <= 0x206f) || r == 0xfeff
}

// LiveAPIKeys returns u's keys that still authenticate: not revoked, not
// expired, made under u's current session epoch; oldest first. It says
// nothing of whether u itself is blocked.
func (m *Manager) LiveAPIKeys(ctx context.Context, u *user.User) ([]storage.APIKey, error) {
	ks, err := m.store.APIKeys().ListAPIKeys(ctx, u.ID)
	if err != nil {
		return nil, storeErr("list api keys", err)
	}
	now := m.cfg.Now()
	return slices.DeleteFunc(ks, func(k storage.APIKey) bool {
		return k.Revoked || !now.Before(k.ExpiresAt) || k.Epoch != u.SessionEpoch
	}), nil
}

// The refusals of an API key, each wrapping ErrUnauthenticated.
var (
	errMalformedKey = fmt.Errorf("%w: malformed api key", ErrUnauthenticated)
	errNoKey        = fmt.Errorf("%w: read api key: not found", ErrUnauthenticated)
	errKeyRevoked   = fmt.Errorf("%w: api key revoked", ErrUnauthenticated)
	errKeyExpired   = fmt.Errorf("%w: api key expired", ErrUnauthenticated)
)

// authenticateKey resolves an API key: the key's record by its hash (one
// read), then its user, then the live-key rule (not revoked, not expired,
// user present and not blocked, epoch current). Unknown keys are counted
// per client address, and an address over Throttle.PerAddress's failures
// has its unknown keys refused with a *LockedError. A key that is found is
// never refused for its address's misses: with 256 bits a key cannot be
// guessed, and counting before the lookup would let 30 bogus keys lock
// every real key behind a shared address (NAT, a CI runner's egress) out.
func (m *Manager) authenticateKey(ctx context.Context, c Credential) (*Auth, error) {
	if !strings.HasPrefix(c.APIKey, APIKeyPrefix) || !ValidID(c.APIKey[len(APIKeyPrefix):]) {
		return nil, m.unknownKey(ctx, c.ClientIP, errMalformedKey)
	}
	hash := HashID(c.APIKey)
	k, err := m.store.APIKeys().GetAPIKey(ctx, hash)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, m.unknownKey(ctx, c.ClientIP, errNoKey)
	} else if err != nil {
		return nil, storeErr("read api key", err)
	}
	now := m.cfg.Now()
	switch {
	case k.KeyHash != hash:
		return nil, errNoKey // a store that answered with another key
	case k.Revoked:
		return nil, errKeyRevoked
	case !now.Before(k.ExpiresAt):
		return nil, errKeyExpired
	}
	u, err := m.store.Users().GetUser(ctx, k.UserID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errNoUser
	} else if err != nil {
		return nil, storeErr("read user", err)
	}
	switch {
	case u.ID != k.UserID:
		return nil, errNoUser
	case u.Blocked:
		return nil, errBlocked
	case u.SessionEpoch != k.Epoch:
		return nil, errEpoch
	}
	if now.Sub(k.LastUsedAt) >= apiKeyTouchInterval {
		if err := m.store.APIKeys().TouchAPIKey(ctx, hash, now); err != nil {
			return nil, denyOrFail("touch api key", err)
		}
		k.LastUsedAt = now
	}
	if len(k.Roles) > 0 {
		// Narrowed: the key's roles the user still holds, and no admin
		// flag, whatever the user holds.
		u.Roles = slices.DeleteFunc(slices.Clone(k.Roles), func(r string) bool { return !slices.Contains(u.Roles, r) })
		u.Admin = false
	}
	set, err := m.permissionSet(ctx, &u, nil)
	if err != nil {
		return nil, err
	}
	// The key as a session: its user, lifetime and epoch; no id, since it
	// names no session that could be logged out or listed.
	s := storage.Session{UserID: k.UserID, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt, LastSeenAt: k.LastUsedAt, ClientIP: c.ClientIP, Epoch: k.Epoch}
	k.KeyHash = ""
	return &Auth{User: u, Session: s, Set: set, APIKey: &k}, nil
}

// unknownKey refuses a key nobody holds: with a *LockedError when the
// client address is over Throttle.PerAddress's failures, else with refusal,
// after counting it against the address (best effort: a failing counter
// still refuses).
func (m *Manager) unknownKey(ctx context.Context, addr string, refusal error) error {
	limit := m.cfg.Throttle.PerAddress
	if !limit.enabled() || addr == "" {
		return refusal
	}
	n, until, err := m.store.Counters().Counter(ctx, keyAPIKeyFail+addr)
	switch {
	case err == nil && n >= int64(limit.MaxFailures):
		return &LockedError{RetryAfter: atLeastSecond(until.Sub(m.cfg.Now())), key: throttleKey(false)}
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return storeErr("read api key failures", err)
	}
	if _, err := m.store.Counters().Increment(ctx, keyAPIKeyFail+addr, 1, limit.ResetAfter); err != nil {
		m.cfg.Logger.WarnContext(ctx, "session: count unknown api key", "err", err)
	}
	return refusal
}
