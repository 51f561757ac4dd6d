package permissions

import (
	"fmt"
	"strings"
)

// CompileConfig says whose permissions [Compile] compiles. Its zero value
// compiles a user with no roles, which is denied everything.
type CompileConfig struct {
	// Roles are the roles known to the application: every role the user
	// holds and every role those include through Base must be among them.
	// Roles the user does not reach are not looked at.
	Roles []Role
	// Held are the codes of the roles the user holds (user.User.Roles). A
	// code repeated is taken once. An empty list holds no role.
	Held []string
	// ReadOnly caps the set at reading (user access level "read_only"): no
	// create, update or delete, no attribute above read, no specific
	// permission. It wins over Admin.
	ReadOnly bool
	// Admin allows everything, still capped by ReadOnly.
	Admin bool
}

// Compile resolves the held roles and the roles they include, transitively,
// evaluates each role on its own and combines them into an immutable [Set]
// following the rules in the package documentation.
//
// A held role or base role that is not in cfg.Roles is an error wrapping
// [ErrUnknownRole] that names it, rather than a silent deny, so that a
// misconfiguration shows; a cycle through Base wraps [ErrCycle]; two known
// roles with one code wrap [ErrDuplicateRole]; each reached role must pass
// [Role.Validate]. A caller that gets an error must deny the request.
//
// Compile copies what it keeps, so the caller may change cfg.Roles
// afterwards. It does not validate roles the user does not reach; use
// [ValidateRoles] for a whole catalogue.
func Compile(cfg CompileConfig) (*Set, error) {
	roles, err := resolve(cfg.Roles, cfg.Held)
	if err != nil {
		return nil, err
	}
	s := &Set{roles: roles, readOnly: cfg.ReadOnly, admin: cfg.Admin}
	s.compileEntities()
	s.compileSpecifics(cfg.Roles)
	s.compileParams()
	s.compileQuotas()
	s.compileRows()
	return s, nil
}

// resolve returns clones of the held roles and the roles they include, in
// precedence order: each held role in the order given, followed depth-first
// by its base roles, every role once.
func resolve(known []Role, held []string) ([]Role, error) {
	byCode := make(map[string]int, len(known))
	for i := range known {
		code := known[i].Code
		if _, dup := byCode[code]; dup {
			return nil, fmt.Errorf("permissions: role %q: %w", code, ErrDuplicateRole)
		}
		byCode[code] = i
	}
	const (
		white = iota
		grey
		black
	)
	colour := make(map[string]uint8)
	var out []Role
	var visit func(code, from string, path []string) error
	visit = func(code, from string, path []string) error {
		i, ok := byCode[code]
		if !ok {
			if from == "" {
				return fmt.Errorf("permissions: held role: %w: %q", ErrUnknownRole, code)
			}
			return fmt.Errorf("permissions: role %q: base: %w: %q", from, ErrUnknownRole, code)
		}
		switch colour[code] {
		case grey:
			return fmt.Errorf("permissions: role %q: %w: %s", code, ErrCycle, strings.Join(append(path, code), " -> "))
		case black:
			return nil
		}
		colour[code] = grey
		r := &known[i]
		if err := r.Validate(); err != nil {
			return err
		}
		out = append(out, r.Clone())
		for _, b := range r.Base {
			if err := visit(b, code, append(path, code)); err != nil {
				return err
			}
		}
		colour[code] = black
		return nil
	}
	for _, code := range held {
		if err := visit(code, "", nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// opMask is a bit set of operations, bit i for Op(i).
type opMask uint8

const (
	allOps  opMask = 1<<numOps - 1
	readBit opMask = 1 << OpRead
)

func (m opMask) has(op Op) bool { return op < numOps && m&(1<<op) != 0 }

func maskOf(ops []Op) opMask {
	var m opMask
	for _, op := range ops {
		if op < numOps {
			m |= 1 << op
		}
	}
	return m
}

// attrCap is the most an attribute of an entity may show given the combined
// operations on the entity: hidden without read, read with read alone,
// modify with read and create or update.
func (m opMask) attrCap() Access {
	switch {
	case m&readBit == 0:
		return Hidden
	case m&(1<<OpCreate|1<<OpUpdate) == 0:
		return Read
	}
	return Modify
}

// entityGrant returns the operations role r grants on entity and the key of
// the entry that decided: the entity's own entry over [Wildcard]. ok is
// false when r has neither.
func (r *Role) entityGrant(entity string) (ops []Op, key string, ok bool) {
	if ops, ok := r.Entities[entity]; ok {
		return ops, entity, true
	}
	if ops, ok := r.Entities[Wildcard]; ok {
		return ops, Wildcard, true
	}
	return nil, "", false
}

// attrGrant returns the access role r grants on entity's attribute attr and
// the keys of the grant that decided, most specific first: (entity, attr),
// (entity, *), (*, attr), (*, *). ok is false when none applies.
func (r *Role) attrGrant(entity, attr string) (a Access, ek, ak string, ok bool) {
	for _, e := range [2]string{entity, Wildcard} {
		m, found := r.Attributes[e]
		if !found {
			continue
		}
		if a, found := m[attr]; found {
			return a, e, attr, true
		}
		if a, found := m[Wildcard]; found {
			return a, e, Wildcard, true
		}
	}
	return Hidden, "", "", false
}
