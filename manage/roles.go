package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// PutRole creates or replaces the role with r.Code and reports whether it
// was created. The role is validated on its own (permissions.Role.Validate),
// against the whole catalogue with it in place (permissions.ValidateRoles:
// unknown base roles, cycles) and against the stored schema when one is
// declared (permissions.Role.ValidateSchema): an invalid role is refused
// with an error wrapping ErrInvalid and the permissions error that names
// the role and field, and never stored. A caller needs PermRoles; the
// catalogue is shared by every company. The catalogue is read, then the
// role written: two concurrent PutRoles are each checked against the
// catalogue without the other. The role is stored as created at run time
// (FromDataFile false, whatever r says), so applying the data file again
// does not delete it. Audited as "role_put".
func (m *Manager) PutRole(ctx context.Context, a Actor, r permissions.Role) (created bool, err error) {
	if err := m.allow(ctx, a, true, PermRoles); err != nil {
		return false, err
	}
	r = r.Clone()
	// Put at run time, the role is the run time's: applying the data file
	// no longer deletes it.
	r.FromDataFile = false
	if err := r.Validate(); err != nil {
		return false, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	roles, err := m.store.Roles().ListRoles(ctx)
	if err != nil {
		return false, fmt.Errorf("manage: list roles: %w", err)
	}
	i := slices.IndexFunc(roles, func(s permissions.Role) bool { return s.Code == r.Code })
	created = i < 0
	if created {
		roles = append(roles, r)
	} else {
		roles[i] = r
	}
	if err := permissions.ValidateRoles(roles); err != nil {
		return false, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if !created {
		if err := m.mayChangeRole(ctx, a, roles, r.Code); err != nil {
			return false, err
		}
	}
	schema, err := m.store.Parameters().GetSchema(ctx)
	if err != nil {
		return false, fmt.Errorf("manage: read schema: %w", err)
	}
	if err := r.ValidateSchema(permissions.Schema(schema)); err != nil {
		return false, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if err := m.store.Roles().PutRole(ctx, r); err != nil {
		return false, fmt.Errorf("manage: put role: %w", err)
	}
	how := "replaced"
	if created {
		how = "created"
	}
	m.record(ctx, a, "role_put", m.company(a), "role "+r.Code+" "+how)
	return created, nil
}

// mayChangeRole applies the rule about changing or deleting a stored role:
// the catalogue is shared by every company, and a role in use grants its
// holders whatever it says, so a non-admin changes or deletes only a role
// no user holds, directly or through the Base of a role held (drafts that
// an admin then assigns). A role it creates is such a role; it cannot grant
// it to itself or anyone, since a non-admin grants only roles it holds.
// Without it a roles_manage holder could widen a role it holds, or change
// the roles of another company's users.
func (m *Manager) mayChangeRole(ctx context.Context, a Actor, roles []permissions.Role, code string) error {
	if a.isAdmin() {
		return nil
	}
	bases := make(map[string][]string, len(roles))
	for _, r := range roles {
		bases[r.Code] = r.Base
	}
	var inUse bool
	err := m.eachUser(ctx, "", func(u *user.User) error {
		// Expand the user's roles through Base; the catalogue has no cycles.
		seen := map[string]bool{}
		stack := slices.Clone(u.Roles)
		for len(stack) > 0 && !inUse {
			c := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[c] {
				continue
			}
			seen[c] = true
			if c == code {
				inUse = true
			}
			stack = append(stack, bases[c]...)
		}
		if inUse {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	if inUse {
		return forbidden(RuleEscalation, "a non-admin changes or deletes only roles nobody holds; %q is held (directly or as a base role)", code)
	}
	return nil
}

// errStop ends an eachUser walk early.
var errStop = errors.New("stop")

// company is the audit Company of a change that has no target user: the
// caller's, none for System.
func (m *Manager) company(a Actor) string {
	if a.Auth != nil {
		return a.Auth.User.Company
	}
	return ""
}

// Role returns the role with code, or ErrNotFound. A caller needs
// PermRoles or PermUsers (read-only callers may read).
func (m *Manager) Role(ctx context.Context, a Actor, code string) (permissions.Role, error) {
	if err := m.allow(ctx, a, false, PermRoles, PermUsers); err != nil {
		return permissions.Role{}, err
	}
	if code == "" {
		return permissions.Role{}, fmt.Errorf("%w: no such role", ErrNotFound)
	}
	r, err := m.store.Roles().GetRole(ctx, code)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return permissions.Role{}, fmt.Errorf("%w: no such role %q", ErrNotFound, code)
	case err != nil:
		return permissions.Role{}, fmt.Errorf("manage: read role: %w", err)
	}
	return r, nil
}

// Roles returns every role ordered by code. A caller needs PermRoles or
// PermUsers (read-only callers may read).
func (m *Manager) Roles(ctx context.Context, a Actor) ([]permissions.Role, error) {
	if err := m.allow(ctx, a, false, PermRoles, PermUsers); err != nil {
		return nil, err
	}
	roles, err := m.store.Roles().ListRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("manage: list roles: %w", err)
	}
	if roles == nil {
		roles = []permissions.Role{}
	}
	return roles, nil
}

// DeleteRole deletes the role with code (ErrNotFound when there is none).
// While users hold it (in any company) or other roles include it, it is
// refused with a *RoleInUseError (ErrConflict) saying how many and which,
// unless force: then the role is first removed from the Base of the roles
// that include it and from the roles of the users that hold it, so that
// the catalogue stays valid; a store failure midway may leave part of
// that done, and calling DeleteRole again completes it. A caller needs
// PermRoles. Audited as "role_delete".
func (m *Manager) DeleteRole(ctx context.Context, a Actor, code string, force bool) error {
	if err := m.allow(ctx, a, true, PermRoles); err != nil {
		return err
	}
	if code == "" {
		return fmt.Errorf("%w: no such role", ErrNotFound)
	}
	roles, err := m.store.Roles().ListRoles(ctx)
	if err != nil {
		return fmt.Errorf("manage: list roles: %w", err)
	}
	if !slices.ContainsFunc(roles, func(r permissions.Role) bool { return r.Code == code }) {
		return fmt.Errorf("%w: no such role %q", ErrNotFound, code)
	}
	if err := m.mayChangeRole(ctx, a, roles, code); err != nil {
		return err
	}
	inUse := &RoleInUseError{Code: code}
	for _, r := range roles {
		if slices.Contains(r.Base, code) {
			inUse.IncludedBy = append(inUse.IncludedBy, r.Code)
		}
	}
	var holders []string
	err = m.eachUser(ctx, "", func(u *user.User) error {
		if slices.Contains(u.Roles, code) {
			holders = append(holders, u.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	inUse.Holders = len(holders)
	inUse.IncludedBy = slices.Sorted(slices.Values(inUse.IncludedBy))
	if (inUse.Holders > 0 || len(inUse.IncludedBy) > 0) && !force {
		return inUse
	}
	for _, r := range roles {
		if !slices.Contains(r.Base, code) {
			continue
		}
		r.Base = slices.DeleteFunc(slices.Clone(r.Base), func(b string) bool { return b == code })
		if err := m.store.Roles().PutRole(ctx, r); err != nil {
			return fmt.Errorf("manage: put role %q: %w", r.Code, err)
		}
	}
	for _, id := range holders {
		if err := m.dropRole(ctx, id, code); err != nil {
			return err
		}
	}
	if err := m.store.Roles().DeleteRole(ctx, code); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%w: no such role %q", ErrNotFound, code)
		}
		return fmt.Errorf("manage: delete role: %w", err)
	}
	detail := "role " + code
	if force && (inUse.Holders > 0 || len(inUse.IncludedBy) > 0) {
		detail += " (forced: held by " + strconv.Itoa(inUse.Holders) + " user(s)"
		if len(inUse.IncludedBy) > 0 {
			detail += ", included by " + strings.Join(inUse.IncludedBy, ",")
		}
		detail += ")"
	}
	m.record(ctx, a, "role_delete", m.company(a), detail)
	return nil
}

// dropRole removes code from the roles of the user with id, retrying on
// version conflicts; a user gone meanwhile is not an error.
func (m *Manager) dropRole(ctx context.Context, id, code string) error {
	for attempt := 1; ; attempt++ {
		u, err := m.store.Users().GetUser(ctx, id)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return nil
		case err != nil:
			return fmt.Errorf("manage: read user: %w", err)
		case !slices.Contains(u.Roles, code):
			return nil
		}
		u.Roles = slices.DeleteFunc(u.Roles, func(c string) bool { return c == code })
		_, err = m.store.Users().UpdateUser(ctx, u)
		switch {
		case err == nil, errors.Is(err, storage.ErrNotFound):
			return nil
		case !errors.Is(err, storage.ErrConflict):
			return fmt.Errorf("manage: update user: %w", err)
		case attempt == UpdateAttempts:
			return fmt.Errorf("%w: delete role: %d writes in a row met a concurrent change: %w", ErrConflict, attempt, err)
		}
	}
}
