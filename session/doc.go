// Package session opens, checks and ends the sessions of gatehouse: login by
// username and password, authentication of a bearer token or a session
// cookie, logout, password change and revocation. It does not import
// net/http; the root package gatehouse puts it behind handlers and
// middleware.
//
// # Sessions and tokens
//
// A session is a server-side record (storage.Session). Its id is 256 bits
// from crypto/rand, written as 43 unpadded base64url characters
// ([Result].SessionID): that is the secret a cookie carries. Stores keep
// only its hex SHA-256 ([HashID]), the IDHash, and a presented id is
// format-checked ([ValidID]) before any store lookup, so a made-up id is
// never looked up, let alone stored.
//
// Every login also issues an access token (package token) whose sid claim
// is the session's IDHash, not its id: the token is signed, so its sid
// cannot be forged, and reading a token (it is only base64) does not give
// the cookie. A token and the cookie of one login resolve to the same
// session, and die with it.
//
// # Live-session rule
//
// [Manager.Authenticate] accepts a credential only if
//
//   - the token verifies (package token) or the session id is well formed;
//   - the session exists and is not revoked;
//   - now is before its absolute expiry (ExpiresAt) and, when the credential
//     has an idle timeout, before LastSeenAt plus that timeout;
//   - its user exists and is not blocked;
//   - the session's epoch equals the user's SessionEpoch;
//   - for a token, its sub is the session's user.
//
// Anything else is [ErrUnauthenticated]; any storage error is [ErrStore],
// and authenticates nobody either (fail closed). LastSeenAt is written at
// most once per Config.TouchInterval; a failed write also refuses.
//
// # API keys
//
// [Manager.CreateAPIKey] makes a personal access token: [APIKeyPrefix]
// ("ghk_") and 256 bits from crypto/rand, shown once ([NewAPIKey].Key);
// the store keeps its SHA-256 ([HashID]) as storage.APIKey.KeyHash. A
// bearer credential starting with ghk_ goes to Credential.APIKey, and
// Authenticate then applies the live-key rule: the key's record, read by
// its hash in one indexed read, is not revoked and not expired; its user
// exists and is not blocked; the key's epoch equals the user's
// SessionEpoch (a password change or RevokeAll ends it). A key has no idle
// timeout. The caller's permissions are the user's current ones, narrowed,
// when the key names roles, to those of them the user still holds and
// without the admin flag: a key narrows and never widens. [Auth].APIKey is
// set, [Auth].ViaCookie false. LastUsedAt is written at most once a minute.
// A key nobody holds is counted against Credential.ClientIP under
// Config.Throttle.PerAddress; over its limit, the address's unknown keys
// get a [*LockedError], while a key that is found still authenticates (a
// 256-bit key cannot be guessed, and others' bogus keys behind a shared
// address must not lock it out). A caller authenticated by a key
// makes no key ([ErrAPIKeyCaller]), and a read-only user none either
// ([ErrReadOnly]). CreateAPIKey is audited as api_key_create with the key's
// public id; no key, hash or secret is ever logged or audited.
//
// # Idle timeouts
//
// The idle timeout depends on the credential presented, not on how the
// session was opened. A session id (a cookie, what a browser holds) is
// refused after Config.IdleTimeout without use, 30 minutes by default. A
// bearer token is not: it works until the lifetime it was issued with ends
// (POST /token's ttl_seconds, one day by default and up to a year) unless
// its session is revoked or its user's epoch bumped, as the account service's
// clients expect of a token they keep for days. Config.TokenIdleTimeout, off by
// default, gives tokens an idle timeout of their own. A use by either
// credential refreshes LastSeenAt, so the cookie of a login whose token is
// in use does not idle out.
//
// The permission set of an authenticated user is compiled from the user's
// current roles and the store's role definitions, cached per role
// combination under the store's policy version (permissions.Cache), which is
// read on every Authenticate unless Config.PolicyRefresh allows reusing it
// for a while. A held role the store does not know is dropped with a
// logged warning: it grants nothing, and the others still count.
//
// Changing the password writes the new hash, PasswordChangedAt and a bumped
// SessionEpoch in one UpdateUser (optimistic version), so every older
// session and token, on every instance sharing the store, fails the epoch
// check from that moment. [Manager.RevokeAll] bumps the epoch alone;
// [Manager.Logout] revokes one session. [Manager.UpdateAccount] changes the
// other fields of the caller's own user with the same optimistic version,
// re-applying the change after a conflict ([ErrConflict] after
// [AccountUpdateAttempts] in a row).
//
// # Login safety
//
// [Manager.Login] answers [ErrInvalidCredentials] alike for an unknown
// username, a user without a password hash, a wrong password and a blocked
// user, after the same work: an unknown user or a missing hash costs a
// dummy verification (user.DummyVerifier) and a blocked user is told only
// after a real one. A failed check of a hash cheaper than the configured
// one (an imported cost-10 bcrypt hash under cost 12), or of one that could
// not be checked, is padded up to the configured work (user.WorkPadder), so
// every failed login costs at least one verification at the configured
// cost. A hash of an older scheme or cost is replaced after a successful
// login — except a plain bcrypt hash verified by a password of 72 bytes or
// more (user.RehashUnsafe): other passwords verify against it too, so it is
// kept, and a warning is logged once per user. Hashing runs under a semaphore of
// Config.MaxConcurrentHashes slots; an attempt that finds none within
// Config.HashWait gets [ErrBusy]. Every outcome (ok, failed, locked, busy)
// is recorded through Config.Audit (an audit.Recorder), with the username,
// company, address and operation; never a password, token, session id or
// hash.
//
// # Throttling
//
// Failed attempts are counted per username (whether or not the user
// exists, so a lockout tells nothing about existence) and per client
// address, with the store's atomic counters, so the limits hold across
// every instance sharing the store. An attempt is counted before its
// password is hashed: of any number of concurrent attempts, at most
// Limit.MaxFailures are checked in a window, then at most one per wait.
// After MaxFailures failures the key is locked for Limit.WaitIncrement,
// each further failure adding another increment up to Limit.MaxWait; a
// locked attempt gets a [*LockedError] with the wait and no hashing. The
// window ends Limit.ResetAfter after its first failure. A successful login
// clears the username's count; for the address it only takes its own
// attempt back, so that an attacker's own account cannot clear the
// address. The defaults follow Keycloak's brute-force detection, stricter
// per username: 5 failures per username, 30 per address, waits of one
// minute more per failure up to 15 minutes, a 12 hour window.
//
// # Two-factor login
//
// A user may add a TOTP second factor (RFC 6238 through package totp:
// SHA-1, 6 digits, 30-second steps, a 160-bit secret): [Manager.BeginTOTP]
// makes a pending secret, [Manager.ConfirmTOTP] enables it with a first
// code and returns [RecoveryCodes] recovery codes, [Manager.DisableTOTP]
// removes it after checking the password (throttled like a login). The
// secret is stored sealed with AES-256-GCM under [MFAConfig].Key, with the
// user's id as additional data (a secret copied to another user's row does
// not open); without a key nobody enrols ([ErrMFAUnavailable]). Recovery
// codes (80 bits each) and reset tokens (256 bits) are stored as SHA-256:
// with that much entropy a stolen hash cannot be searched, so a slow
// password hash would add cost and no safety.
//
// Login of a user with TOTP enabled checks the second factor inside the
// throttled attempt, after the password: no code is [ErrOTPRequired] (which
// does tell that the password was right, as every two-step login does); a
// wrong code, a code of a time step already used (or an earlier one) or a
// used recovery code is [ErrInvalidCredentials]; each counts as a failure
// towards the lockout, so neither the password through "one-time code
// required" nor the code can be guessed for long. A code of the current step
// or one step either side is accepted ([MFAConfig].Skew), once: the step is
// written with the user's version, so of two logins racing with one code
// one wins. A recovery code is removed in the same way.
//
// # Password reset
//
// [Manager.RequestPasswordReset] answers alike for every syntactically
// valid username, known or not, after the same work: the per-username and
// per-address limits ([ResetConfig]; counted for unknown names too) and the
// audit. The lookup, the token (256 bits, single use, [DefaultResetTTL]) and
// the host's [ResetSender] run afterwards, apart from the request, so a slow
// mail server tells nothing about who exists. [Manager.ConfirmPasswordReset]
// sets the new password under Config.PasswordPolicy with a bumped session
// epoch (every session, token and API key dies) and clears the token in the
// same update. A token records the epoch it was issued under, so any
// password change, and [Manager.RevokeAll], kills it; a newer token
// replaces it. The second factor is kept: a reset does not bypass it.
//
// # Observing
//
// Config.Observer (package observe) is told of every Login with its outcome
// and reason, every Authenticate with the kind of credential, its outcome
// and why it was refused, and every lockout, by the kind of key; it may
// put a span in the context the call continues in, so that the store calls
// of a login or an authentication are its children. No event carries a
// username, password, token, session id or address. Nil, the default,
// costs one comparison per call.
package session
