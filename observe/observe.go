package observe

import (
	"context"
	"time"
)

// Observer is told what gatehouse's managers did. It is called
// synchronously, on the caller's goroutine (the request's, or the audit
// recorder's for a buffered write), so its methods must be safe for
// concurrent use and quick: they must not block on I/O.
//
// No event carries a username, password, token, session id, address or
// counter key: only classes an operator can count. Embed [Nop] to implement
// only some of the methods.
type Observer interface {
	// LoginStart is called as session.Manager.Login begins. It returns the
	// context the login continues in, which LoginDone and every store call
	// of the login receive: an observer may put a span in it. Return ctx
	// itself to add nothing.
	LoginStart(ctx context.Context) context.Context
	// LoginDone is called once per LoginStart, with the context it
	// returned, when the login has its answer.
	LoginDone(ctx context.Context, e Login)
	// AuthenticateStart is called as session.Manager.Authenticate begins
	// with a credential of kind c, and returns the context it continues
	// in, as LoginStart does.
	AuthenticateStart(ctx context.Context, c Credential) context.Context
	// AuthenticateDone is called once per AuthenticateStart, with the
	// context it returned, when the authentication has its answer.
	AuthenticateDone(ctx context.Context, e Authentication)
	// Lockout is called when failed attempts lock out a username or a
	// client address (after a login or a password change's check of the
	// current password), and again each time a further failure prolongs
	// the lockout.
	Lockout(ctx context.Context, e Lockout)
	// QuotaRefused is called when quota.Enforcer.Acquire refuses an
	// operation.
	QuotaRefused(ctx context.Context, e QuotaRefusal)
	// AuditLost is called when audit.Recorder loses an action: refused
	// because its buffer was full or it was closed, or not written after
	// every attempt.
	AuditLost(ctx context.Context, e AuditLoss)
}

// Nop is an Observer that does nothing. Embed it in a type to implement
// only the methods that type cares about. A nil Observer in a Config costs
// less still: the managers skip it with one comparison.
type Nop struct{}

// LoginStart returns ctx.
func (Nop) LoginStart(ctx context.Context) context.Context { return ctx }

// LoginDone does nothing.
func (Nop) LoginDone(context.Context, Login) {}

// AuthenticateStart returns ctx.
func (Nop) AuthenticateStart(ctx context.Context, _ Credential) context.Context { return ctx }

// AuthenticateDone does nothing.
func (Nop) AuthenticateDone(context.Context, Authentication) {}

// Lockout does nothing.
func (Nop) Lockout(context.Context, Lockout) {}

// QuotaRefused does nothing.
func (Nop) QuotaRefused(context.Context, QuotaRefusal) {}

// AuditLost does nothing.
func (Nop) AuditLost(context.Context, AuditLoss) {}

var _ Observer = Nop{}

// Login is the answer of one login.
type Login struct {
	Outcome LoginOutcome
	// Reason tells why a login was invalid ("" otherwise). It is for
	// operators only: it tells an unknown username from a wrong password,
	// which the login's caller is never told. See [LoginReason].
	Reason LoginReason
	// Duration is how long the login took, hashing included, on the
	// monotonic clock (not session.Config.Now, which may be a test's).
	Duration time.Duration
}

// LoginOutcome is the class of a login's answer.
type LoginOutcome string

// Outcomes of a login.
const (
	// LoginOK: a session was opened.
	LoginOK LoginOutcome = "ok"
	// LoginInvalid: session.ErrInvalidCredentials, the one answer for an
	// unknown username, a user without a password, a wrong password and a
	// blocked user. Reason says which.
	LoginInvalid LoginOutcome = "invalid"
	// LoginLocked: a *session.LockedError; no password was checked.
	// Reason says which key is locked.
	LoginLocked LoginOutcome = "locked"
	// LoginBusy: session.ErrBusy, no hashing slot was free.
	LoginBusy LoginOutcome = "busy"
	// LoginMalformed: the request broke a rule before anything was
	// checked (a username or password outside its limits, a bad TTL).
	LoginMalformed LoginOutcome = "malformed"
	// LoginUnavailable: session.ErrStore, the store failed.
	LoginUnavailable LoginOutcome = "unavailable"
	// LoginError: another failure (a token or session id not made).
	LoginError LoginOutcome = "error"
)

// LoginReason refines a login's outcome.
type LoginReason string

// Reasons of an invalid login (LoginInvalid) and of a lockout
// (LoginLocked). An unknown username and a wrong password are told apart
// here, for the operator's dashboards, and nowhere in the answer to the
// caller; an observer that exports them should let its user choose
// whether to (package github.com/gatehouse-go/gatehouse/otel does not by
// default).
const (
	ReasonUnknownUser   LoginReason = "unknown_user"
	ReasonNoPassword    LoginReason = "no_password"
	ReasonWrongPassword LoginReason = "wrong_password"
	// ReasonUnusableHash: the stored hash could not be verified (a
	// corrupt or unknown scheme); also logged.
	ReasonUnusableHash LoginReason = "unusable_hash"
	// ReasonBlocked: the password was right, the user is blocked.
	ReasonBlocked LoginReason = "blocked"
	// ReasonSecondFactor: the password was right, and the user's second
	// factor (a one-time or recovery code) was missing, wrong or replayed.
	ReasonSecondFactor LoginReason = "second_factor"
	// ReasonLockedUsername and ReasonLockedAddress: which throttle key
	// refused the attempt.
	ReasonLockedUsername LoginReason = "username"
	ReasonLockedAddress  LoginReason = "address"
)

// Credential is the kind of credential an authentication was given.
type Credential string

// Kinds of credential.
const (
	// CredentialBearer: an access token (Authorization: Bearer).
	CredentialBearer Credential = "bearer"
	// CredentialCookie: a session id, as the session cookie carries it.
	CredentialCookie Credential = "cookie"
	// CredentialAPIKey: an API key (Authorization: Bearer ghk_…).
	CredentialAPIKey Credential = "api_key"
	// CredentialNone: no credential at all.
	CredentialNone Credential = "none"
)

// Authentication is the answer of one session.Manager.Authenticate.
type Authentication struct {
	Credential Credential
	Outcome    AuthOutcome
	// Reason says why a credential was refused, or which store call
	// failed ("" for AuthOK).
	Reason AuthReason
	// Duration is how long the authentication took, on the monotonic
	// clock.
	Duration time.Duration
}

// AuthOutcome is the class of an authentication's answer.
type AuthOutcome string

// Outcomes of an authentication.
const (
	// AuthOK: a live session.
	AuthOK AuthOutcome = "ok"
	// AuthRefused: session.ErrUnauthenticated.
	AuthRefused AuthOutcome = "refused"
	// AuthUnavailable: session.ErrStore, the store failed; refused too.
	AuthUnavailable AuthOutcome = "unavailable"
)

// AuthReason says why an authentication was refused (see the live-session
// rule of package session).
type AuthReason string

// Reasons of a refused authentication.
const (
	// AuthReasonNoCredential: the request carried no credential, or one
	// nobody holds (an Authorization header of another scheme, an empty
	// bearer token, the session cookie more than once); told by the HTTP
	// layer of package gatehouse, which refuses it before the session
	// manager is asked.
	AuthReasonNoCredential AuthReason = "no_credential"
	// AuthReasonCrossOrigin: a cookie-authenticated unsafe request from
	// another origin, refused by the HTTP layer before the session is
	// looked up.
	AuthReasonCrossOrigin AuthReason = "cross_origin"
	// AuthReasonMalformed: a session id, or a token's sid, of the wrong
	// form; nothing was looked up.
	AuthReasonMalformed AuthReason = "malformed"
	// AuthReasonInvalidToken: the token did not verify (signature,
	// expiry, issuer, audience, size).
	AuthReasonInvalidToken    AuthReason = "invalid_token"
	AuthReasonUnknownSession  AuthReason = "unknown_session"
	AuthReasonRevoked         AuthReason = "revoked"
	AuthReasonExpired         AuthReason = "expired"
	AuthReasonIdle            AuthReason = "idle"
	AuthReasonUnknownUser     AuthReason = "unknown_user"
	AuthReasonBlocked         AuthReason = "blocked"
	AuthReasonEpoch           AuthReason = "epoch_ended"
	AuthReasonSubjectMismatch AuthReason = "subject_mismatch"
	// AuthReasonPermissions: the user's permissions did not compile (a
	// broken role catalogue).
	AuthReasonPermissions AuthReason = "permissions"
	// AuthReasonStore: the store failed (with AuthUnavailable).
	AuthReasonStore AuthReason = "store"
)

// ThrottleKey is the kind of key a login throttle counts.
type ThrottleKey string

// Kinds of throttle key.
const (
	ThrottleUsername ThrottleKey = "username"
	ThrottleAddress  ThrottleKey = "address"
)

// Lockout is a lockout that started, or grew, after a failed attempt.
type Lockout struct {
	// Key is the kind of key locked; the key itself (a username, an
	// address) is never given.
	Key ThrottleKey
	// Failures is the key's failures in the window, this one included.
	Failures int64
	// Wait is how long the key is locked.
	Wait time.Duration
}

// QuotaRefusal is an operation refused by quota.Enforcer.Acquire.
type QuotaRefusal struct {
	// Service and MethodGroup name the quota (configuration names, never a
	// user's).
	Service, MethodGroup string
	Outcome              QuotaOutcome
	// Limit names the limit exceeded (quota.LimitPointsPerDay, ...) for
	// QuotaExceeded, "" otherwise.
	Limit string
}

// QuotaOutcome is why a quota refused.
type QuotaOutcome string

// Quota refusals.
const (
	// QuotaExceeded: a *quota.ExceededError; Limit names the limit.
	QuotaExceeded QuotaOutcome = "exceeded"
	// QuotaNone: quota.ErrNoQuota, no role gives a quota there.
	QuotaNone QuotaOutcome = "no_quota"
	// QuotaUnavailable: the store failed, and the operation was denied.
	QuotaUnavailable QuotaOutcome = "unavailable"
)

// AuditLoss is an audit action that was not stored.
type AuditLoss struct {
	// Operation is the action's operation id ("login", or the host's).
	Operation string
	Reason    AuditLossReason
}

// AuditLossReason is why an audit action was lost.
type AuditLossReason string

// Reasons an audit action was lost.
const (
	// AuditRejected: audit.ErrBufferFull, the buffer was full.
	AuditRejected AuditLossReason = "rejected"
	// AuditClosed: audit.ErrClosed, the recorder was closed.
	AuditClosed AuditLossReason = "closed"
	// AuditFailed: the store refused or failed every attempt.
	AuditFailed AuditLossReason = "failed"
)
