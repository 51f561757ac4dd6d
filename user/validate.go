package user

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Rules named by [FieldError.Rule]: short, stable, machine-readable.
const (
	// RuleRequired: a required value is empty.
	RuleRequired = "required"
	// RuleLength: the value has too few or too many characters (runes).
	RuleLength = "length"
	// RulePattern: the value has a character outside its allowed set.
	RulePattern = "pattern"
	// RuleFormat: the value's characters are allowed but its shape is not
	// (an e-mail address that does not parse, a malformed locale tag, text
	// that is not UTF-8 or holds control characters, line separators or
	// invisible format characters such as U+202E).
	RuleFormat = "format"
	// RuleEnum: the value is not one of a fixed set.
	RuleEnum = "enum"
	// RuleZone: the value is not a known IANA time zone.
	RuleZone = "zone"
	// RuleCheck: a password was refused by the [PasswordPolicy] Check hook.
	RuleCheck = "check"
)

// Limits of the user fields, from the account service. Lengths count
// characters (runes), not bytes.
const (
	MinUsernameLen = 2
	MaxUsernameLen = 256
	MinNameLen     = 2
	MaxNameLen     = 256
	MinEmailLen    = 5
	MaxEmailLen    = 256
	MinPhoneLen    = 5
	MaxPhoneLen    = 32
	MinCompanyLen  = 3
	MaxCompanyLen  = 256
	MinLocaleLen   = 2
	MaxLocaleLen   = 35
	// maxTimezoneLen bounds the name handed to time.LoadLocation; the longest
	// IANA name is about 30 bytes.
	maxTimezoneLen = 64
)

// FieldError is one broken rule of one field. Field is the field's JSON
// name ("username", "name", "email", "phone", "company_key", "timezone",
// "access", "locale", "roles", "attributes", or "password" for passwords),
// Rule one of the Rule constants, and Message a human-readable explanation
// that never repeats a password.
//
// A FieldError wraps [ErrInvalid].
type FieldError struct {
	Field   string `json:"field"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Error returns "user: <field>: <message>".
func (e *FieldError) Error() string {
	return "user: " + e.Field + ": " + e.Message
}

// Unwrap returns [ErrInvalid].
func (e *FieldError) Unwrap() error { return ErrInvalid }

// ValidationErrors lists every broken rule found by [User.Validate], in field
// order. It wraps each of its FieldErrors, so errors.As finds the first
// *FieldError and errors.Is(err, ErrInvalid) holds.
type ValidationErrors []*FieldError

// Error joins the errors' messages with "; ".
func (v ValidationErrors) Error() string {
	var b strings.Builder
	b.WriteString("user: invalid")
	for i, e := range v {
		if i == 0 {
			b.WriteString(": ")
		} else {
			b.WriteString("; ")
		}
		b.WriteString(e.Field + ": " + e.Message)
	}
	return b.String()
}

// Unwrap returns the FieldErrors, for errors.Is and errors.As.
func (v ValidationErrors) Unwrap() []error {
	errs := make([]error, len(v))
	for i, e := range v {
		errs[i] = e
	}
	return errs
}

// Validate checks every field of u against the account service's limits and
// returns a [ValidationErrors] listing each broken rule, or nil when u is
// valid:
//
//   - username: required, ASCII word characters (^\w+$), 2..256;
//   - name: optional, 2..256 characters, UTF-8 without control characters
//     (Cc), line or paragraph separators nor format characters (Cf, such as
//     U+202E RIGHT-TO-LEFT OVERRIDE or U+200B ZERO WIDTH SPACE);
//   - email: optional, 5..256 characters, none of the characters a name
//     refuses, a bare address (no display name) that net/mail parses back
//     to itself;
//   - phone: optional, 5..32 characters of digits, spaces and + - ( ) . with
//     at least one digit and "+" only first;
//   - company_key: required, ^\w+$, 3..256;
//   - timezone: optional (UTC), an IANA zone that time.LoadLocation knows,
//     not "Local";
//   - access: "", "full" or "read_only";
//   - locale: optional, a BCP 47-like tag ("en", "ru-RU", "zh-Hant-TW"), 2..35;
//   - roles: no empty code; attributes: no empty key.
//
// Username, company_key and phone allow only ASCII characters, so every
// control and format character breaks their "pattern" rule.
//
// Validate does not check uniqueness (a store's job) nor that the roles exist.
func (u *User) Validate() error {
	var errs ValidationErrors
	errs = append(errs, usernameErrors(u.Username)...)
	if u.Name != "" {
		errs = append(errs, nameErrors(u.Name)...)
	}
	if u.Email != "" {
		errs = append(errs, emailErrors(u.Email)...)
	}
	if u.Phone != "" {
		errs = append(errs, phoneErrors(u.Phone)...)
	}
	errs = append(errs, companyErrors(u.Company)...)
	errs = append(errs, timezoneErrors(u.Timezone)...)
	switch u.Access {
	case "", AccessFull, AccessReadOnly:
	default:
		errs = append(errs, &FieldError{Field: "access", Rule: RuleEnum,
			Message: fmt.Sprintf("must be %q or %q", AccessFull, AccessReadOnly)})
	}
	if u.Locale != "" {
		errs = append(errs, localeErrors(u.Locale)...)
	}
	for i, r := range u.Roles {
		if r == "" {
			errs = append(errs, &FieldError{Field: "roles", Rule: RuleRequired,
				Message: fmt.Sprintf("role %d has an empty code", i)})
		}
	}
	if _, ok := u.Attributes[""]; ok {
		errs = append(errs, &FieldError{Field: "attributes", Rule: RuleRequired,
			Message: "an attribute has an empty name"})
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}

// The single-field validators below return the first broken rule of one
// field, or nil. They return a *FieldError, not an error: compare the result
// with nil before storing it in an error variable, or a nil *FieldError would
// make a non-nil error.

// ValidateUsername checks a login: required, ASCII word characters (^\w+$),
// 2..256 of them.
func ValidateUsername(s string) *FieldError { return first(usernameErrors(s)) }

// ValidateName checks a display name: 2..256 characters, valid UTF-8,
// without control characters, line or paragraph separators nor invisible
// format characters (rule "format"). Name is optional in a [User]; an empty string
// here is too short (callers check emptiness first when it means "unset").
func ValidateName(s string) *FieldError { return first(nameErrors(s)) }

// ValidateEmail checks an e-mail address: 5..256 characters, without the
// characters [ValidateName] refuses (rule "format"), a bare address such as "admin@company.com" that net/mail.ParseAddress returns
// unchanged (no display name, no angle brackets, no comments). As with
// [ValidateName], an empty string is too short.
func ValidateEmail(s string) *FieldError { return first(emailErrors(s)) }

// ValidatePhone checks a phone number: 5..32 characters of digits, spaces and
// + - ( ) . with at least one digit and "+" only as the first character. As
// with [ValidateName], an empty string is too short.
func ValidatePhone(s string) *FieldError { return first(phoneErrors(s)) }

// ValidateCompany checks a company key (JSON field company_key): required,
// ^\w+$ in ASCII, 3..256 characters.
func ValidateCompany(s string) *FieldError { return first(companyErrors(s)) }

// ValidateTimezone checks an IANA time zone name with time.LoadLocation. The
// empty string is valid and means UTC; "Local" is refused, since it would
// mean the server's zone. The names known depend on the system's zoneinfo
// unless the program imports time/tzdata.
func ValidateTimezone(s string) *FieldError { return first(timezoneErrors(s)) }

func first(errs []*FieldError) *FieldError {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

func lengthError(field string, s string, lo, hi int) *FieldError {
	if n := utf8.RuneCountInString(s); n < lo || n > hi {
		return &FieldError{Field: field, Rule: RuleLength,
			Message: fmt.Sprintf("must be %d..%d characters, got %d", lo, hi, n)}
	}
	return nil
}

// wordErrors checks a required ^\w+$ (ASCII) value of lo..hi characters.
func wordErrors(field, s string, lo, hi int) []*FieldError {
	if s == "" {
		return []*FieldError{{Field: field, Rule: RuleRequired, Message: "is required"}}
	}
	var errs []*FieldError
	if e := lengthError(field, s, lo, hi); e != nil {
		errs = append(errs, e)
	}
	for i := 0; i < len(s); i++ {
		if !isWordByte(s[i]) {
			errs = append(errs, &FieldError{Field: field, Rule: RulePattern,
				Message: "must hold only ASCII letters, digits and underscores"})
			break
		}
	}
	return errs
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func usernameErrors(s string) []*FieldError {
	return wordErrors("username", s, MinUsernameLen, MaxUsernameLen)
}

func companyErrors(s string) []*FieldError {
	return wordErrors("company_key", s, MinCompanyLen, MaxCompanyLen)
}

func nameErrors(s string) []*FieldError {
	var errs []*FieldError
	if e := lengthError("name", s, MinNameLen, MaxNameLen); e != nil {
		errs = append(errs, e)
	}
	if e := textError("name", s); e != nil {
		errs = append(errs, e)
	}
	return errs
}

// textError refuses invalid UTF-8, control characters (category Cc:
// newlines, NUL, escapes), line and paragraph separators (U+2028, U+2029)
// and format characters (category Cf: bidirectional overrides such as
// U+202E, zero-width spaces and joiners, soft hyphens, U+FEFF), which have
// no place in a name: they would let a value forge lines in logs, or show
// one text while holding another ("admin" followed by invisible
// characters, a name written backwards). The message names the character.
func textError(field, s string) *FieldError {
	if !utf8.ValidString(s) {
		return &FieldError{Field: field, Rule: RuleFormat, Message: "is not valid UTF-8"}
	}
	for _, c := range s {
		var what string
		switch {
		case unicode.IsControl(c):
			what = "a control character"
		case c == '\u2028' || c == '\u2029':
			what = "a line or paragraph separator"
		case unicode.Is(unicode.Cf, c):
			what = "an invisible format character"
		default:
			continue
		}
		return &FieldError{Field: field, Rule: RuleFormat, Message: fmt.Sprintf("holds %s (%U)", what, c)}
	}
	return nil
}

func emailErrors(s string) []*FieldError {
	var errs []*FieldError
	if e := lengthError("email", s, MinEmailLen, MaxEmailLen); e != nil {
		errs = append(errs, e)
	}
	if e := textError("email", s); e != nil {
		return append(errs, e)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		errs = append(errs, &FieldError{Field: "email", Rule: RuleFormat,
			Message: "must be a bare e-mail address such as name@example.com"})
	}
	return errs
}

func phoneErrors(s string) []*FieldError {
	var errs []*FieldError
	if e := lengthError("phone", s, MinPhoneLen, MaxPhoneLen); e != nil {
		errs = append(errs, e)
	}
	digits, allowed := 0, true
	for i, c := range s {
		switch {
		case '0' <= c && c <= '9':
			digits++
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.':
		case c == '+' && i == 0:
		default:
			allowed = false
		}
	}
	if !allowed {
		errs = append(errs, &FieldError{Field: "phone", Rule: RulePattern,
			Message: `must hold only digits, spaces and + - ( ) . with "+" only first`})
	} else if digits == 0 {
		errs = append(errs, &FieldError{Field: "phone", Rule: RuleFormat,
			Message: "must hold at least one digit"})
	}
	return errs
}

func timezoneErrors(s string) []*FieldError {
	if s == "" {
		return nil
	}
	bad := []*FieldError{{Field: "timezone", Rule: RuleZone,
		Message: "must be an IANA time zone name such as Europe/Berlin"}}
	if s == "Local" || len(s) > maxTimezoneLen {
		return bad
	}
	if _, err := time.LoadLocation(s); err != nil {
		return bad
	}
	return nil
}

// localeErrors accepts a BCP 47-like tag: a first subtag of 2..8 ASCII
// letters, then subtags of 1..8 ASCII letters or digits, separated by "-".
// It checks the shape, not the registry.
func localeErrors(s string) []*FieldError {
	var errs []*FieldError
	if e := lengthError("locale", s, MinLocaleLen, MaxLocaleLen); e != nil {
		errs = append(errs, e)
	}
	for i, sub := range strings.Split(s, "-") {
		if !validSubtag(sub, i == 0) {
			errs = append(errs, &FieldError{Field: "locale", Rule: RuleFormat,
				Message: `must be a BCP 47 language tag such as "en" or "ru-RU"`})
			break
		}
	}
	return errs
}

func validSubtag(sub string, primary bool) bool {
	lo := 1
	if primary {
		lo = 2
	}
	if len(sub) < lo || len(sub) > 8 {
		return false
	}
	for i := 0; i < len(sub); i++ {
		c := sub[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		digit := '0' <= c && c <= '9'
		if !letter && (primary || !digit) {
			return false
		}
	}
	return true
}
