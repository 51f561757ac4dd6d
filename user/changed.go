package user

import (
	"errors"
	"maps"
	"slices"
)

// Changed returns the JSON names of the fields a caller may change in which
// after differs from before (username, name, email, phone, company_key,
// locale, timezone, access, admin, blocked, roles, attributes,
// parameters), in that order. The fields only a store or a dedicated
// operation sets (ID, Version, times, PasswordHash, SessionEpoch) are not
// compared: see [ChangesStoreFields] and [ChangesCredentials].
func Changed(before, after *User) []string {
	var changed []string
	add := func(name string, differs bool) {
		if differs {
			changed = append(changed, name)
		}
	}
	add("username", after.Username != before.Username)
	add("name", after.Name != before.Name)
	add("email", after.Email != before.Email)
	add("phone", after.Phone != before.Phone)
	add("company_key", after.Company != before.Company)
	add("locale", after.Locale != before.Locale)
	add("timezone", after.Timezone != before.Timezone)
	add("access", after.Access != before.Access)
	add("admin", after.Admin != before.Admin)
	add("blocked", after.Blocked != before.Blocked)
	add("roles", !slices.Equal(after.Roles, before.Roles))
	add("attributes", !maps.Equal(after.Attributes, before.Attributes))
	add("parameters", !maps.Equal(after.Parameters, before.Parameters))
	return changed
}

// ChangesStoreFields reports whether after differs from before in a field
// only the store sets: ID, Version, CreatedAt or UpdatedAt.
func ChangesStoreFields(before, after *User) bool {
	return after.ID != before.ID || after.Version != before.Version ||
		!after.CreatedAt.Equal(before.CreatedAt) || !after.UpdatedAt.Equal(before.UpdatedAt)
}

// ChangesCredentials reports whether after differs from before in the
// password or the session epoch, which only the operations that end
// sessions set.
func ChangesCredentials(before, after *User) bool {
	return after.PasswordHash != before.PasswordHash ||
		!after.PasswordChangedAt.Equal(before.PasswordChangedAt) || after.SessionEpoch != before.SessionEpoch
}

// ValidateFields checks u as Validate does and returns only the broken
// rules of the named fields (JSON names, as [Changed] returns them), so
// that an old stored value of another field does not block a change.
func (u *User) ValidateFields(fields []string) error {
	var all ValidationErrors
	if !errors.As(u.Validate(), &all) {
		return nil
	}
	var errs ValidationErrors
	for _, fe := range all {
		if slices.Contains(fields, fe.Field) {
			errs = append(errs, fe)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return errs
}
