package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// DefaultResetTTL is how long a password reset token works by default.
const DefaultResetTTL = 30 * time.Minute

// ResetConfig configures self-service password reset
// (RequestPasswordReset, ConfirmPasswordReset).
type ResetConfig struct {
	// Sender hands reset tokens to the user (by mail, SMS, ...); gatehouse
	// sends nothing itself. Nil disables reset: both calls answer
	// ErrResetUnavailable (HTTP 501).
	Sender ResetSender
	// TTL is how long a token works; zero means DefaultResetTTL. At most
	// 24 hours.
	TTL time.Duration
	// PerUsername and PerAddress cap the requests: at most Max in a
	// window of Window, whether or not the user exists. Zero values mean 5
	// per username and 20 per address per hour; a negative Max disables
	// that cap.
	PerUsername, PerAddress RateLimit
	// MaxPending caps the deliveries running at once (see
	// RequestPasswordReset); zero means 64. A request beyond it is
	// answered as usual and its delivery dropped, with a warning logged.
	MaxPending int
}

// RateLimit is a fixed-window rate limit.
type RateLimit struct {
	Max    int
	Window time.Duration
}

func (l RateLimit) withDefaults(n int) RateLimit {
	if l.Max == 0 {
		l.Max = n
	}
	if l.Window <= 0 {
		l.Window = time.Hour
	}
	return l
}

// ResetSender delivers a password reset token to a user. It runs apart
// from the request (see RequestPasswordReset), so its latency tells the
// requester nothing. It must be safe for concurrent use, must not log the
// token anywhere but the channel to the user, and should return within its
// context's deadline.
type ResetSender interface {
	SendPasswordReset(ctx context.Context, d ResetDelivery) error
}

// ResetSenderFunc adapts a function to ResetSender.
type ResetSenderFunc func(ctx context.Context, d ResetDelivery) error

// SendPasswordReset calls f.
func (f ResetSenderFunc) SendPasswordReset(ctx context.Context, d ResetDelivery) error {
	return f(ctx, d)
}

// ResetDelivery is one token to deliver.
type ResetDelivery struct {
	// User is the user (without password hash or other secrets): send to
	// its e-mail address or phone.
	User user.User
	// Token is the reset token, for ConfirmPasswordReset (POST
	// /password/reset/confirm): a secret of 256 bits.
	Token string
	// ExpiresAt is when the token stops working.
	ExpiresAt time.Time
	// Client is who asked (address, user agent), for the message.
	Client Client
}

// Counter keys of the reset rate limits.
const (
	keyResetUser = "gatehouse:reset:user:"
	keyResetAddr = "gatehouse:reset:addr:"
)

// resets tracks the deliveries running in the background.
type resets struct {
	wg  sync.WaitGroup
	sem chan struct{}
}

// RequestPasswordReset starts a password reset for username on behalf of
// client c. Its answer and its work do not depend on whether the user
// exists: it checks the username's syntax, counts the request against the
// per-username and per-address limits (a *LockedError beyond them, for
// known and unknown names alike), audits it (password_reset_request), and
// returns. Everything that would take longer for an existing user — the
// lookup, making the token, storing its hash and calling the
// ResetSender — runs after it returns, in a goroutine with a context
// detached from ctx (one minute at most); WaitPasswordResets waits for
// those. A user that does not exist, is blocked or has no password gets
// nothing. A new token replaces the user's earlier one.
func (m *Manager) RequestPasswordReset(ctx context.Context, username string, c Client) error {
	if m.cfg.PasswordReset.Sender == nil {
		return ErrResetUnavailable
	}
	if err := user.ValidateUsername(username); err != nil {
		return err
	}
	rec := m.auditAction("password_reset_request", username, "", c)
	if err := m.resetLimit(ctx, username, c.IP); err != nil {
		outcome := "failed"
		if errors.Is(err, ErrLocked) {
			outcome = "locked"
		}
		m.audit(ctx, rec, outcome, "")
		return err
	}
	m.audit(ctx, rec, "accepted", "")
	select {
	case m.resets.sem <- struct{}{}:
	default:
		m.cfg.Logger.WarnContext(ctx, "session: too many password reset deliveries running; one dropped")
		return nil
	}
	m.resets.wg.Add(1)
	go func() {
		defer m.resets.wg.Done()
		defer func() { <-m.resets.sem }()
		dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if err := m.deliverReset(dctx, username, c); err != nil {
			m.cfg.Logger.WarnContext(dctx, "session: password reset not delivered", "err", err)
		}
	}()
	return nil
}

// WaitPasswordResets waits until the deliveries started by
// RequestPasswordReset so far have ended: for tests, and for a host's
// orderly shutdown.
func (m *Manager) WaitPasswordResets() { m.resets.wg.Wait() }

// resetLimit counts a request against both limits.
func (m *Manager) resetLimit(ctx context.Context, username, ip string) error {
	cfg := m.cfg.PasswordReset
	check := func(l RateLimit, key string) error {
		if l.Max < 0 {
			return nil
		}
		n, err := m.store.Counters().Increment(ctx, key, 1, l.Window)
		if err != nil {
			return storeErr("count reset request", err)
		}
		if n <= int64(l.Max) {
			return nil
		}
		wait := l.Window
		if _, until, err := m.store.Counters().Counter(ctx, key); err == nil {
			wait = until.Sub(m.cfg.Now())
		}
		return &LockedError{RetryAfter: atLeastSecond(wait)}
	}
	if err := check(cfg.PerUsername, keyResetUser+storage.FoldUsername(username)); err != nil {
		return err
	}
	if ip == "" {
		return nil
	}
	return check(cfg.PerAddress, keyResetAddr+ip)
}

// deliverReset makes and stores the token of username, if it names a user
// that may have one, and hands it to the sender.
func (m *Manager) deliverReset(ctx context.Context, username string, c Client) error {
	u, err := m.store.Users().GetUserByUsername(ctx, username)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return storeErr("read user", err)
	}
	if u.Blocked || u.PasswordHash == "" {
		return nil
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("session: random: %w", err)
	}
	tok := base64.RawURLEncoding.EncodeToString([]byte(u.ID)) + "." + base64.RawURLEncoding.EncodeToString(secret)
	expires := m.cfg.Now().Add(m.cfg.PasswordReset.TTL).UTC().Truncate(time.Second)
	for try := 0; ; try++ {
		nu := u.Clone()
		nu.ResetTokenHash, nu.ResetExpiresAt, nu.ResetEpoch = hashCode(tok), expires, u.SessionEpoch
		_, err := m.store.Users().UpdateUser(ctx, nu)
		if err == nil {
			break
		}
		if !errors.Is(err, storage.ErrConflict) || try >= 2 {
			return storeErr("store reset token", err)
		}
		if u, err = m.store.Users().GetUser(ctx, u.ID); err != nil {
			return storeErr("read user", err)
		}
	}
	pub := u.Clone()
	pub.PasswordHash, pub.TOTPSecret, pub.RecoveryCodes, pub.ResetTokenHash = "", "", nil, ""
	return m.cfg.PasswordReset.Sender.SendPasswordReset(ctx, ResetDelivery{User: pub, Token: tok, ExpiresAt: expires, Client: c})
}

// ConfirmPasswordReset sets newPassword (Config.PasswordPolicy applies:
// an error wrapping user.ErrInvalid) for the user whose reset token tok
// is. The token works once, until it expires, and only while the user's
// session epoch is the one it was issued under: any password change (and
// a revocation of every session) kills it. The new hash, a bumped session
// epoch (every session, token and API key of the user dies) and the
// cleared token are written in one update. A token that is malformed,
// unknown, used, replaced, expired or dead is ErrResetToken, one answer
// for all. A second factor is not touched: the next login still needs it.
// Audited as password_reset.
func (m *Manager) ConfirmPasswordReset(ctx context.Context, tok, newPassword string, c Client) error {
	if m.cfg.PasswordReset.Sender == nil {
		return ErrResetUnavailable
	}
	id, ok := resetTokenUser(tok)
	if !ok {
		return ErrResetToken
	}
	if err := m.cfg.PasswordPolicy.Validate(newPassword); err != nil {
		return err
	}
	u, err := m.store.Users().GetUser(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return ErrResetToken
	}
	if err != nil {
		return storeErr("read user", err)
	}
	rec := m.auditAction("password_reset", u.Username, u.Company, c)
	if !m.resetTokenLive(u, tok) {
		m.audit(ctx, rec, "failed", "invalid or expired token")
		return ErrResetToken
	}
	release, err := m.acquireHash(ctx)
	if err != nil {
		m.audit(ctx, rec, "busy", "")
		return err
	}
	hash, err := m.cfg.Hasher.Hash(newPassword)
	release()
	if err != nil {
		m.audit(ctx, rec, "failed", "hash error")
		return fmt.Errorf("session: hash new password: %w", err)
	}
	for try := 0; ; try++ {
		nu := u.Clone()
		nu.PasswordHash, nu.PasswordChangedAt, nu.SessionEpoch = hash, m.cfg.Now().UTC(), u.SessionEpoch+1
		nu.ResetTokenHash, nu.ResetExpiresAt, nu.ResetEpoch = "", time.Time{}, 0
		_, err := m.store.Users().UpdateUser(ctx, nu)
		if err == nil {
			break
		}
		if !errors.Is(err, storage.ErrConflict) || try >= 2 {
			m.audit(ctx, rec, "failed", "store error")
			return storeErr("update user", err)
		}
		// Someone wrote first — perhaps this very token's other use: the
		// token must still be live in what they stored.
		if u, err = m.store.Users().GetUser(ctx, id); err != nil {
			m.audit(ctx, rec, "failed", "store error")
			return denyOrFail("read user", err)
		}
		if !m.resetTokenLive(u, tok) {
			m.audit(ctx, rec, "failed", "invalid or expired token")
			return ErrResetToken
		}
	}
	m.audit(ctx, rec, "ok", "")
	return nil
}

// resetTokenUser returns the user id a token names, when it is well formed.
func resetTokenUser(tok string) (string, bool) {
	idPart, secret, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 512 || len(secret) != 43 {
		return "", false
	}
	if b, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(b) != 32 {
		return "", false
	}
	id, err := base64.RawURLEncoding.DecodeString(idPart)
	if err != nil || len(id) == 0 {
		return "", false
	}
	return string(id), true
}

// resetTokenLive reports whether tok is u's pending token, unexpired and
// of u's current epoch, and u may still log in.
func (m *Manager) resetTokenLive(u user.User, tok string) bool {
	return u.ResetTokenHash != "" &&
		subtle.ConstantTimeCompare([]byte(u.ResetTokenHash), []byte(hashCode(tok))) == 1 &&
		m.cfg.Now().Before(u.ResetExpiresAt) &&
		u.ResetEpoch == u.SessionEpoch &&
		!u.Blocked
}
