package session

import (
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/observe"
)

// Decisions: the caller is refused. Compare with errors.Is.
var (
	// ErrInvalidCredentials is the one answer of Login for an unknown
	// username, a user without a password, a wrong password and a blocked
	// user, after the same hashing work; and of ChangePassword for a wrong
	// current password.
	ErrInvalidCredentials = errors.New("session: invalid username or password")

	// ErrLocked is wrapped by a *LockedError: too many failed logins for the
	// username or the client address; no password was checked.
	ErrLocked = errors.New("session: too many failed logins")

	// ErrUnauthenticated is returned by Authenticate (and the methods that
	// take an *Auth) for any credential that does not name a live session:
	// malformed, unknown, revoked, expired, idle, of a blocked or deleted
	// user, of an older session epoch, or a token whose sub is not the
	// session's user.
	ErrUnauthenticated = errors.New("session: not authenticated")

	// ErrReadOnly is returned by UpdateAccount for a read-only user
	// (user.AccessReadOnly): such a user reads, and changes only its own
	// credentials (ChangePassword, Logout).
	ErrReadOnly = errors.New("session: read-only access")

	// ErrOTPRequired is the answer of Login for a user with TOTP enabled
	// whose password was right but who sent neither a one-time code nor a
	// recovery code. It is counted by the throttle like a wrong password,
	// since it tells the caller that the password was right.
	ErrOTPRequired = errors.New("session: one-time code required")

	// ErrInvalidCode is returned by ConfirmTOTP for a code that does not
	// match the pending secret.
	ErrInvalidCode = errors.New("session: wrong one-time code")

	// ErrNoEnrolment is returned by ConfirmTOTP without a pending
	// enrolment and by DisableTOTP for a user without a second factor.
	ErrNoEnrolment = errors.New("session: no TOTP enrolment")

	// ErrMFAEnabled is returned by BeginTOTP for a user whose TOTP is
	// already enabled: disable it first.
	ErrMFAEnabled = errors.New("session: TOTP already enabled")

	// ErrResetToken is the one answer of ConfirmPasswordReset for a token
	// that is malformed, unknown, used, replaced, expired, or dead since a
	// password change.
	ErrResetToken = errors.New("session: invalid or expired reset token")
)

// Failures: something did not work. Every failure is also a refusal.
var (
	// ErrStore wraps a storage error that stopped an operation. The
	// operation did not succeed: a login opened no session, an
	// authentication authenticated nobody, a password was not changed.
	ErrStore = errors.New("session: store failed")

	// ErrBusy is returned by Login and ChangePassword when
	// Config.MaxConcurrentHashes hashes are already running and none ended
	// within Config.HashWait: the caller should retry later (HTTP 503).
	ErrBusy = errors.New("session: too many password checks in progress")

	// ErrConflict is returned by UpdateAccount when each of its
	// AccountUpdateAttempts writes met a concurrent change of the user (a
	// version conflict): nothing of the update was written, and the caller
	// may retry it (HTTP 409).
	ErrConflict = errors.New("session: concurrent update")

	// ErrConfig is returned by New for an unusable Config.
	ErrConfig = errors.New("session: invalid configuration")

	// ErrMFAUnavailable is returned by the TOTP methods without
	// MFAConfig.Key (HTTP 501), and by Login when the user's sealed secret
	// does not open with the configured key (a recovery code still works).
	ErrMFAUnavailable = errors.New("session: TOTP second factor not configured")

	// ErrResetUnavailable is returned by the password reset methods
	// without ResetConfig.Sender (HTTP 501).
	ErrResetUnavailable = errors.New("session: password reset not configured")
)

// LockedError is returned by Login and ChangePassword while the username or
// the client address is locked out after too many failed attempts. It wraps
// ErrLocked.
type LockedError struct {
	// RetryAfter is how long until the next attempt is allowed (at least
	// one second).
	RetryAfter time.Duration

	key observe.ThrottleKey // which key refused, for Config.Observer
}

// Error returns the message with the wait.
func (e *LockedError) Error() string {
	return fmt.Sprintf("%v: retry after %v", ErrLocked, e.RetryAfter)
}

// Unwrap returns ErrLocked.
func (e *LockedError) Unwrap() error { return ErrLocked }

func storeErr(op string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrStore, op, err)
}
