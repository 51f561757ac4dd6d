package manage

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Session is a live session as its owner and managers see it. It never
// holds anything that lets anyone authenticate.
//
// Its JSON form is the one of GET /sessions: {"id", "created_at",
// "last_seen_at", "expires_at", "ip", "user_agent", "current"}.
type Session struct {
	// ID is the session's public id: the sid its tokens carry
	// (storage.Session.IDHash, the SHA-256 of the cookie's secret). It
	// names the session for RevokeSession and never authenticates.
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	// IP and UserAgent describe the client that logged in.
	IP        string `json:"ip"`
	UserAgent string `json:"user_agent"`
	// Current is true for the session of the actor's own request.
	Current bool `json:"current"`
}

// mayManageSessions checks that a may read (write false) or revoke the
// sessions of the user with userID and returns that user. Everyone may
// manage its own sessions, read-only users included (their own
// credentials); the sessions of another user need PermUsers and follow the
// rules of UpdateUser.
func (m *Manager) mayManageSessions(ctx context.Context, a Actor, userID string, write bool) (user.User, error) {
	if a.self(userID) {
		u, err := m.store.Users().GetUser(ctx, userID)
		if errors.Is(err, storage.ErrNotFound) {
			return user.User{}, fmt.Errorf("%w: no such user", ErrNotFound)
		} else if err != nil {
			return user.User{}, fmt.Errorf("manage: read user: %w", err)
		}
		return u, nil
	}
	if err := m.allow(ctx, a, write, PermUsers); err != nil {
		return user.User{}, err
	}
	u, err := m.visible(ctx, a, userID)
	if err != nil {
		return user.User{}, err
	}
	if write {
		if err := m.mayTouch(ctx, a, &u); err != nil {
			return user.User{}, err
		}
	}
	return u, nil
}

// Sessions returns the live sessions of the user with userID (the
// live-session rule of package session: not revoked, expired or idle, of
// a user not blocked, under its current epoch), newest first; Current
// marks the actor's own. Anyone may list its own; other users' need
// PermUsers (read-only callers may read), in the caller's company.
func (m *Manager) Sessions(ctx context.Context, a Actor, userID string) ([]Session, error) {
	u, err := m.mayManageSessions(ctx, a, userID, false)
	if err != nil {
		return nil, err
	}
	live, err := m.sessions.LiveSessions(ctx, &u)
	if err != nil {
		return nil, fmt.Errorf("manage: %w", err)
	}
	out := make([]Session, len(live))
	for i, s := range live {
		out[i] = Session{
			ID: s.IDHash, CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt,
			IP: s.ClientIP, UserAgent: s.UserAgent,
			Current: a.Auth != nil && a.Auth.Session.IDHash == s.IDHash,
		}
	}
	return out, nil
}

// RevokeSession revokes the live session whose public id is id, of the
// user with userID: its cookie and tokens stop authenticating at once. An
// id that names no live session of that user is ErrNotFound. Anyone may
// revoke its own; other users' need PermUsers. Audited as
// "session_revoke".
func (m *Manager) RevokeSession(ctx context.Context, a Actor, userID, id string) error {
	u, err := m.mayManageSessions(ctx, a, userID, true)
	if err != nil {
		return err
	}
	if !publicID(id) {
		return fmt.Errorf("%w: no such session", ErrNotFound)
	}
	s, err := m.store.Sessions().GetSession(ctx, id)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%w: no such session", ErrNotFound)
	case err != nil:
		return fmt.Errorf("manage: read session: %w", err)
	case s.UserID != u.ID || !m.sessions.Live(s, &u, m.cfg.Now()):
		return fmt.Errorf("%w: no such session", ErrNotFound)
	}
	if err := m.store.Sessions().RevokeSession(ctx, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("manage: revoke session: %w", err)
	}
	m.record(ctx, a, "session_revoke", u.Company, "session "+id+" of "+target(&u))
	return nil
}

// publicID reports whether id has the shape of a session's public id: 64
// lower-case hex digits.
func publicID(id string) bool {
	if len(id) != 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// RevokeSessions ends every session and token of the user with userID —
// the actor's own included when it is the user — and returns how many
// live sessions it ended. Its session epoch is bumped too, so that a
// session opened meanwhile dies with them. Anyone may revoke its own;
// other users' need PermUsers. Audited as "session_revoke".
func (m *Manager) RevokeSessions(ctx context.Context, a Actor, userID string) (int, error) {
	u, err := m.mayManageSessions(ctx, a, userID, true)
	if err != nil {
		return 0, err
	}
	n, err := m.revokeAll(ctx, &u)
	if err != nil {
		return 0, err
	}
	if err := m.bumpEpoch(ctx, u.ID); err != nil {
		return 0, err
	}
	m.record(ctx, a, "session_revoke", u.Company, "all "+strconv.Itoa(n)+" sessions of "+target(&u))
	return n, nil
}

// revokeAll revokes every live session of u and returns how many.
func (m *Manager) revokeAll(ctx context.Context, u *user.User) (int, error) {
	live, err := m.sessions.LiveSessions(ctx, u)
	if err != nil {
		return 0, fmt.Errorf("manage: %w", err)
	}
	for _, s := range live {
		if err := m.store.Sessions().RevokeSession(ctx, s.IDHash); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return 0, fmt.Errorf("manage: revoke session: %w", err)
		}
	}
	return len(live), nil
}

// RevokeOtherSessions revokes every live session of a's user but a's own
// ("log out other devices") and returns how many it revoked. Every caller
// may, read-only users included. Audited as "session_revoke".
func (m *Manager) RevokeOtherSessions(ctx context.Context, a *session.Auth, c session.Client) (int, error) {
	if a == nil {
		return 0, fmt.Errorf("%w: no caller", ErrInvalid)
	}
	actor := Caller(a, c)
	u, err := m.mayManageSessions(ctx, actor, a.User.ID, true)
	if err != nil {
		return 0, err
	}
	live, err := m.sessions.LiveSessions(ctx, &u)
	if err != nil {
		return 0, fmt.Errorf("manage: %w", err)
	}
	n := 0
	for _, s := range live {
		if s.IDHash == a.Session.IDHash {
			continue
		}
		if err := m.store.Sessions().RevokeSession(ctx, s.IDHash); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return n, fmt.Errorf("manage: revoke session: %w", err)
		}
		n++
	}
	m.record(ctx, actor, "session_revoke", u.Company, strconv.Itoa(n)+" other sessions of "+target(&u))
	return n, nil
}

// bumpEpoch increments the session epoch of the user with id, re-reading
// it after a version conflict, up to UpdateAttempts writes.
func (m *Manager) bumpEpoch(ctx context.Context, id string) error {
	for attempt := 1; ; attempt++ {
		u, err := m.store.Users().GetUser(ctx, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return fmt.Errorf("%w: no such user", ErrNotFound)
		case err != nil:
			return fmt.Errorf("manage: read user: %w", err)
		}
		u.SessionEpoch++
		_, err = m.store.Users().UpdateUser(ctx, u)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, storage.ErrNotFound):
			return fmt.Errorf("%w: no such user", ErrNotFound)
		case !errors.Is(err, storage.ErrConflict):
			return fmt.Errorf("manage: update user: %w", err)
		case attempt == UpdateAttempts:
			return fmt.Errorf("%w: revoke sessions: %d writes in a row met a concurrent change: %w", ErrConflict, attempt, err)
		}
	}
}
