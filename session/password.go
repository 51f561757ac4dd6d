package session

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Logout revokes the session of a. A storage error is returned (wrapping
// ErrStore): the caller must report the logout as failed, and should still
// forget the credential on its side.
func (m *Manager) Logout(ctx context.Context, a *Auth, c Client) error {
	rec := m.auditAction("logout", a.User.Username, a.User.Company, c)
	if err := m.store.Sessions().RevokeSession(ctx, a.Session.IDHash); err != nil && !errors.Is(err, storage.ErrNotFound) {
		m.audit(ctx, rec, "failed", "store error")
		return storeErr("revoke session", err)
	}
	m.audit(ctx, rec, "ok", "")
	return nil
}

// RevokeID revokes the session whose id is sessionID, if it exists: login
// calls it for the cookie a browser still presents, so that the old session
// does not outlive the new one. A malformed id is ignored (it names no
// session), as is an unknown one.
func (m *Manager) RevokeID(ctx context.Context, sessionID string) error {
	if !ValidID(sessionID) {
		return nil
	}
	err := m.store.Sessions().RevokeSession(ctx, HashID(sessionID))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return storeErr("revoke session", err)
	}
	return nil
}

// ChangePassword checks the current password of a's user (throttled and
// counted like a login), validates the new one with Config.PasswordPolicy,
// then writes the new hash and a bumped session epoch in one store update,
// which ends every session and token of the user at once, and returns a new
// session. The new session is stored before the update, under the new
// epoch, so it is live exactly when the update has happened: when
// ChangePassword returns nil, the password was changed; when it returns an
// error, it was not (the prepared session is revoked, and could not
// authenticate anyway while the epoch is unchanged).
//
// A wrong current password is ErrInvalidCredentials; a refused new password
// an error wrapping user.ErrInvalid (a *user.FieldError for "password").
func (m *Manager) ChangePassword(ctx context.Context, a *Auth, current, newPassword string, c Client) (*Result, error) {
	rec := m.auditAction("password_change", a.User.Username, a.User.Company, c)
	if err := user.ValidatePassword(current); err != nil {
		return nil, err
	}
	if err := m.cfg.PasswordPolicy.Validate(newPassword); err != nil {
		return nil, err
	}
	holder := c.TraceCode
	if holder == "" {
		holder = a.Session.IDHash
	}
	// Re-read the user so a change made since Authenticate is seen.
	u, err := m.store.Users().GetUser(ctx, a.User.ID)
	if err != nil {
		m.audit(ctx, rec, "failed", "store error")
		return nil, denyOrFail("read user", err)
	}
	if u.Blocked || u.SessionEpoch != a.Session.Epoch {
		m.audit(ctx, rec, "failed", "session ended")
		return nil, fmt.Errorf("%w: session ended", ErrUnauthenticated)
	}
	att, err := m.reserve(ctx, holder, u.Username, c.IP)
	if err != nil {
		outcome := "failed"
		if errors.Is(err, ErrLocked) {
			outcome = "locked"
		}
		m.audit(ctx, rec, outcome, "")
		return nil, err
	}
	release, err := m.acquireHash(ctx)
	if err != nil {
		att.undo(ctx)
		m.audit(ctx, rec, "busy", "")
		return nil, err
	}
	ok, _, verr := m.cfg.Hasher.Verify(u.PasswordHash, current)
	if !ok || verr != nil {
		release()
		ferr := att.fail(ctx)
		m.audit(ctx, rec, "failed", "wrong current password")
		if ferr != nil {
			return nil, ferr
		}
		return nil, ErrInvalidCredentials
	}
	hash, err := m.cfg.Hasher.Hash(newPassword)
	release()
	if err != nil {
		att.undo(ctx)
		m.audit(ctx, rec, "failed", "hash error")
		return nil, fmt.Errorf("session: hash new password: %w", err)
	}
	att.succeed(ctx)

	ttl := a.Session.ExpiresAt.Sub(a.Session.CreatedAt).Truncate(time.Second)
	ttl = min(max(ttl, time.Minute), m.maxTTL())
	res, err := m.openAt(ctx, u, u.SessionEpoch+1, ttl, c, false)
	if err != nil {
		m.audit(ctx, rec, "failed", "session not opened")
		return nil, err
	}
	if err := m.store.Sessions().CreateSession(ctx, res.Session); err != nil {
		m.audit(ctx, rec, "failed", "store error")
		return nil, storeErr("create session", err)
	}
	stored, err := m.writePassword(ctx, u, hash)
	if err != nil {
		// The new session was opened under the next epoch and its id never
		// left this function; revoke it even when ctx has ended, so that a
		// later change to that epoch cannot make it live.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		_ = m.store.Sessions().RevokeSession(rctx, res.Session.IDHash)
		cancel()
		m.audit(ctx, rec, "failed", "not stored")
		return nil, err
	}
	res.User = stored
	m.audit(ctx, rec, "ok", "")
	return res, nil
}

func (m *Manager) maxTTL() time.Duration { return 31556926 * time.Second }

// writePassword stores hash and epoch+1 in one update. On a version
// conflict it re-reads the user once and retries only if neither the hash
// nor the epoch changed meanwhile (another field did).
func (m *Manager) writePassword(ctx context.Context, u user.User, hash string) (user.User, error) {
	for try := 0; ; try++ {
		nu := u.Clone()
		nu.PasswordHash = hash
		nu.SessionEpoch = u.SessionEpoch + 1
		nu.PasswordChangedAt = m.cfg.Now().UTC()
		stored, err := m.store.Users().UpdateUser(ctx, nu)
		if err == nil {
			return stored, nil
		}
		if !errors.Is(err, storage.ErrConflict) || try > 0 {
			return user.User{}, storeErr("update user", err)
		}
		again, rerr := m.store.Users().GetUser(ctx, u.ID)
		if rerr != nil {
			return user.User{}, denyOrFail("read user", rerr)
		}
		if again.PasswordHash != u.PasswordHash || again.SessionEpoch != u.SessionEpoch {
			return user.User{}, fmt.Errorf("%w: the password or the sessions changed meanwhile", ErrUnauthenticated)
		}
		u = again
	}
}

// RevokeAll ends every session and token of the user at once by bumping
// the user's session epoch (on a version conflict it re-reads and retries,
// a few times). c only feeds the audit.
func (m *Manager) RevokeAll(ctx context.Context, userID string, c Client) error {
	for try := 0; try < 3; try++ {
		u, err := m.store.Users().GetUser(ctx, userID)
		if err != nil {
			return storeErr("read user", err)
		}
		u.SessionEpoch++
		_, err = m.store.Users().UpdateUser(ctx, u)
		if err == nil {
			m.audit(ctx, m.auditAction("revoke_all", u.Username, u.Company, c), "ok", "")
			return nil
		}
		if !errors.Is(err, storage.ErrConflict) {
			return storeErr("update user", err)
		}
	}
	return fmt.Errorf("%w: revoke all: too many concurrent updates", ErrStore)
}
