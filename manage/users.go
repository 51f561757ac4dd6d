package manage

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// NewUser is a user to create: the fields of user.User a creator sets.
type NewUser struct {
	Username string
	// Password is the initial password, checked by the password policy and
	// hashed with the sessions' hasher. Empty means the user cannot log in
	// with a password until one is set (SetPassword).
	Password string
	Name     string
	Email    string
	Phone    string
	// Company is the company key; empty means the caller's own (required
	// for System).
	Company    string
	Locale     string
	Timezone   string
	Access     user.Access
	Admin      bool
	Blocked    bool
	Roles      []string
	Attributes map[string]string
	Parameters map[string]string
}

// CreateUser creates a user and returns it as stored (without its password
// hash, as every user this package returns). gatehouse makes its
// ID (a UUID). Every field is validated by the rules of the data file
// (user.User.Validate; a user.ValidationErrors), the password by the
// password policy (a *user.FieldError for "password"), and every role must
// name a stored role (a *user.FieldError for "roles", rule RuleUnknown,
// naming them). A username equal up to case to another user's is
// ErrConflict. A caller needs PermUsers, creates users only in its own
// company (another is RuleCompany), an admin only as an admin, and grants
// only roles it holds. Audited as "user_create".
func (m *Manager) CreateUser(ctx context.Context, a Actor, nu NewUser) (user.User, error) {
	if err := m.allow(ctx, a, true, PermUsers); err != nil {
		return user.User{}, err
	}
	u := user.User{
		Username: nu.Username, Name: nu.Name, Email: nu.Email, Phone: nu.Phone,
		Company: nu.Company, Locale: nu.Locale, Timezone: nu.Timezone,
		Access: nu.Access, Admin: nu.Admin, Blocked: nu.Blocked,
		Roles:      unique(nu.Roles),
		Attributes: maps.Clone(nu.Attributes), Parameters: maps.Clone(nu.Parameters),
	}
	if u.Company == "" && !a.isSystem() {
		u.Company = a.Auth.User.Company
	}
	if err := u.Validate(); err != nil {
		return user.User{}, err
	}
	if nu.Password != "" {
		if err := m.cfg.PasswordPolicy.Validate(nu.Password); err != nil {
			return user.User{}, err
		}
	}
	if !a.isSystem() {
		if u.Company != a.Auth.User.Company {
			return user.User{}, forbidden(RuleCompany, "a caller creates users only in its own company")
		}
		if u.Admin && !a.isAdmin() {
			return user.User{}, forbidden(RuleAdmin, "only an admin creates an admin")
		}
	}
	if err := m.checkRoles(ctx, a, u.Roles); err != nil {
		return user.User{}, err
	}
	if err := m.checkIdentity(ctx, a, nil, &u); err != nil {
		return user.User{}, err
	}
	if err := m.checkParameters(ctx, u.Parameters); err != nil {
		return user.User{}, err
	}
	var err error
	if u.ID, err = randid.UUID(); err != nil {
		return user.User{}, fmt.Errorf("manage: make a user id: %w", err)
	}
	if nu.Password != "" {
		if u.PasswordHash, err = m.sessions.Hasher().Hash(nu.Password); err != nil {
			return user.User{}, fmt.Errorf("manage: hash the password: %w", err)
		}
		u.PasswordChangedAt = m.cfg.Now().UTC()
	}
	stored, err := m.store.Users().CreateUser(ctx, u)
	switch {
	case errors.Is(err, storage.ErrConflict):
		return user.User{}, fmt.Errorf("%w: username %q is taken", ErrConflict, u.Username)
	case err != nil:
		return user.User{}, fmt.Errorf("manage: create user: %w", err)
	}
	m.record(ctx, a, "user_create", stored.Company, target(&stored))
	return public(stored), nil
}

// checkRoles checks that every code names a stored role and, for a
// non-admin caller, one the caller holds (directly or through Base).
func (m *Manager) checkRoles(ctx context.Context, a Actor, codes []string) error {
	if len(codes) == 0 {
		return nil
	}
	roles, err := m.store.Roles().ListRoles(ctx)
	if err != nil {
		return fmt.Errorf("manage: list roles: %w", err)
	}
	known := make(map[string]bool, len(roles))
	for _, r := range roles {
		known[r.Code] = true
	}
	var unknown []string
	for _, c := range codes {
		if !known[c] && !slices.Contains(unknown, c) {
			unknown = append(unknown, c)
		}
	}
	if len(unknown) > 0 {
		return unknownRoles(unknown)
	}
	if a.isAdmin() {
		return nil
	}
	set, err := m.permSet(ctx, a)
	if err != nil {
		return err
	}
	held := set.Roles()
	for _, c := range codes {
		if !slices.Contains(held, c) {
			return forbidden(RuleEscalation, "a non-admin grants only roles it holds; it does not hold %q", c)
		}
	}
	return nil
}

// mayTouch applies the rules about the target of a change by a caller:
// only an admin changes an admin, and a non-admin changes only users all of
// whose roles it holds itself (directly or through Base) — otherwise it could
// reset the password of a user who holds more and act as that user.
func (m *Manager) mayTouch(ctx context.Context, a Actor, target *user.User) error {
	if a.isAdmin() || a.self(target.ID) {
		return nil
	}
	if target.Admin {
		return forbidden(RuleAdmin, "only an admin changes an admin")
	}
	if len(target.Roles) == 0 {
		return nil
	}
	set, err := m.permSet(ctx, a)
	if err != nil {
		return err
	}
	held := set.Roles()
	for _, c := range target.Roles {
		if !slices.Contains(held, c) {
			return forbidden(RuleEscalation, "a non-admin changes only users whose roles it holds; it does not hold %q", c)
		}
	}
	return nil
}

// checkParameters checks that every key of a user's parameter overrides
// names a stored system parameter, as the data file does.
func (m *Manager) checkParameters(ctx context.Context, params map[string]string) error {
	if len(params) == 0 {
		return nil
	}
	stored, err := m.store.Parameters().ListParameters(ctx)
	if err != nil {
		return fmt.Errorf("manage: list parameters: %w", err)
	}
	var unknown []string
	for k := range params {
		if !slices.ContainsFunc(stored, func(p storage.Parameter) bool { return p.Code == k }) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return &user.FieldError{Field: "parameters", Rule: RuleUnknown, Message: "unknown parameter " + strings.Join(unknown, ", ")}
	}
	return nil
}

// unique returns a copy of codes with each code once, in the order first
// given.
func unique(codes []string) []string {
	var out []string
	for _, c := range codes {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// target names a user in an audit Detail.
func target(u *user.User) string { return "user " + u.Username + " (" + u.ID + ")" }

// User returns the user with id. A user of another company than a
// caller's is ErrNotFound, as is a missing one. A caller needs PermUsers;
// read-only callers may read.
func (m *Manager) User(ctx context.Context, a Actor, id string) (user.User, error) {
	if err := m.allow(ctx, a, false, PermUsers); err != nil {
		return user.User{}, err
	}
	u, err := m.visible(ctx, a, id)
	return public(u), err
}

// UserByUsername returns the user whose username equals username up to
// case, as User does.
func (m *Manager) UserByUsername(ctx context.Context, a Actor, username string) (user.User, error) {
	if err := m.allow(ctx, a, false, PermUsers); err != nil {
		return user.User{}, err
	}
	u, err := m.store.Users().GetUserByUsername(ctx, username)
	u, err = m.seen(a, u, err)
	return public(u), err
}

// public returns u without its password hash, sealed TOTP secret,
// recovery-code hashes and reset-token hash: no user leaves this package
// with one.
func public(u user.User) user.User {
	u.PasswordHash = ""
	// The second factor and a reset token are secrets too (sealed or
	// hashed, but no caller needs them); TOTPEnabled stays.
	u.TOTPSecret, u.RecoveryCodes, u.ResetTokenHash = "", nil, ""
	return u
}

// visible reads the user with id as a may see it.
func (m *Manager) visible(ctx context.Context, a Actor, id string) (user.User, error) {
	if id == "" {
		return user.User{}, fmt.Errorf("%w: no such user", ErrNotFound)
	}
	u, err := m.store.Users().GetUser(ctx, id)
	return m.seen(a, u, err)
}

func (m *Manager) seen(a Actor, u user.User, err error) (user.User, error) {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return user.User{}, fmt.Errorf("%w: no such user", ErrNotFound)
	case err != nil:
		return user.User{}, fmt.Errorf("manage: read user: %w", err)
	case !a.isSystem() && u.Company != a.Auth.User.Company:
		return user.User{}, fmt.Errorf("%w: no such user", ErrNotFound)
	}
	return u, nil
}

// UpdateUser applies change to the user with id and stores the result.
//
// The write is optimistic: change is applied to a copy of the stored user
// and the result written with the version read; on a version conflict
// the user is read again and change applied afresh, up to UpdateAttempts
// writes (then ErrConflict, and nothing was written). An error of change
// is returned as it is. change must not set ID, Version, CreatedAt,
// UpdatedAt, PasswordHash, PasswordChangedAt or SessionEpoch (ErrInvalid:
// SetPassword and RevokeSessions do). The fields it set are validated
// like CreateUser's (a field it left alone is not held against it), added
// roles must exist, and the rules of who may do what apply to the change.
// Blocking a user also ends its sessions for good (its session epoch is
// bumped), so that unblocking does not bring them back. A change that
// changes nothing writes and audits nothing. Audited as "user_update"
// with the names of the fields changed, never their values.
func (m *Manager) UpdateUser(ctx context.Context, a Actor, id string, change func(*user.User) error) (user.User, error) {
	return m.update(ctx, a, id, "user_update", change)
}

func (m *Manager) update(ctx context.Context, a Actor, id, op string, change func(*user.User) error) (user.User, error) {
	if err := m.allow(ctx, a, true, PermUsers); err != nil {
		return user.User{}, err
	}
	u, err := m.visible(ctx, a, id)
	if err != nil {
		return user.User{}, err
	}
	for attempt := 1; ; attempt++ {
		if err := m.mayTouch(ctx, a, &u); err != nil {
			return user.User{}, err
		}
		nu := u.Clone()
		if err := change(&nu); err != nil {
			return user.User{}, err
		}
		nu.Roles = unique(nu.Roles)
		changed, err := changes(&u, &nu)
		if err != nil {
			return user.User{}, err
		}
		if len(changed) == 0 {
			return public(u), nil
		}
		if err := nu.ValidateFields(changed); err != nil {
			return user.User{}, err
		}
		if err := m.checkChange(ctx, a, &u, &nu); err != nil {
			return user.User{}, err
		}
		if slices.Contains(changed, "parameters") {
			if err := m.checkParameters(ctx, nu.Parameters); err != nil {
				return user.User{}, err
			}
		}
		if nu.Blocked && !u.Blocked {
			nu.SessionEpoch++
		}
		stored, err := m.store.Users().UpdateUser(ctx, nu)
		if err == nil {
			m.record(ctx, a, op, stored.Company, target(&stored)+": changed: "+strings.Join(changed, ","))
			return public(stored), nil
		}
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return user.User{}, fmt.Errorf("%w: no such user", ErrNotFound)
		case errors.Is(err, storage.ErrConflict) && nu.Username != u.Username:
			if other, gerr := m.store.Users().GetUserByUsername(ctx, nu.Username); gerr == nil && other.ID != u.ID {
				return user.User{}, fmt.Errorf("%w: username %q is taken", ErrConflict, nu.Username)
			}
		case !errors.Is(err, storage.ErrConflict):
			return user.User{}, fmt.Errorf("manage: update user: %w", err)
		}
		if attempt == UpdateAttempts {
			return user.User{}, fmt.Errorf("%w: update user: %d writes in a row met a concurrent change: %w", ErrConflict, attempt, err)
		}
		if u, err = m.visible(ctx, a, id); err != nil {
			return user.User{}, err
		}
	}
}

// checkChange applies the rules of who may do what to a change of before
// into after by a.
func (m *Manager) checkChange(ctx context.Context, a Actor, before, after *user.User) error {
	var added []string
	for _, c := range after.Roles {
		if !slices.Contains(before.Roles, c) {
			added = append(added, c)
		}
	}
	if err := m.checkRoles(ctx, a, added); err != nil {
		return err
	}
	if a.isSystem() {
		return nil
	}
	switch {
	case after.Company != before.Company:
		return forbidden(RuleCompany, "a caller does not move users to another company")
	case after.Admin != before.Admin && !a.isAdmin():
		return forbidden(RuleAdmin, "only an admin makes a user admin")
	}
	if err := m.checkIdentity(ctx, a, before, after); err != nil {
		return err
	}
	if !a.self(before.ID) {
		return nil
	}
	switch {
	case after.Blocked && !before.Blocked:
		return forbidden(RuleSelf, "nobody blocks itself")
	case before.Admin && !after.Admin:
		return forbidden(RuleSelf, "nobody demotes itself (admin)")
	case after.EffectiveAccess() == user.AccessReadOnly && before.EffectiveAccess() != user.AccessReadOnly:
		return forbidden(RuleSelf, "nobody demotes itself (read-only access)")
	}
	for _, c := range before.Roles {
		if !slices.Contains(after.Roles, c) {
			return forbidden(RuleSelf, "nobody demotes itself (drops its role %q)", c)
		}
	}
	return nil
}

// checkIdentity applies RuleIdentity to a non-admin caller changing the
// user before into after (before nil: a new user), for the user fields the
// stored roles' row rules reference (permissions.Role.UserFields): it
// renames nobody, changes none of its own such attributes, and sets
// another user's only to a value it holds itself. Removing one from
// another user narrows (a rule reading a missing attribute matches
// nothing) and is allowed. Fields no row rule reads are not guarded.
func (m *Manager) checkIdentity(ctx context.Context, a Actor, before, after *user.User) error {
	if a.isAdmin() {
		return nil
	}
	fields, err := m.rowFields(ctx)
	if err != nil || len(fields) == 0 {
		return err
	}
	var id string
	var old map[string]string
	if before != nil {
		id, old = before.ID, before.Attributes
		if fields["username"] && after.Username != before.Username {
			return forbidden(RuleIdentity, "only an admin renames a user (row rules read $user.username)")
		}
	}
	own := a.Auth.User.Attributes
	for k, v := range after.Attributes {
		if prev, ok := old[k]; !fields[k] || (ok && prev == v) {
			continue
		}
		if a.self(id) {
			return forbidden(RuleIdentity, "a non-admin changes none of its own attributes that row rules read (%q)", k)
		}
		if mine, ok := own[k]; !ok || mine != v {
			return forbidden(RuleIdentity, "a non-admin sets an attribute that row rules read only to a value it holds itself; it does not hold %s=%q", k, v)
		}
	}
	if a.self(id) {
		for k := range old {
			if _, ok := after.Attributes[k]; fields[k] && !ok {
				return forbidden(RuleIdentity, "a non-admin changes none of its own attributes that row rules read (%q)", k)
			}
		}
	}
	return nil
}

// rowFields returns the user fields that the stored roles' row rules
// reference.
func (m *Manager) rowFields(ctx context.Context) (map[string]bool, error) {
	roles, err := m.store.Roles().ListRoles(ctx)
	if err != nil {
		return nil, fmt.Errorf("manage: list roles: %w", err)
	}
	fields := map[string]bool{}
	for i := range roles {
		for _, f := range roles[i].UserFields() {
			fields[f] = true
		}
	}
	return fields, nil
}

// changes returns the names of the fields in which after differs from
// before (user.Changed), or an error when after changes a field only the
// store or a dedicated operation sets.
func changes(before, after *user.User) ([]string, error) {
	switch {
	case user.ChangesStoreFields(before, after):
		return nil, fmt.Errorf("%w: update user: the change set a field only the store sets (id, version, created_at, updated_at)", ErrInvalid)
	case user.ChangesCredentials(before, after):
		return nil, fmt.Errorf("%w: update user: the change set the password or the session epoch (SetPassword and RevokeSessions do)", ErrInvalid)
	}
	return user.Changed(before, after), nil
}

// SetPassword sets the password of the user with id, as an administrator
// resetting it: the password policy applies (not the current password),
// and the new hash, PasswordChangedAt and a bumped session epoch are
// written in one update, so every session and token of the user, on every
// instance sharing the store, dies at once. The rules of UpdateUser apply
// (an admin's password is set only by an admin). Audited as
// "user_password_set"; the password never appears in the audit.
func (m *Manager) SetPassword(ctx context.Context, a Actor, id, password string) error {
	if err := m.allow(ctx, a, true, PermUsers); err != nil {
		return err
	}
	if err := m.cfg.PasswordPolicy.Validate(password); err != nil {
		return err
	}
	if a.self(id) {
		// A reset skips the current password: a stolen session must not
		// become a new password. Callers change their own with it.
		return forbidden(RuleSelf, "nobody resets its own password here; change it with the current one (session.Manager.ChangePassword, POST /password)")
	}
	u, err := m.visible(ctx, a, id)
	if err != nil {
		return err
	}
	if err := m.mayTouch(ctx, a, &u); err != nil {
		return err
	}
	hash, err := m.sessions.Hasher().Hash(password)
	if err != nil {
		return fmt.Errorf("manage: hash the password: %w", err)
	}
	for attempt := 1; ; attempt++ {
		nu := u.Clone()
		nu.PasswordHash = hash
		nu.PasswordChangedAt = m.cfg.Now().UTC()
		nu.SessionEpoch = u.SessionEpoch + 1
		stored, err := m.store.Users().UpdateUser(ctx, nu)
		if err == nil {
			m.record(ctx, a, "user_password_set", stored.Company, target(&stored))
			return nil
		}
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return fmt.Errorf("%w: no such user", ErrNotFound)
		case !errors.Is(err, storage.ErrConflict):
			return fmt.Errorf("manage: update user: %w", err)
		case attempt == UpdateAttempts:
			return fmt.Errorf("%w: set password: %d writes in a row met a concurrent change: %w", ErrConflict, attempt, err)
		}
		if u, err = m.visible(ctx, a, id); err != nil {
			return err
		}
		if err := m.mayTouch(ctx, a, &u); err != nil {
			return err
		}
	}
}

// SetRoles replaces the roles of the user with id (each code kept once,
// in the order given), as UpdateUser does:
// every role must exist, a non-admin grants only roles it holds, and
// nobody drops a role of its own.
func (m *Manager) SetRoles(ctx context.Context, a Actor, id string, roles []string) (user.User, error) {
	roles = unique(roles)
	return m.update(ctx, a, id, "user_update", func(u *user.User) error {
		u.Roles = roles
		return nil
	})
}

// AddRole adds role code to the user with id, as SetRoles does; a role
// held already changes nothing.
func (m *Manager) AddRole(ctx context.Context, a Actor, id, code string) (user.User, error) {
	return m.update(ctx, a, id, "user_update", func(u *user.User) error {
		if !slices.Contains(u.Roles, code) {
			u.Roles = append(u.Roles, code)
		}
		return nil
	})
}

// RemoveRole removes role code from the user with id, as SetRoles does; a
// role not held changes nothing.
func (m *Manager) RemoveRole(ctx context.Context, a Actor, id, code string) (user.User, error) {
	return m.update(ctx, a, id, "user_update", func(u *user.User) error {
		u.Roles = slices.DeleteFunc(u.Roles, func(c string) bool { return c == code })
		return nil
	})
}

// Block blocks the user with id: it cannot log in, and every session and
// token it has is refused at once, for good (the session epoch is bumped,
// so Unblock does not revive them). Nobody blocks itself. Audited as
// "user_block".
func (m *Manager) Block(ctx context.Context, a Actor, id string) (user.User, error) {
	return m.update(ctx, a, id, "user_block", func(u *user.User) error {
		u.Blocked = true
		return nil
	})
}

// Unblock lets the user with id log in again. Audited as "user_unblock".
func (m *Manager) Unblock(ctx context.Context, a Actor, id string) (user.User, error) {
	return m.update(ctx, a, id, "user_unblock", func(u *user.User) error {
		u.Blocked = false
		return nil
	})
}

// SetAccess sets the access level of the user with id (user.AccessFull
// or user.AccessReadOnly), as UpdateUser does; nobody makes itself
// read-only.
func (m *Manager) SetAccess(ctx context.Context, a Actor, id string, access user.Access) (user.User, error) {
	return m.update(ctx, a, id, "user_update", func(u *user.User) error {
		u.Access = access
		return nil
	})
}

// DeleteUser deletes the user with id after revoking every session it has.
// A caller needs PermUsers; nobody deletes itself, and only an admin
// deletes an admin. Audited as "user_delete".
func (m *Manager) DeleteUser(ctx context.Context, a Actor, id string) error {
	if err := m.allow(ctx, a, true, PermUsers); err != nil {
		return err
	}
	u, err := m.visible(ctx, a, id)
	if err != nil {
		return err
	}
	if a.self(id) {
		return forbidden(RuleSelf, "nobody deletes itself")
	}
	if err := m.mayTouch(ctx, a, &u); err != nil {
		return err
	}
	if _, err := m.revokeAll(ctx, &u); err != nil {
		return err
	}
	if err := m.revokeAPIKeys(ctx, id); err != nil {
		return err
	}
	if err := m.store.Users().DeleteUser(ctx, id); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%w: no such user", ErrNotFound)
		}
		return fmt.Errorf("manage: delete user: %w", err)
	}
	m.record(ctx, a, "user_delete", u.Company, target(&u))
	return nil
}

// revokeAPIKeys revokes every API key of the user id, so that none comes
// back to life for a user created later under the same id (a host that
// chooses ids).
func (m *Manager) revokeAPIKeys(ctx context.Context, id string) error {
	keys, err := m.store.APIKeys().ListAPIKeys(ctx, id)
	if err != nil {
		return fmt.Errorf("manage: list the user's api keys: %w", err)
	}
	for _, k := range keys {
		if k.Revoked {
			continue
		}
		if err := m.store.APIKeys().RevokeAPIKey(ctx, id, k.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("manage: revoke the user's api keys: %w", err)
		}
	}
	return nil
}

// Paging defaults of ListUsers.
const (
	// DefaultLimit is the page size of a UserQuery without a Limit.
	DefaultLimit = 50
	// MaxLimit is the largest page ListUsers returns.
	MaxLimit = 1000
)

// UserQuery selects users for ListUsers.
type UserQuery struct {
	// Company, when set, lists only that company's users. A caller lists
	// only its own company's: another company lists nobody.
	Company string
	// Search, when set, keeps the users whose username, name or e-mail
	// address contains it, ignoring case.
	Search string
	// Offset skips that many matching users (not negative); Limit caps the
	// page: 0 means DefaultLimit, more than MaxLimit means MaxLimit.
	Offset, Limit int
}

// UserPage is one page of ListUsers.
type UserPage struct {
	// Users are the page's users, ordered by username.
	Users []user.User
	// Total counts the users matching the query, before Offset and Limit.
	Total int
}

// ListUsers returns a page of the users matching q, ordered by username,
// with their total. A caller needs PermUsers (read-only callers may read)
// and sees only its own company. The search reads every user of the
// company from the store.
func (m *Manager) ListUsers(ctx context.Context, a Actor, q UserQuery) (UserPage, error) {
	if err := m.allow(ctx, a, false, PermUsers); err != nil {
		return UserPage{}, err
	}
	if q.Offset < 0 || q.Limit < 0 {
		return UserPage{}, &user.FieldError{Field: "offset", Rule: user.RuleFormat, Message: "offset and limit must not be negative"}
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit > MaxLimit:
		limit = MaxLimit
	}
	company := q.Company
	if !a.isSystem() {
		if company != "" && company != a.Auth.User.Company {
			return UserPage{Users: []user.User{}}, nil
		}
		company = a.Auth.User.Company
	}
	search := strings.ToLower(q.Search)
	page := UserPage{Users: []user.User{}}
	err := m.eachUser(ctx, company, func(u *user.User) error {
		if search != "" && !strings.Contains(strings.ToLower(u.Username), search) &&
			!strings.Contains(strings.ToLower(u.Name), search) && !strings.Contains(strings.ToLower(u.Email), search) {
			return nil
		}
		if page.Total >= q.Offset && len(page.Users) < limit {
			page.Users = append(page.Users, public(*u))
		}
		page.Total++
		return nil
	})
	if err != nil {
		return UserPage{}, err
	}
	return page, nil
}

// eachUser calls f for every user of company (every user when empty), in
// username order.
func (m *Manager) eachUser(ctx context.Context, company string, f func(*user.User) error) error {
	const chunk = 500
	for offset := 0; ; offset += chunk {
		us, err := m.store.Users().ListUsers(ctx, storage.UserQuery{Company: company, Offset: offset, Limit: chunk})
		if err != nil {
			return fmt.Errorf("manage: list users: %w", err)
		}
		for i := range us {
			if err := f(&us[i]); err != nil {
				return err
			}
		}
		if len(us) < chunk {
			return nil
		}
	}
}
