package manage

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-go/gatehouse/user"
)

// Sentinel errors of package manage. Compare with [errors.Is]; the errors
// returned wrap them with details. An error that wraps none of them (nor
// ErrInvalid) is a failure, such as a store that does not answer: nothing
// of the operation was done, and a caller answers 500 (or 503).
var (
	// ErrInvalid is user.ErrInvalid: the input breaks a rule. Field errors
	// of users are a *user.FieldError or user.ValidationErrors (errors.As
	// finds the field and the rule); an invalid role wraps the error of
	// package permissions that names the role and the field (a
	// *permissions.SchemaError for a name the schema does not declare).
	// HTTP: 400.
	ErrInvalid = user.ErrInvalid
	// ErrNotFound: no such user, role or session, or one the actor may not
	// see (a user of another company, a session of another user). HTTP: 404.
	ErrNotFound = errors.New("manage: not found")
	// ErrConflict: a username taken (up to case), a role still in use
	// ([*RoleInUseError]), or a user changed concurrently on every attempt
	// of an update. HTTP: 409.
	ErrConflict = errors.New("manage: conflict")
	// ErrForbidden: the actor may not do this; the error is a
	// [*ForbiddenError] naming the rule. HTTP: 403.
	ErrForbidden = errors.New("manage: forbidden")
)

// Rules named by [ForbiddenError.Rule].
const (
	// RulePermission: the actor lacks the specific permission the
	// operation needs (PermUsers or PermRoles).
	RulePermission = "permission"
	// RuleReadOnly: the actor is a read-only user (user.AccessReadOnly),
	// who changes nothing but its own sessions.
	RuleReadOnly = "read_only"
	// RuleCompany: the actor tried to create a user in, or move one to,
	// another company than its own.
	RuleCompany = "company"
	// RuleAdmin: only an admin creates an admin, makes a user admin or
	// changes an admin.
	RuleAdmin = "admin"
	// RuleEscalation: a non-admin may grant only roles it holds itself.
	RuleEscalation = "escalation"
	// RuleSelf: nobody blocks, deletes or demotes (drops admin, becomes
	// read-only, loses a role) itself.
	RuleSelf = "self"
	// RuleIdentity: where the stored roles' row rules
	// (permissions.Role.Rows) read $user.username or $user.<attribute>, a
	// non-admin renames no user, changes none of its own such attributes
	// and sets another user's only to a value it holds itself: changing
	// them would widen whose rows a user sees.
	RuleIdentity = "identity"
)

// ForbiddenError is a refusal by one of the rules of who may do what (see
// the package documentation). It wraps [ErrForbidden].
type ForbiddenError struct {
	// Rule is one of the Rule constants.
	Rule string
	// Message says what was refused, never with a secret.
	Message string
}

// Error returns "manage: forbidden: <rule>: <message>".
func (e *ForbiddenError) Error() string {
	return "manage: forbidden: " + e.Rule + ": " + e.Message
}

// Unwrap returns [ErrForbidden].
func (e *ForbiddenError) Unwrap() error { return ErrForbidden }

func forbidden(rule, format string, args ...any) error {
	return &ForbiddenError{Rule: rule, Message: fmt.Sprintf(format, args...)}
}

// RoleInUseError is the refusal of DeleteRole without force while users
// hold the role or other roles include it. It wraps [ErrConflict].
type RoleInUseError struct {
	// Code is the role's.
	Code string
	// Holders counts the users holding it, in every company.
	Holders int
	// IncludedBy are the codes of the roles whose Base names it, sorted.
	IncludedBy []string
}

// Error names the role, how many users hold it and which roles include it.
func (e *RoleInUseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "manage: role %q is in use: held by %d user(s)", e.Code, e.Holders)
	if len(e.IncludedBy) > 0 {
		fmt.Fprintf(&b, ", included by %s", strings.Join(e.IncludedBy, ", "))
	}
	return b.String()
}

// Unwrap returns [ErrConflict].
func (e *RoleInUseError) Unwrap() error { return ErrConflict }

// RuleUnknown is the user.FieldError rule of a role code that names no
// stored role (field "roles").
const RuleUnknown = "unknown"

// unknownRoles is the field error for role codes no role has.
func unknownRoles(codes []string) error {
	q := make([]string, len(codes))
	for i, c := range codes {
		q[i] = fmt.Sprintf("%q", c)
	}
	return &user.FieldError{Field: "roles", Rule: RuleUnknown, Message: "unknown role " + strings.Join(q, ", ")}
}
