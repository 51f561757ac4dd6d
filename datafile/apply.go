package datafile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Report counts what [File.Apply] changed, and carries the data
// file's warnings ([File.Warnings]).
type Report struct {
	ParametersPut, ParametersDeleted int
	RolesPut, RolesDeleted           int
	UsersCreated, UsersKept          int
	// Warnings are the file's warnings, nil when it has none. They did not
	// stop it from being applied.
	Warnings []Warning
}

// Apply makes the store follow the data file: the schema, parameters and
// roles become the file's (parameters and roles the file does not list are
// deleted), and users the store lacks (by username) are created with their
// passwords hashed by hasher. Users that exist are not touched. Applying the
// same file again changes nothing, so it is safe on every start.
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
	keep := make(map[string]bool, len(d.Parameters))
	for _, p := range d.Parameters {
		if err := store.Parameters().PutParameter(ctx, p); err != nil {
			return rep, fmt.Errorf("data file: apply: parameter %q: %w", p.Code, err)
		}
		keep[p.Code] = true
		rep.ParametersPut++
	}
	for _, p := range oldParams {
		if keep[p.Code] {
			continue
		}
		if err := store.Parameters().DeleteParameter(ctx, p.Code); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return rep, fmt.Errorf("data file: apply: parameter %q: %w", p.Code, err)
		}
		rep.ParametersDeleted++
	}
	keep = make(map[string]bool, len(d.Roles))
	for _, r := range d.Roles {
		if err := store.Roles().PutRole(ctx, r); err != nil {
			return rep, fmt.Errorf("data file: apply: role %q: %w", r.Code, err)
		}
		keep[r.Code] = true
		rep.RolesPut++
	}
	for _, r := range oldRoles {
		if keep[r.Code] {
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
