package permissions

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Wildcard stands for every entity, every attribute or every specific
// permission in a grant.
const Wildcard = "*"

// Op is an entity operation: create, read, update or delete.
type Op uint8

// The entity operations of a Jmix-style target "Entity:op".
const (
	OpCreate Op = iota
	OpRead
	OpUpdate
	OpDelete
	numOps
)

var opNames = [numOps]string{"create", "read", "update", "delete"}

// String returns the operation's name as it appears in targets and data
// files: "create", "read", "update" or "delete".
func (o Op) String() string {
	if o < numOps {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// ParseOp parses an operation name. Names are exact and lower-case.
func ParseOp(s string) (Op, error) {
	for i, n := range opNames {
		if s == n {
			return Op(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want create, read, update or delete)", ErrUnknownOp, s)
}

// MarshalText implements [encoding.TextMarshaler].
func (o Op) MarshalText() ([]byte, error) {
	if o >= numOps {
		return nil, fmt.Errorf("%w: %d", ErrUnknownOp, uint8(o))
	}
	return []byte(opNames[o]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]; unknown names are an
// error wrapping [ErrUnknownOp].
func (o *Op) UnmarshalText(b []byte) error {
	v, err := ParseOp(string(b))
	if err != nil {
		return err
	}
	*o = v
	return nil
}

// Access is how visible an entity attribute is: [Hidden], [Read] or
// [Modify], ordered so that a larger value allows more. The numbers are
// those of Jmix's /permissions document.
type Access uint8

// Attribute access levels.
const (
	Hidden Access = 0
	Read   Access = 1
	Modify Access = 2
)

var accessNames = [...]string{"hidden", "read", "modify"}

// String returns "hidden", "read" or "modify".
func (a Access) String() string {
	if int(a) < len(accessNames) {
		return accessNames[a]
	}
	return fmt.Sprintf("Access(%d)", uint8(a))
}

// ParseAccess parses "hidden", "read" or "modify".
func ParseAccess(s string) (Access, error) {
	for i, n := range accessNames {
		if s == n {
			return Access(i), nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want hidden, read or modify)", ErrUnknownAccess, s)
}

// MarshalText implements [encoding.TextMarshaler].
func (a Access) MarshalText() ([]byte, error) {
	if int(a) >= len(accessNames) {
		return nil, fmt.Errorf("%w: %d", ErrUnknownAccess, uint8(a))
	}
	return []byte(accessNames[a]), nil
}

// UnmarshalText implements [encoding.TextUnmarshaler]; unknown names are an
// error wrapping [ErrUnknownAccess].
func (a *Access) UnmarshalText(b []byte) error {
	v, err := ParseAccess(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}

// Param is a role parameter: a code and value that the session document
// lists in session_role_params and that override the system
// session parameter of the same code.
type Param struct {
	Code  string `json:"code"`
	Value string `json:"value"`
}

// Quota limits a service's method group for the holders of a role, as the
// account service's quotas do. A user holding several roles gets the most
// generous value of each field for a service and method group. Zero means
// "no limit" for every field.
type Quota struct {
	Service                string `json:"service"`
	MethodGroup            string `json:"method_group"`
	PointsPerRequest       int64  `json:"points_per_request"`
	PointsPerDay           int64  `json:"points_per_day"`
	PointsPerDateWindow    int64  `json:"points_per_date_window"`
	MaxConcurrentExecution int64  `json:"max_concurrent_execution"`
}

// Role is a named set of grants. It is the role object of the gatehouse data
// file and decodes from it with encoding/json:
//
//	{"code": "sales", "title": "Sales", "base": ["viewer"],
//	 "params": [{"code": "generate_ddl", "value": "1"}],
//	 "entities": {"Customer": ["create", "read", "update"], "*": ["read"]},
//	 "attributes": {"Customer": {"*": "modify"}, "Product": {"*": "read", "tags": "hidden"}},
//	 "specifics": ["entity_export_to_file"],
//	 "quotas": [{"service": "UNIVERSAL", "method_group": "PLAN", "points_per_day": 1500}],
//	 "rows": {"Customer": {"update": [{"dep_id": "$user.dep_id"}]}}}
//
// An entity listed with no operations denies that entity in this role, even
// when "*" grants it.
//
// FromDataFile records where the role came from, for stores and
// datafile.File.Apply; it is never read from or written to JSON.
type Role struct {
	Code       string                       `json:"code"`
	Title      string                       `json:"title,omitempty"`
	Base       []string                     `json:"base,omitempty"`
	Params     []Param                      `json:"params,omitempty"`
	Entities   map[string][]Op              `json:"entities,omitempty"`
	Attributes map[string]map[string]Access `json:"attributes,omitempty"`
	Specifics  []string                     `json:"specifics,omitempty"`
	Quotas     []Quota                      `json:"quotas,omitempty"`
	// Rows restricts entity operations the role grants to some rows:
	// entity → operation name ("create", "read", "update", "delete") → a
	// list of conditions, any of which a row must match (OR). See
	// "Row-level permissions" in the package documentation. An operation
	// the role grants without an entry here applies to every row.
	Rows map[string]map[string][]Condition `json:"rows,omitempty"`
	// FromDataFile is true for a role that applying the data file put, false
	// for one created at run time. Applying the file deletes a role the
	// file no longer names only when it is true; a store keeps it as put.
	FromDataFile bool `json:"-"`
}

// Clone returns a deep copy of r, FromDataFile included.
func (r Role) Clone() Role {
	r.Base = slices.Clone(r.Base)
	r.Params = slices.Clone(r.Params)
	r.Specifics = slices.Clone(r.Specifics)
	r.Quotas = slices.Clone(r.Quotas)
	if r.Entities != nil {
		e := make(map[string][]Op, len(r.Entities))
		for k, v := range r.Entities {
			e[k] = slices.Clone(v)
		}
		r.Entities = e
	}
	if r.Attributes != nil {
		a := make(map[string]map[string]Access, len(r.Attributes))
		for k, v := range r.Attributes {
			m := make(map[string]Access, len(v))
			for ak, av := range v {
				m[ak] = av
			}
			a[k] = m
		}
		r.Attributes = a
	}
	r.Rows = cloneRows(r.Rows)
	return r
}

// Validate checks one role on its own: a valid code, well-formed entity,
// attribute and specific names, known operations and access levels, and
// non-negative quotas, and well-formed row rules on operations the role
// grants. Errors name the role and the offending field (a row rule's
// error is a [*RoleError] whose Field is its place, such as
// rows.Customer.read[1].dep_id). Use
// [ValidateRoles] to check references between roles.
func (r *Role) Validate() error {
	if err := ValidateName(r.Code, false); err != nil {
		return fmt.Errorf("permissions: role %q: code: %w", r.Code, err)
	}
	fail := func(field string, err error) error {
		return fmt.Errorf("permissions: role %q: %s: %w", r.Code, field, err)
	}
	for i, b := range r.Base {
		if err := ValidateName(b, false); err != nil {
			return fail(fmt.Sprintf("base[%d]", i), err)
		}
		if b == r.Code {
			return fail(fmt.Sprintf("base[%d]", i), fmt.Errorf("%w: the role includes itself", ErrCycle))
		}
	}
	for i, p := range r.Params {
		if err := ValidateName(p.Code, false); err != nil {
			return fail(fmt.Sprintf("params[%d].code", i), err)
		}
	}
	for entity, ops := range r.Entities {
		if err := ValidateName(entity, true); err != nil {
			return fail("entities", err)
		}
		for _, op := range ops {
			if op >= numOps {
				return fail("entities."+entity, fmt.Errorf("%w: %d", ErrUnknownOp, uint8(op)))
			}
		}
	}
	for entity, attrs := range r.Attributes {
		if err := ValidateName(entity, true); err != nil {
			return fail("attributes", err)
		}
		for attr, a := range attrs {
			if err := ValidateName(attr, true); err != nil {
				return fail("attributes."+entity, err)
			}
			if int(a) >= len(accessNames) {
				return fail("attributes."+entity+"."+attr, fmt.Errorf("%w: %d", ErrUnknownAccess, uint8(a)))
			}
		}
	}
	for i, s := range r.Specifics {
		if err := ValidateName(s, true); err != nil {
			return fail(fmt.Sprintf("specifics[%d]", i), err)
		}
	}
	if err := r.validateRows(); err != nil {
		return err
	}
	for i, q := range r.Quotas {
		field := fmt.Sprintf("quotas[%d]", i)
		if q.Service == "" {
			return fail(field+".service", errors.New("must not be empty"))
		}
		if q.MethodGroup == "" {
			return fail(field+".method_group", errors.New("must not be empty"))
		}
		if q.PointsPerRequest < 0 || q.PointsPerDay < 0 || q.PointsPerDateWindow < 0 || q.MaxConcurrentExecution < 0 {
			return fail(field, errors.New("limits must not be negative"))
		}
	}
	return nil
}

// ValidateRoles validates every role, refuses duplicate codes, base roles
// that are not among roles, and cycles through Base. Errors name the role.
func ValidateRoles(roles []Role) error {
	byCode := make(map[string]*Role, len(roles))
	for i := range roles {
		r := &roles[i]
		if err := r.Validate(); err != nil {
			return err
		}
		if _, dup := byCode[r.Code]; dup {
			return fmt.Errorf("permissions: role %q: %w", r.Code, ErrDuplicateRole)
		}
		byCode[r.Code] = r
	}
	for i := range roles {
		for _, b := range roles[i].Base {
			if _, ok := byCode[b]; !ok {
				return fmt.Errorf("permissions: role %q: base: %w: %q", roles[i].Code, ErrUnknownRole, b)
			}
		}
	}
	// Depth-first search with colours finds any cycle through Base.
	const (
		white = iota
		grey
		black
	)
	colour := make(map[string]int, len(roles))
	var visit func(code string, path []string) error
	visit = func(code string, path []string) error {
		switch colour[code] {
		case grey:
			return fmt.Errorf("permissions: role %q: %w: %s", code, ErrCycle, strings.Join(append(path, code), " -> "))
		case black:
			return nil
		}
		colour[code] = grey
		for _, b := range byCode[code].Base {
			if err := visit(b, append(path, code)); err != nil {
				return err
			}
		}
		colour[code] = black
		return nil
	}
	for i := range roles {
		if err := visit(roles[i].Code, nil); err != nil {
			return err
		}
	}
	return nil
}

// MaxNameLen is the longest entity, attribute, specific permission, role or
// parameter name accepted.
const MaxNameLen = 256

// ValidateName checks a role code, parameter code, entity, attribute or
// specific permission name: 1..[MaxNameLen] bytes of valid UTF-8 with no
// white space, control characters, ':', ',', '"' or '*' — except that the
// name may be exactly [Wildcard] when wildcard is true.
func ValidateName(name string, wildcard bool) error {
	if name == "" {
		return fmt.Errorf("%w: empty", ErrBadName)
	}
	if name == Wildcard {
		if wildcard {
			return nil
		}
		return fmt.Errorf("%w: %q: a wildcard is not allowed here", ErrBadName, name)
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("%w: longer than %d bytes", ErrBadName, MaxNameLen)
	}
	if !utf8.ValidString(name) {
		return fmt.Errorf("%w: not valid UTF-8", ErrBadName)
	}
	for _, c := range name {
		if unicode.IsSpace(c) || unicode.IsControl(c) || strings.ContainsRune(`:,"*`, c) {
			return fmt.Errorf("%w: %q contains %q", ErrBadName, name, c)
		}
	}
	return nil
}
