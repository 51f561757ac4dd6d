package user

import "errors"

// Sentinel errors of the user package. Compare with [errors.Is]; the errors
// returned by this package wrap them with details.
var (
	// ErrInvalid is wrapped by every [FieldError], and so by every
	// [ValidationErrors], and by the errors of [ValidatePassword] and
	// [PasswordPolicy.Validate]: errors.Is(err, ErrInvalid) tells a caller's
	// bad input (answer 400) apart from a failure.
	ErrInvalid = errors.New("user: invalid")

	// ErrNoHash is returned by Verify for an empty encoded hash: the user has
	// no password and cannot log in with one. Callers should still spend the
	// same work as a real verification (see [DummyVerifier]).
	ErrNoHash = errors.New("user: no password hash")

	// ErrMalformedHash is returned by Verify for an encoded hash that does not
	// parse as the scheme its prefix names.
	ErrMalformedHash = errors.New("user: malformed password hash")

	// ErrUnknownScheme is returned by Verify for an encoded hash whose scheme
	// the hasher does not know (or, for a single-scheme hasher, does not
	// handle).
	ErrUnknownScheme = errors.New("user: unknown password hash scheme")

	// ErrHashTooExpensive is returned by Verify, before any hashing work, for
	// an encoded hash whose parameters (bcrypt cost, argon2 memory, time or
	// threads) exceed the hasher's configured limits: an imported hash with an
	// absurd cost would otherwise let one login attempt burn minutes of CPU.
	ErrHashTooExpensive = errors.New("user: password hash parameters exceed the limits")

	// ErrConfig is returned by the hasher constructors for an unsafe or
	// inconsistent configuration, such as a bcrypt cost below 10, and by
	// [PasswordPolicy.Validate] for a MinLength above the MaxLength.
	ErrConfig = errors.New("user: invalid configuration")

	// ErrEmptyPassword is returned by Hash for an empty password: no account
	// gets a password that is no password.
	ErrEmptyPassword = errors.New("user: empty password")
)
