package session

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// PasswordPolicy returns Config.PasswordPolicy, the rules new passwords
// follow, so that passwords set elsewhere (package manage, an admin tool)
// follow the same ones.
func (m *Manager) PasswordPolicy() user.PasswordPolicy { return m.cfg.PasswordPolicy }

// Live reports whether s, a session of u, can still authenticate by some
// credential at now: the live-session rule of the package documentation
// applied to a session and its user as read from the store. s must be u's
// (s.UserID == u.ID). The idle timeout counted is the longest one among
// the credentials of a session (its cookie's IdleTimeout, its tokens'
// TokenIdleTimeout): none at all while tokens have none, the default, so
// a session idle longer than IdleTimeout is still live while its token
// may be used.
func (m *Manager) Live(s storage.Session, u *user.User, now time.Time) bool {
	switch {
	case s.UserID != u.ID, s.Revoked, !now.Before(s.ExpiresAt):
		return false
	case u.Blocked, u.SessionEpoch != s.Epoch:
		return false
	}
	if idle := m.longestIdle(); idle > 0 && !now.Before(s.LastSeenAt.Add(idle)) {
		return false
	}
	return true
}

// longestIdle is the longest idle timeout of a session's credentials, 0
// when one of them has none.
func (m *Manager) longestIdle() time.Duration {
	if m.cfg.IdleTimeout <= 0 || m.cfg.TokenIdleTimeout <= 0 {
		return 0
	}
	return max(m.cfg.IdleTimeout, m.cfg.TokenIdleTimeout)
}

// LiveSessions returns the sessions of u that are live now (see [Manager.Live]),
// newest first (by CreatedAt, then IDHash). u should be the user as just
// read from the store: a blocked user, or one whose epoch moved on, has
// none. A storage error wraps ErrStore.
func (m *Manager) LiveSessions(ctx context.Context, u *user.User) ([]storage.Session, error) {
	all, err := m.store.Sessions().ListSessions(ctx, u.ID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, nil
		}
		return nil, storeErr("list sessions", err)
	}
	now := m.cfg.Now()
	live := all[:0]
	for _, s := range all {
		if m.Live(s, u, now) {
			live = append(live, s)
		}
	}
	slices.SortStableFunc(live, func(a, b storage.Session) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		switch {
		case a.IDHash > b.IDHash:
			return -1
		case a.IDHash < b.IDHash:
			return 1
		}
		return 0
	})
	return live, nil
}
