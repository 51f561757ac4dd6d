package session

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// Defaults of Config.
const (
	// DefaultSessionTTL is the lifetime of a session (and its tokens) when
	// the login asks for none: 86400 s, the account service's token default.
	DefaultSessionTTL = token.DefaultTTL
	// DefaultIdleTimeout ends a cookie session unused for this long (see
	// Config.IdleTimeout). Bearer tokens have no idle timeout by default.
	DefaultIdleTimeout = 30 * time.Minute
	// DefaultTouchInterval is how often, at most, a session's LastSeenAt is
	// written, unless an idle timeout shorter than ten of it asks for less
	// (see Config.TouchInterval).
	DefaultTouchInterval = time.Minute
	// DefaultHashWait is how long a login waits for a free hashing slot.
	DefaultHashWait = time.Second
)

// Limit configures the brute-force throttle of one kind of key (a username
// or a client address), after Keycloak's brute-force detection: the first
// MaxFailures failures in a window cost nothing more; from then on every
// attempt waits, the n-th failure beyond the limit WaitIncrement × n, at most
// MaxWait; a window without failures (ResetAfter after the first one) starts
// afresh, and a successful login resets the username's count.
type Limit struct {
	// MaxFailures is the number of failed attempts allowed before waits
	// start. Zero means the default of the key kind; negative disables
	// the throttle for this kind.
	MaxFailures int
	// WaitIncrement is the growth of the wait per failure beyond the
	// limit. Zero means one minute.
	WaitIncrement time.Duration
	// MaxWait caps the wait. Zero means 15 minutes.
	MaxWait time.Duration
	// ResetAfter is the failure window: counts are forgotten this long
	// after the window's first failure. Zero means 12 hours.
	ResetAfter time.Duration
}

func (l Limit) withDefaults(maxFailures int) (Limit, error) {
	if l.MaxFailures == 0 {
		l.MaxFailures = maxFailures
	}
	if l.WaitIncrement == 0 {
		l.WaitIncrement = time.Minute
	}
	if l.MaxWait == 0 {
		l.MaxWait = 15 * time.Minute
	}
	if l.ResetAfter == 0 {
		l.ResetAfter = 12 * time.Hour
	}
	if l.WaitIncrement < time.Second || l.MaxWait < l.WaitIncrement || l.ResetAfter < time.Second {
		return l, fmt.Errorf("%w: throttle waits must be at least 1s and MaxWait at least WaitIncrement", ErrConfig)
	}
	return l, nil
}

func (l Limit) enabled() bool { return l.MaxFailures > 0 }

// wait returns the lockout after the n-th failure of a window (n ≥ MaxFailures).
func (l Limit) wait(n int64) time.Duration {
	beyond := n - int64(l.MaxFailures) + 1
	if beyond < 1 {
		beyond = 1
	}
	if beyond > int64(l.MaxWait/l.WaitIncrement) {
		return l.MaxWait
	}
	return time.Duration(beyond) * l.WaitIncrement
}

// Throttle configures brute-force protection per username and per client
// address. The zero value means the defaults: 5 failures per username and
// 30 per address, waits growing by a minute up to 15 minutes, windows of 12
// hours.
type Throttle struct {
	PerUsername Limit
	PerAddress  Limit
}

// Config configures a Manager. Its zero value means the defaults.
type Config struct {
	// Token configures the signer and verifier of access tokens (issuer,
	// audience, leeway, default lifetime). Token.Now defaults to Now.
	Token token.Config
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// SessionTTL is the lifetime of a session whose login asks for none.
	// Zero means DefaultSessionTTL; it must be in 60..31556926 s.
	SessionTTL time.Duration
	// IdleTimeout ends a cookie session — a session presented by its
	// session id, the credential a browser sends by itself — not used for
	// this long. Zero means DefaultIdleTimeout (30 minutes); negative
	// disables it. It does not apply to bearer tokens (TokenIdleTimeout
	// does): a token works for the lifetime it was issued with (the account
	// service's ttl_seconds, up to a year) unless revoked. A use of the session by
	// either credential counts: the cookie of a login whose token is in use
	// does not idle out.
	IdleTimeout time.Duration
	// TokenIdleTimeout ends a session presented by a bearer token that was
	// not used for this long. Zero or negative (the default) means none:
	// long-lived API tokens must not die between two uses a day apart.
	TokenIdleTimeout time.Duration
	// TouchInterval is the most often LastSeenAt is written for one
	// session, to spare the store a write per request. Zero means
	// DefaultTouchInterval (one minute), or a tenth of the shorter idle
	// timeout in force when that is less; it must not exceed either idle
	// timeout in force. As LastSeenAt lags by up to TouchInterval, a
	// session in use may be found idle after IdleTimeout − TouchInterval
	// without a request.
	TouchInterval time.Duration
	// Hasher hashes and verifies passwords. Nil means user.NewHasher with
	// its defaults (bcrypt, cost 12). A Hasher that is not a
	// user.DummyVerifier gets a dummy hash made once with Hash. A Hasher
	// that verifies hashes of several costs should be a user.WorkPadder,
	// as the hashers of package user are, so that a failed login costs the
	// configured work whatever the stored hash; without it, failures are
	// not padded.
	Hasher user.Hasher
	// PasswordPolicy decides which new passwords ChangePassword accepts.
	PasswordPolicy user.PasswordPolicy
	// Throttle configures the brute-force protection of Login and of
	// ChangePassword's current-password check.
	Throttle Throttle
	// MaxConcurrentHashes bounds the password checks running at once, so
	// that a flood of logins cannot starve the server. Zero means
	// 2 × GOMAXPROCS.
	MaxConcurrentHashes int
	// HashWait is how long an attempt waits for a hashing slot before
	// ErrBusy. Zero means DefaultHashWait (1 s).
	HashWait time.Duration
	// PolicyRefresh is how long the store's policy version is trusted
	// before it is read again. Zero reads it on every Authenticate, so a
	// role change takes effect on the next request on every instance; a
	// positive value saves that store read and lets a role change take up
	// to this long.
	PolicyRefresh time.Duration
	// Service names the service in audit records; empty means
	// Token.Service, or "gatehouse". Server names the instance in the
	// records of the recorder New makes when Audit is nil; a Recorder
	// passed in Audit stamps its own audit.Config.Server.
	Service string
	Server  string
	// Logger receives warnings (an unknown role held by a user, a failed
	// audit write). Nil means slog.Default(). Nothing secret is logged.
	Logger *slog.Logger
	// Audit receives every audit action of the manager (logins, logouts,
	// password changes, account updates, revocations, denials): gatehouse
	// passes its *audit.Recorder, so that they share its buffer, retries,
	// write timeout and counters. Nil means a write-through audit.Recorder
	// over the store's AuditStore that tries each write once (its Server
	// is Server, its clock Now, its logger Logger, its observer Observer).
	Audit AuditRecorder
	// Observer is told of every Login (outcome, reason, duration),
	// every Authenticate (credential kind, outcome, reason, duration) and
	// every lockout of the throttle, and may put a span in the context
	// those calls continue in (see package observe). Nil, the default,
	// costs one comparison per call. gatehouse.Config.Observer sets it.
	Observer observe.Observer
	// MFA configures TOTP second factors (see MFAConfig); without its Key
	// nobody can enrol.
	MFA MFAConfig
	// PasswordReset configures self-service password reset (see
	// ResetConfig); without its Sender there is none.
	PasswordReset ResetConfig
}

func (c Config) withDefaults() (Config, error) {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Token.Now == nil {
		c.Token.Now = c.Now
	}
	if c.SessionTTL == 0 {
		c.SessionTTL = DefaultSessionTTL
	}
	if c.SessionTTL < token.MinTTL || c.SessionTTL > token.MaxTTL {
		return c, fmt.Errorf("%w: SessionTTL %v outside %v..%v", ErrConfig, c.SessionTTL, token.MinTTL, token.MaxTTL)
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.TokenIdleTimeout < 0 {
		c.TokenIdleTimeout = 0
	}
	// The shortest idle timeout in force bounds the touch interval.
	shortest := time.Duration(0)
	for _, idle := range []time.Duration{c.IdleTimeout, c.TokenIdleTimeout} {
		if idle > 0 && (shortest == 0 || idle < shortest) {
			shortest = idle
		}
	}
	if c.TouchInterval == 0 {
		c.TouchInterval = DefaultTouchInterval
		if shortest > 0 && shortest/10 < c.TouchInterval {
			c.TouchInterval = max(shortest/10, 1)
		}
	}
	if c.TouchInterval < 0 || (shortest > 0 && c.TouchInterval > shortest) {
		return c, fmt.Errorf("%w: TouchInterval must be positive and at most IdleTimeout and TokenIdleTimeout", ErrConfig)
	}
	if c.Hasher == nil {
		h, err := user.NewHasher(user.HasherConfig{})
		if err != nil {
			return c, fmt.Errorf("%w: %w", ErrConfig, err)
		}
		c.Hasher = h
	}
	var err error
	if c.Throttle.PerUsername, err = c.Throttle.PerUsername.withDefaults(5); err != nil {
		return c, err
	}
	if c.Throttle.PerAddress, err = c.Throttle.PerAddress.withDefaults(30); err != nil {
		return c, err
	}
	if c.MaxConcurrentHashes == 0 {
		c.MaxConcurrentHashes = 2 * runtime.GOMAXPROCS(0)
	}
	if c.MaxConcurrentHashes < 0 {
		return c, fmt.Errorf("%w: MaxConcurrentHashes must not be negative", ErrConfig)
	}
	if c.HashWait == 0 {
		c.HashWait = DefaultHashWait
	}
	if c.PolicyRefresh < 0 {
		return c, fmt.Errorf("%w: PolicyRefresh must not be negative", ErrConfig)
	}
	if c.Service == "" {
		c.Service = c.Token.Service
	}
	if c.Service == "" {
		c.Service = token.DefaultService
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.PasswordReset.TTL == 0 {
		c.PasswordReset.TTL = DefaultResetTTL
	}
	if c.PasswordReset.TTL < time.Minute || c.PasswordReset.TTL > 24*time.Hour {
		return c, fmt.Errorf("%w: PasswordReset.TTL must be 1m..24h", ErrConfig)
	}
	c.PasswordReset.PerUsername = c.PasswordReset.PerUsername.withDefaults(5)
	c.PasswordReset.PerAddress = c.PasswordReset.PerAddress.withDefaults(20)
	if c.PasswordReset.MaxPending <= 0 {
		c.PasswordReset.MaxPending = 64
	}
	if n := len(c.MFA.Key); n != 0 && n != 32 {
		return c, fmt.Errorf("%w: MFA.Key must be 32 bytes (AES-256), not %d", ErrConfig, n)
	}
	return c, nil
}

// AuditRecorder records audit actions; *audit.Recorder implements it.
type AuditRecorder interface {
	Record(ctx context.Context, a audit.Action) error
}
