package session

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// Credential is what a caller presents: a bearer token, an API key
// (ghk_…, presented as a bearer token too) or a session id from a cookie.
// Exactly one should be set; Bearer wins, then APIKey.
type Credential struct {
	Bearer    string
	APIKey    string
	SessionID string
	// ClientIP is the caller's address, for the throttle of unknown API
	// keys; empty: not throttled.
	ClientIP string
}

// Auth is an authenticated caller: the live session, its user as read for
// this request and the user's compiled permissions.
type Auth struct {
	User    user.User
	Session storage.Session
	// Set is the user's permission set, compiled from the user's current
	// roles (never from a token's roles claim).
	Set *permissions.Set
	// Claims are the verified token's claims; nil for a cookie or a key.
	Claims *token.Claims
	// APIKey is the key the caller presented (KeyHash cleared), nil for a
	// token or a cookie. Session then describes the key (its user,
	// lifetime and epoch, no IDHash), and User is the user as the key sees
	// it: a key that names roles holds those of them the user still holds,
	// and never the admin flag.
	APIKey *storage.APIKey

	// versions are the store's versions as the authenticating read
	// returned them (storage.AuthReader), when versioned is true; an Auth
	// made elsewhere has none, and what is read under them is read
	// through (see Manager.Parameters).
	versions  storage.Versions
	versioned bool
}

// ViaCookie reports whether the caller presented a session id (an ambient
// credential a browser sends by itself) rather than a bearer token or an
// API key.
func (a *Auth) ViaCookie() bool { return a.Claims == nil && a.APIKey == nil }

// Client returns "<company>_|_<username>", the account service's tracedata
// client.
func (a *Auth) Client() string { return a.User.Company + "_|_" + a.User.Username }

// Authenticate resolves a credential to a live session (see "Live-session
// rule" in the package documentation). Every refusal is ErrUnauthenticated;
// a storage failure is ErrStore, which callers must treat as a refusal too.
// Config.Observer, when set, is told of every call with its outcome.
func (m *Manager) Authenticate(ctx context.Context, c Credential) (*Auth, error) {
	if m.cfg.Observer == nil {
		return m.authenticate(ctx, c)
	}
	return m.authenticateObserved(ctx, c)
}

// authenticateObserved is Authenticate told to Config.Observer.
func (m *Manager) authenticateObserved(ctx context.Context, c Credential) (*Auth, error) {
	start := time.Now()
	kind := observe.CredentialNone
	switch {
	case c.Bearer != "":
		kind = observe.CredentialBearer
	case c.APIKey != "":
		kind = observe.CredentialAPIKey
	case c.SessionID != "":
		kind = observe.CredentialCookie
	}
	ctx = m.cfg.Observer.AuthenticateStart(ctx, kind)
	a, err := m.authenticate(ctx, c)
	e := observe.Authentication{Credential: kind, Outcome: observe.AuthOK, Duration: time.Since(start)}
	if err != nil {
		e.Outcome, e.Reason = observe.AuthRefused, authReason(err)
		if e.Reason == observe.AuthReasonStore {
			e.Outcome = observe.AuthUnavailable
		}
	}
	m.cfg.Observer.AuthenticateDone(ctx, e)
	return a, err
}

// The refusals of Authenticate, each wrapping ErrUnauthenticated, so that
// authReason can tell them apart.
var (
	errNoCredential = fmt.Errorf("%w: no credential", ErrUnauthenticated)
	errInvalidToken = fmt.Errorf("%w", ErrUnauthenticated) // then ": " and the token's error
	errMalformedSID = fmt.Errorf("%w: malformed sid", ErrUnauthenticated)
	errMalformedID  = fmt.Errorf("%w: malformed session id", ErrUnauthenticated)
	errNoSession    = fmt.Errorf("%w: read session: not found", ErrUnauthenticated)
	errRevoked      = fmt.Errorf("%w: session revoked", ErrUnauthenticated)
	errExpired      = fmt.Errorf("%w: session expired", ErrUnauthenticated)
	errIdle         = fmt.Errorf("%w: session idle", ErrUnauthenticated)
	errNoUser       = fmt.Errorf("%w: read user: not found", ErrUnauthenticated)
	errBlocked      = fmt.Errorf("%w: user blocked", ErrUnauthenticated)
	errEpoch        = fmt.Errorf("%w: session epoch ended", ErrUnauthenticated)
	errSubject      = fmt.Errorf("%w: token subject is not the session's user", ErrUnauthenticated)
	errCompile      = fmt.Errorf("%w: compile permissions", ErrUnauthenticated) // then ": " and the cause
	authReasons     = []struct {
		err    error
		reason observe.AuthReason
	}{
		{errNoCredential, observe.AuthReasonNoCredential},
		{errInvalidToken, observe.AuthReasonInvalidToken},
		{errMalformedSID, observe.AuthReasonMalformed},
		{errMalformedID, observe.AuthReasonMalformed},
		{errNoSession, observe.AuthReasonUnknownSession},
		{errRevoked, observe.AuthReasonRevoked},
		{errExpired, observe.AuthReasonExpired},
		{errIdle, observe.AuthReasonIdle},
		{errNoUser, observe.AuthReasonUnknownUser},
		{errBlocked, observe.AuthReasonBlocked},
		{errEpoch, observe.AuthReasonEpoch},
		{errSubject, observe.AuthReasonSubjectMismatch},
		{errCompile, observe.AuthReasonPermissions},
		{errMalformedKey, observe.AuthReasonMalformed},
		{errNoKey, observe.AuthReasonUnknownSession},
		{errKeyRevoked, observe.AuthReasonRevoked},
		{errKeyExpired, observe.AuthReasonExpired},
	}
)

// authReason classifies an error of authenticate.
func authReason(err error) observe.AuthReason {
	if errors.Is(err, ErrStore) {
		return observe.AuthReasonStore
	}
	for _, r := range authReasons {
		if errors.Is(err, r.err) {
			return r.reason
		}
	}
	return ""
}

// authenticate is Authenticate.
func (m *Manager) authenticate(ctx context.Context, c Credential) (*Auth, error) {
	var (
		claims *token.Claims
		hash   string
		idle   time.Duration // the idle timeout of the credential; 0: none
	)
	switch {
	case c.Bearer != "":
		cl, err := m.verifier.Verify(c.Bearer)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errInvalidToken, err)
		}
		if !validHash(cl.SessionID) {
			return nil, errMalformedSID
		}
		claims, hash, idle = cl, cl.SessionID, m.cfg.TokenIdleTimeout
	case c.APIKey != "":
		return m.authenticateKey(ctx, c)
	case c.SessionID != "":
		if !ValidID(c.SessionID) {
			return nil, errMalformedID
		}
		hash, idle = HashID(c.SessionID), max(m.cfg.IdleTimeout, 0)
	default:
		return nil, errNoCredential
	}
	s, u, v, err := m.live(ctx, hash, idle)
	if err != nil {
		return nil, err
	}
	if claims != nil && claims.Subject != s.UserID {
		return nil, errSubject
	}
	set, err := m.permissionSet(ctx, &u, v)
	if err != nil {
		return nil, err
	}
	a := &Auth{User: u, Session: s, Set: set, Claims: claims}
	if v != nil {
		a.versions, a.versioned = *v, true
	}
	return a, nil
}

// live reads the session and its user and applies the live-session rule
// with the idle timeout of the credential presented (0: none), touching
// LastSeenAt when it is older than the touch interval. On a store that
// implements storage.AuthReader it reads them, and the store's versions,
// in one call; it then returns the versions, and nil after the plain
// calls (Sessions().GetSession, Users().GetUser), which read none.
func (m *Manager) live(ctx context.Context, hash string, idle time.Duration) (storage.Session, user.User, *storage.Versions, error) {
	if r, ok := m.store.(storage.AuthReader); ok {
		a, err := r.ReadAuth(ctx, hash)
		switch {
		case err == nil:
			if err := m.liveSession(a.Session, idle); err != nil {
				return a.Session, user.User{}, nil, err
			}
			if !a.UserFound {
				return a.Session, user.User{}, nil, errNoUser
			}
			s, err := m.liveUser(ctx, hash, a.Session, &a.User)
			if err != nil {
				return s, a.User, nil, err
			}
			return s, a.User, &a.Versions, nil
		case errors.Is(err, storage.ErrNotFound):
			return storage.Session{}, user.User{}, nil, errNoSession
		case !errors.Is(err, errors.ErrUnsupported):
			return storage.Session{}, user.User{}, nil, storeErr("read session", err)
		}
		// The store cannot read them together: the plain calls.
	}
	s, err := m.store.Sessions().GetSession(ctx, hash)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return s, user.User{}, nil, errNoSession
		}
		return s, user.User{}, nil, storeErr("read session", err)
	}
	if err := m.liveSession(s, idle); err != nil {
		return s, user.User{}, nil, err
	}
	u, err := m.store.Users().GetUser(ctx, s.UserID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return s, u, nil, errNoUser
		}
		return s, u, nil, storeErr("read user", err)
	}
	s, err = m.liveUser(ctx, hash, s, &u)
	return s, u, nil, err
}

// liveSession applies the session's half of the live-session rule.
func (m *Manager) liveSession(s storage.Session, idle time.Duration) error {
	now := m.cfg.Now()
	switch {
	case s.Revoked:
		return errRevoked
	case !now.Before(s.ExpiresAt):
		return errExpired
	case idle > 0 && !now.Before(s.LastSeenAt.Add(idle)):
		return errIdle
	}
	return nil
}

// liveUser applies the user's half of the live-session rule to s and its
// user u, then touches s when its LastSeenAt is older than the touch
// interval and returns it as touched.
func (m *Manager) liveUser(ctx context.Context, hash string, s storage.Session, u *user.User) (storage.Session, error) {
	switch {
	case u.ID != s.UserID:
		// A store that answered with another user than the session's:
		// never trusted.
		return s, errNoUser
	case u.Blocked:
		return s, errBlocked
	case u.SessionEpoch != s.Epoch:
		return s, errEpoch
	}
	now := m.cfg.Now()
	if now.Sub(s.LastSeenAt) >= m.cfg.TouchInterval {
		if err := m.store.Sessions().TouchSession(ctx, hash, now); err != nil {
			return s, denyOrFail("touch session", err)
		}
		s.LastSeenAt = now
	}
	return s, nil
}

func denyOrFail(op string, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%w: %s: not found", ErrUnauthenticated, op)
	}
	return storeErr(op, err)
}

// permissionSet compiles (or finds cached) the user's set under the
// store's policy version: v's when the authenticating read returned
// versions, else read (or trusted for Config.PolicyRefresh). Roles the
// user holds that the store does not know are dropped with a warning
// (once per policy version): they grant nothing.
func (m *Manager) permissionSet(ctx context.Context, u *user.User, v *storage.Versions) (*permissions.Set, error) {
	var version int64
	if v != nil {
		version = v.Policy
	} else {
		var err error
		if version, err = m.policyVersion(ctx); err != nil {
			return nil, err
		}
	}
	readOnly := u.EffectiveAccess() == user.AccessReadOnly
	var loaded []permissions.Role
	load := func() ([]permissions.Role, error) {
		if loaded != nil {
			return loaded, nil
		}
		roles, err := m.store.Roles().ListRoles(ctx)
		if err != nil {
			return nil, storeErr("list roles", err)
		}
		loaded = roles
		return roles, nil
	}
	held := u.Roles
	if known, ok := m.known.get(version); ok {
		// Some user held roles the store does not know at this version:
		// drop them before compiling, so that the set is found compiled.
		held = knownOnly(held, known)
	}
	set, err := m.perms.Get(version, held, readOnly, u.Admin, load)
	if err == nil || errors.Is(err, ErrStore) {
		return set, err
	}
	if !errors.Is(err, permissions.ErrUnknownRole) {
		return nil, fmt.Errorf("%w: %w", errCompile, err)
	}
	// Keep only the held roles the store knows. Their codes are kept under
	// the policy version (loaded was read after version was, so it
	// reflects at least every change that version counts): the next
	// request of such a user compiles nothing and lists no roles, and the
	// warning is logged once per version.
	if _, err := load(); err != nil {
		return nil, err
	}
	known := make(map[string]bool, len(loaded))
	for _, r := range loaded {
		known[r.Code] = true
	}
	m.known.put(version, known)
	held = knownOnly(u.Roles, known)
	m.cfg.Logger.WarnContext(ctx, "session: user holds roles the store does not know; they grant nothing",
		"user_id", u.ID, "held", len(u.Roles), "known", len(held))
	set, err = m.perms.Get(version, held, readOnly, u.Admin, load)
	if err != nil && !errors.Is(err, ErrStore) {
		// A broken catalogue (a missing base role, a cycle) denies.
		err = fmt.Errorf("%w: %w", errCompile, err)
	}
	return set, err
}

// knownOnly returns held without the codes known lacks: held itself when
// it lacks none.
func knownOnly(held []string, known map[string]bool) []string {
	for i, c := range held {
		if !known[c] {
			out := slices.Clone(held[:i])
			for _, c := range held[i+1:] {
				if known[c] {
					out = append(out, c)
				}
			}
			return out
		}
	}
	return held
}

func (m *Manager) policyVersion(ctx context.Context) (int64, error) {
	now := m.cfg.Now()
	if m.cfg.PolicyRefresh > 0 {
		if p := m.policy.Load(); p != nil && now.Sub(p.read) < m.cfg.PolicyRefresh && !now.Before(p.read) {
			return p.version, nil
		}
	}
	v, err := m.store.Roles().PolicyVersion(ctx)
	if err != nil {
		return 0, storeErr("read policy version", err)
	}
	if m.cfg.PolicyRefresh > 0 {
		m.policy.Store(&policyStamp{version: v, read: now})
	}
	return v, nil
}
