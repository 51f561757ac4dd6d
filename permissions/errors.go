package permissions

import "errors"

// Errors returned when roles or targets are malformed. Test with errors.Is.
var (
	// ErrUnknownOp: an operation other than create, read, update, delete.
	ErrUnknownOp = errors.New("permissions: unknown operation")
	// ErrUnknownAccess: an access level other than hidden, read, modify.
	ErrUnknownAccess = errors.New("permissions: unknown access level")
	// ErrBadName: an empty or malformed role, entity, attribute or specific name.
	ErrBadName = errors.New("permissions: malformed name")
	// ErrUnknownRole: a role code that names no known role.
	ErrUnknownRole = errors.New("permissions: unknown role")
	// ErrDuplicateRole: two roles with one code.
	ErrDuplicateRole = errors.New("permissions: duplicate role code")
	// ErrCycle: a role includes itself through Base.
	ErrCycle = errors.New("permissions: cycle in base roles")
	// ErrBadTarget: a target string that [ParseTarget] cannot read.
	ErrBadTarget = errors.New("permissions: malformed target")
	// ErrNotInSchema: a grant names an entity or attribute the schema does
	// not declare. The error is a [*SchemaError] naming the place.
	ErrNotInSchema = errors.New("permissions: not in schema")
	// ErrBadRowRule: a malformed row rule or row value in a role's "rows".
	// The error is a [*RoleError] naming the place.
	ErrBadRowRule = errors.New("permissions: malformed row rule")
	// ErrNoColumn: [RowFilter.SQL] was given no column for an attribute a
	// row condition names.
	ErrNoColumn = errors.New("permissions: no column for attribute")
	// ErrBadColumn: a column of [RowFilter.SQL]'s map is not a plain or
	// dotted SQL identifier.
	ErrBadColumn = errors.New("permissions: malformed column name")
)

// Decisions: a request that the permission set refuses.
var (
	// ErrForbiddenAttributes: a write touches attributes the set does not
	// allow to modify. The error is an [*AttributeError] naming them.
	ErrForbiddenAttributes = errors.New("permissions: attributes may not be modified")
	// ErrRowDenied: a row the user may not read, create, update or delete
	// (the row guard of [RowFilter]). The error is a [*RowError] naming the
	// entity operation and the rules that would allow it.
	ErrRowDenied = errors.New("permissions: row not allowed")
)
