package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// userStore keeps users in gh_users: one row per user, its roles,
// attributes and parameters as JSON text, and an optimistic version.
type userStore struct{ s *Store }

const userColumns = `id, username, name, email, phone, company, locale, timezone, access, admin, blocked,
	roles, attributes, parameters, password_hash, password_changed_us, session_epoch, created_us, updated_us, version,
	totp_secret, totp_enabled, totp_last_step, recovery_codes, reset_token_hash, reset_expires_us, reset_epoch`

// userArgs returns the values of u for the first 17 columns of userColumns
// (before created_us, updated_us and version).
func userArgs(u *user.User) ([]any, error) {
	roles, err := json.Marshal(u.Roles)
	if err != nil {
		return nil, err
	}
	attrs, err := json.Marshal(u.Attributes)
	if err != nil {
		return nil, err
	}
	params, err := json.Marshal(u.Parameters)
	if err != nil {
		return nil, err
	}
	return []any{u.ID, u.Username, u.Name, u.Email, u.Phone, u.Company, u.Locale, u.Timezone,
		string(u.Access), u.Admin, u.Blocked, string(roles), string(attrs), string(params),
		u.PasswordHash, toUS(u.PasswordChangedAt), u.SessionEpoch}, nil
}

// userFactorArgs returns the values of u for the last 7 columns of
// userColumns (after version): the second factor and the reset token.
func userFactorArgs(u *user.User) ([]any, error) {
	codes, err := json.Marshal(u.RecoveryCodes)
	if err != nil {
		return nil, err
	}
	return []any{u.TOTPSecret, u.TOTPEnabled, u.TOTPLastStep, string(codes),
		u.ResetTokenHash, toUS(u.ResetExpiresAt), u.ResetEpoch}, nil
}

// scanUser reads a row of userColumns.
func scanUser(row interface{ Scan(...any) error }) (user.User, error) {
	var us userScan
	if err := row.Scan(us.dest()...); err != nil {
		return user.User{}, err
	}
	return us.user()
}

// userScan holds the scanned values of userColumns until user decodes
// them, so that a query may read them beside other columns.
type userScan struct {
	u                     user.User
	access, roles, attrs  string
	params, codes         string
	pwAt, created, update int64
	resetAt               int64
}

// dest returns the scan destinations of userColumns, in order.
func (us *userScan) dest() []any {
	u := &us.u
	return []any{&u.ID, &u.Username, &u.Name, &u.Email, &u.Phone, &u.Company, &u.Locale, &u.Timezone,
		&us.access, &u.Admin, &u.Blocked, &us.roles, &us.attrs, &us.params, &u.PasswordHash, &us.pwAt, &u.SessionEpoch,
		&us.created, &us.update, &u.Version,
		&u.TOTPSecret, &u.TOTPEnabled, &u.TOTPLastStep, &us.codes, &u.ResetTokenHash, &us.resetAt, &u.ResetEpoch}
}

// user decodes the scanned row.
func (us *userScan) user() (user.User, error) {
	u := us.u
	u.Access = user.Access(us.access)
	if err := errors.Join(json.Unmarshal([]byte(us.roles), &u.Roles),
		json.Unmarshal([]byte(us.attrs), &u.Attributes), json.Unmarshal([]byte(us.params), &u.Parameters),
		json.Unmarshal([]byte(us.codes), &u.RecoveryCodes)); err != nil {
		return user.User{}, fmt.Errorf("decode user %q: %w", u.ID, err)
	}
	u.PasswordChangedAt = fromUS(us.pwAt)
	u.CreatedAt, u.UpdatedAt = fromUS(us.created), fromUS(us.update)
	u.ResetExpiresAt = fromUS(us.resetAt)
	return u, nil
}

func (us *userStore) CreateUser(ctx context.Context, u user.User) (user.User, error) {
	s := us.s
	if err := checkCtx(ctx, "create user"); err != nil {
		return user.User{}, err
	}
	if u.ID == "" || u.Username == "" {
		return user.User{}, fmt.Errorf("sqlstore: create user: empty id or username: %w", storage.ErrInvalid)
	}
	u = u.Clone()
	now := fromUS(s.clock())
	u.Version, u.CreatedAt, u.UpdatedAt = 1, now, now
	args, err := userArgs(&u)
	if err != nil {
		return user.User{}, fmt.Errorf("sqlstore: create user %q: %w", u.ID, err)
	}
	factors, err := userFactorArgs(&u)
	if err != nil {
		return user.User{}, fmt.Errorf("sqlstore: create user %q: %w", u.ID, err)
	}
	args = append(append(args, toUS(now), toUS(now), u.Version), factors...)
	_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO gh_users (`+userColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20,
		$21, $22, $23, $24, $25, $26, $27)`), args...)
	if isUniqueViolation(err) {
		return user.User{}, fmt.Errorf("sqlstore: create user %q: id or username %q (up to case) in use: %w", u.ID, u.Username, storage.ErrConflict)
	}
	if err != nil {
		return user.User{}, fmt.Errorf("sqlstore: create user %q: %w", u.ID, err)
	}
	return u, nil
}

// get returns the user whose key matches value: key is "id" or
// "lower(username)", the expression of the unique index on folded
// usernames (migration 0002), which on both databases folds only ASCII
// letters, as storage.FoldUsername does.
func (us *userStore) get(ctx context.Context, key, value string) (user.User, error) {
	s := us.s
	if err := checkCtx(ctx, "get user"); err != nil {
		return user.User{}, err
	}
	u, err := scanUser(s.db.QueryRowContext(ctx, s.q(`SELECT `+userColumns+` FROM gh_users WHERE `+key+` = $1`), value))
	if errors.Is(err, sql.ErrNoRows) {
		return user.User{}, fmt.Errorf("sqlstore: user %s %q: %w", key, value, storage.ErrNotFound)
	}
	if err != nil {
		return user.User{}, fmt.Errorf("sqlstore: user %s %q: %w", key, value, err)
	}
	return u, nil
}

func (us *userStore) GetUser(ctx context.Context, id string) (user.User, error) {
	return us.get(ctx, "id", id)
}

// GetUserByUsername matches the folded name against lower(username), so the
// lookup uses the unique index and finds the user up to case.
func (us *userStore) GetUserByUsername(ctx context.Context, username string) (user.User, error) {
	return us.get(ctx, "lower(username)", storage.FoldUsername(username))
}

// UpdateUser writes the user only where its stored version is the one the
// caller read (UPDATE … WHERE id = $1 AND version = $2), so of two writers
// racing on one version exactly one wins.
func (us *userStore) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	s := us.s
	if err := checkCtx(ctx, "update user"); err != nil {
		return user.User{}, err
	}
	if u.ID == "" || u.Username == "" {
		return user.User{}, fmt.Errorf("sqlstore: update user: empty id or username: %w", storage.ErrInvalid)
	}
	u = u.Clone()
	now := fromUS(s.clock())
	args, err := userArgs(&u)
	if err != nil {
		return user.User{}, fmt.Errorf("sqlstore: update user %q: %w", u.ID, err)
	}
	factors, err := userFactorArgs(&u)
	if err != nil {
		return user.User{}, fmt.Errorf("sqlstore: update user %q: %w", u.ID, err)
	}
	args = append(append(args, toUS(now), u.Version), factors...)
	var created, version int64
	err = s.db.QueryRowContext(ctx, s.q(`UPDATE gh_users SET username = $2, name = $3, email = $4, phone = $5,
		company = $6, locale = $7, timezone = $8, access = $9, admin = $10, blocked = $11, roles = $12,
		attributes = $13, parameters = $14, password_hash = $15, password_changed_us = $16, session_epoch = $17,
		updated_us = $18, version = version + 1,
		totp_secret = $20, totp_enabled = $21, totp_last_step = $22, recovery_codes = $23,
		reset_token_hash = $24, reset_expires_us = $25, reset_epoch = $26
		WHERE id = $1 AND version = $19 RETURNING created_us, version`), args...).Scan(&created, &version)
	switch {
	case isUniqueViolation(err):
		return user.User{}, fmt.Errorf("sqlstore: update user %q: username %q (up to case) in use: %w", u.ID, u.Username, storage.ErrConflict)
	case errors.Is(err, sql.ErrNoRows):
		var n int
		if err := s.db.QueryRowContext(ctx, s.q("SELECT COUNT(*) FROM gh_users WHERE id = $1"), u.ID).Scan(&n); err != nil {
			return user.User{}, fmt.Errorf("sqlstore: update user %q: %w", u.ID, err)
		}
		if n == 0 {
			return user.User{}, fmt.Errorf("sqlstore: update user %q: %w", u.ID, storage.ErrNotFound)
		}
		return user.User{}, fmt.Errorf("sqlstore: update user %q: version %d is stale: %w", u.ID, u.Version, storage.ErrConflict)
	case err != nil:
		return user.User{}, fmt.Errorf("sqlstore: update user %q: %w", u.ID, err)
	}
	u.Version, u.CreatedAt, u.UpdatedAt = version, fromUS(created), now
	return u, nil
}

func (us *userStore) DeleteUser(ctx context.Context, id string) error {
	s := us.s
	if err := checkCtx(ctx, "delete user"); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.q("DELETE FROM gh_users WHERE id = $1"), id)
	if err != nil {
		return fmt.Errorf("sqlstore: delete user %q: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("sqlstore: delete user %q: %w", id, storage.ErrNotFound)
	}
	return nil
}

func (us *userStore) ListUsers(ctx context.Context, q storage.UserQuery) ([]user.User, error) {
	s := us.s
	if err := checkCtx(ctx, "list users"); err != nil {
		return nil, err
	}
	if q.Limit < 1 || q.Offset < 0 {
		return nil, fmt.Errorf("sqlstore: list users: offset %d, limit %d: %w", q.Offset, q.Limit, storage.ErrInvalid)
	}
	var b strings.Builder
	b.WriteString("SELECT " + userColumns + " FROM gh_users")
	args := []any{q.Limit, q.Offset}
	if q.Company != "" {
		b.WriteString(" WHERE company = $3")
		args = append(args, q.Company)
	}
	b.WriteString(" ORDER BY username LIMIT $1 OFFSET $2")
	rows, err := s.db.QueryContext(ctx, s.q(b.String()), args...)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list users: %w", err)
	}
	defer rows.Close()
	var out []user.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list users: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list users: %w", err)
	}
	return out, nil
}
