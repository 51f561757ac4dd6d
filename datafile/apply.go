package datafile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Report counts what [File.Apply] changed, and carries the data
// file's warnings ([File.Warnings]) and Apply's own.
type Report struct {
	// ParametersPut and RolesPut count what the file names, all put;
	// ParametersDeleted and RolesDeleted count those the file used to name
	// and no longer does, deleted; ParametersKept and RolesKept count those
	// the file does not name that Apply left alone: created at run time,
	// or (roles only) included by a role created at run time.
	ParametersPut, ParametersDeleted, ParametersKept int
	RolesPut, RolesDeleted, RolesKept                int
	UsersCreated, UsersKept                          int
	// Warnings are the file's warnings, nil when it has none, then Apply's
	// (a role or parameter created at run time that the file now takes
	// over, a role the file dropped that is kept). They did not stop it
	// from being applied.
	Warnings []Warning
}

// Apply makes the store follow the data file, which owns what it names and
// what it used to name, but nothing else:
//
//   - the schema becomes the file's;
//   - every parameter and role the file names is put as the file has it,
//     marked as from the data file (storage.Parameter.FromDataFile,
//     permissions.Role.FromDataFile), replacing one of the same code made
//     at run time (with a warning);
//   - a stored parameter or role the file does not name is deleted only if
//     it came from the data file (the file used to name it); one created at
//     run time is left as it is. A role the file dropped is kept, with a
//     warning, while a role created at run time includes it through Base,
//     since deleting it would deny that role's holders;
//   - users the store lacks (by username) are created with their passwords
//     hashed by hasher; users that exist are not touched.
//
// Applying the same file again changes nothing, so it is safe on every
// start, and roles and parameters created at run time survive it.
//
// Apply validates the file again and reads what it needs, and hashes every
// new password, before its first write: a bad file or a failing hasher
// leaves the store untouched. A store failure during the writes can leave
// part of the file applied; applying it again completes it.
func (d *File) Apply(ctx context.Context, store storage.Store, hasher user.Hasher, now time.Time) (Report, error) {
	var rep Report
	if err := d.Validate(); err != nil {
		return rep, err
	}
	rep.Warnings = d.Warnings()
	// Read and prepare everything first.
	oldParams, err := store.Parameters().ListParameters(ctx)
	if err != nil {
		return rep, fmt.Errorf("data file: apply: %w", err)
	}
	oldRoles, err := store.Roles().ListRoles(ctx)
	if err != nil {
		return rep, fmt.Errorf("data file: apply: %w", err)
	}
	var create []user.User
	for i := range d.Users {
		du := &d.Users[i]
		_, err := store.Users().GetUserByUsername(ctx, du.Username)
		if err == nil {
			rep.UsersKept++
			continue
		}
		if !errors.Is(err, storage.ErrNotFound) {
			return rep, fmt.Errorf("data file: apply: users[%d]: %w", i, err)
		}
		u := du.user()
		if u.ID, err = randid.UUID(); err != nil {
			return rep, fmt.Errorf("data file: apply: %w", err)
		}
		u.PasswordHash = du.PasswordHash
		if du.Password != "" {
			if u.PasswordHash, err = hasher.Hash(du.Password); err != nil {
				return rep, fmt.Errorf("data file: apply: users[%d].password: %w", i, err)
			}
		}
		u.PasswordChangedAt = now
		create = append(create, u)
	}

	// Then write.
	schema := d.Schema
	if schema == nil {
		schema = storage.Schema{}
	}
	if err := store.Parameters().PutSchema(ctx, schema); err != nil {
		return rep, fmt.Errorf("data file: apply: schema: %w", err)
	}
	named := make(map[string]bool, len(d.Parameters))
	for _, p := range d.Parameters {
		named[p.Code] = true
	}
	for _, p := range oldParams {
		if named[p.Code] && !p.FromDataFile {
			rep.Warnings = append(rep.Warnings, Warning{Place: d.parameterPlace(p.Code),
				Message: fmt.Sprintf("replaces parameter %q, created or changed at run time: the data file owns the parameters it names", p.Code)})
		}
	}
	for _, p := range d.Parameters {
		p.FromDataFile = true
		if err := store.Parameters().PutParameter(ctx, p); err != nil {
			return rep, fmt.Errorf("data file: apply: parameter %q: %w", p.Code, err)
		}
		rep.ParametersPut++
	}
	for _, p := range oldParams {
		switch {
		case named[p.Code]:
			continue
		case !p.FromDataFile:
			rep.ParametersKept++
			continue
		}
		if err := store.Parameters().DeleteParameter(ctx, p.Code); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return rep, fmt.Errorf("data file: apply: parameter %q: %w", p.Code, err)
		}
		rep.ParametersDeleted++
	}

	named = make(map[string]bool, len(d.Roles))
	for _, r := range d.Roles {
		named[r.Code] = true
	}
	for _, r := range oldRoles {
		if named[r.Code] && !r.FromDataFile {
			rep.Warnings = append(rep.Warnings, Warning{Place: d.rolePlace(r.Code),
				Message: fmt.Sprintf("replaces role %q, created or changed at run time: the data file owns the roles it names", r.Code)})
		}
	}
	includedBy := droppedButIncluded(oldRoles, named)
	for _, r := range d.Roles {
		r.FromDataFile = true
		if err := store.Roles().PutRole(ctx, r); err != nil {
			return rep, fmt.Errorf("data file: apply: role %q: %w", r.Code, err)
		}
		rep.RolesPut++
	}
	for _, r := range oldRoles {
		switch {
		case named[r.Code]:
			continue
		case !r.FromDataFile:
			rep.RolesKept++
			continue
		case includedBy[r.Code] != "":
			rep.RolesKept++
			rep.Warnings = append(rep.Warnings, Warning{Place: "roles",
				Message: fmt.Sprintf("role %q is no longer in the file but is kept: role %q, created at run time, includes it; "+
					"once no such role does, applying the file deletes it", r.Code, includedBy[r.Code])})
			continue
		}
		if err := store.Roles().DeleteRole(ctx, r.Code); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return rep, fmt.Errorf("data file: apply: role %q: %w", r.Code, err)
		}
		rep.RolesDeleted++
	}
	for _, u := range create {
		_, err := store.Users().CreateUser(ctx, u)
		switch {
		case err == nil:
			rep.UsersCreated++
		case errors.Is(err, storage.ErrConflict):
			// Another instance created it between our read and write.
			rep.UsersKept++
		default:
			return rep, fmt.Errorf("data file: apply: user %q: %w", u.Username, err)
		}
	}
	return rep, nil
}

// droppedButIncluded returns, for each stored role from the data file that
// the file no longer names (named) but that a role created at run time
// includes, directly or through other such roles, the code of one run-time
// role that includes it. Those roles are kept: deleting one would leave a
// run-time role with an unknown base role, which denies its holders.
func droppedButIncluded(stored []permissions.Role, named map[string]bool) map[string]string {
	byCode := make(map[string]permissions.Role, len(stored))
	for _, r := range stored {
		byCode[r.Code] = r
	}
	out := map[string]string{}
	var visit func(code, by string)
	visit = func(code, by string) {
		r, ok := byCode[code]
		if !ok || named[code] || !r.FromDataFile || out[code] != "" {
			return
		}
		out[code] = by
		for _, b := range r.Base {
			visit(b, by)
		}
	}
	for _, r := range stored {
		if named[r.Code] || r.FromDataFile {
			continue // only the run-time roles that Apply keeps
		}
		for _, b := range r.Base {
			visit(b, r.Code)
		}
	}
	return out
}

// rolePlace and parameterPlace return the place of the role or parameter
// of code in the file, "roles[i]" or "parameters[i]".
func (d *File) rolePlace(code string) string {
	for i, r := range d.Roles {
		if r.Code == code {
			return fmt.Sprintf("roles[%d]", i)
		}
	}
	return "roles"
}

func (d *File) parameterPlace(code string) string {
	for i, p := range d.Parameters {
		if p.Code == code {
			return fmt.Sprintf("parameters[%d]", i)
		}
	}
	return "parameters"
}
