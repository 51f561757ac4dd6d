package user

import (
	"fmt"
	"unicode/utf8"
)

// Password limits. Login accepts 1..1000 characters (the account
// service's limit); new
// passwords default to at least 8. Characters are runes: a password of 1000
// Cyrillic letters is 2000 bytes and is accepted.
const (
	MinLoginPasswordLen = 1
	MaxPasswordLen      = 1000
	DefaultMinPassword  = 8
)

// ValidatePassword checks a password given at login (or as the current
// password when changing it): 1..1000 characters counted in runes. The
// password is neither trimmed, truncated nor normalised, and the error never
// repeats it. The error is a *[FieldError] for field "password" wrapping
// [ErrInvalid].
func ValidatePassword(pw string) error {
	if e := passwordLengthError(pw, MinLoginPasswordLen, MaxPasswordLen); e != nil {
		return e
	}
	return nil
}

// PasswordPolicy decides which new passwords are acceptable. The zero value
// applies the defaults: at least [DefaultMinPassword] and at most
// [MaxPasswordLen] characters (runes), and no Check.
type PasswordPolicy struct {
	// MinLength is the fewest characters (runes); 0 means 8.
	MinLength int
	// MaxLength is the most characters (runes); 0 means 1000. A value above
	// 1000 counts as 1000, since login refuses longer passwords and a longer
	// one could never be used.
	MaxLength int
	// Check, when set, runs after the length checks and may refuse the
	// password by returning an error (a common-password list, a breached
	// password service, "must not contain the username"...). Its error is
	// wrapped, so errors.Is finds it, and its text is shown to the user.
	Check func(pw string) error
}

// Validate checks a new password against the policy. The error is nil, or
// wraps a *[FieldError] for field "password" and [ErrInvalid] (rule
// "length", or "check" with the Check error also wrapped). A policy whose
// MinLength exceeds its MaxLength refuses every password with [ErrConfig].
// The password is never trimmed, truncated or normalised.
func (p PasswordPolicy) Validate(pw string) error {
	lo, hi := p.MinLength, p.MaxLength
	if lo == 0 {
		lo = DefaultMinPassword
	}
	lo = max(lo, MinLoginPasswordLen)
	if hi <= 0 || hi > MaxPasswordLen {
		hi = MaxPasswordLen
	}
	if lo > hi {
		return fmt.Errorf("%w: password policy MinLength %d exceeds MaxLength %d", ErrConfig, lo, hi)
	}
	if e := passwordLengthError(pw, lo, hi); e != nil {
		return e
	}
	if p.Check != nil {
		if err := p.Check(pw); err != nil {
			fe := &FieldError{Field: "password", Rule: RuleCheck, Message: "refused: " + err.Error()}
			return &checkError{field: fe, cause: err}
		}
	}
	return nil
}

func passwordLengthError(pw string, lo, hi int) *FieldError {
	if n := utf8.RuneCountInString(pw); n < lo || n > hi {
		return &FieldError{Field: "password", Rule: RuleLength,
			Message: fmt.Sprintf("must be %d..%d characters, got %d", lo, hi, n)}
	}
	return nil
}

// checkError is a refusal by PasswordPolicy.Check: it reads as its
// FieldError and wraps both the FieldError and the Check's own error.
type checkError struct {
	field *FieldError
	cause error
}

func (e *checkError) Error() string   { return e.field.Error() }
func (e *checkError) Unwrap() []error { return []error{e.field, e.cause} }
