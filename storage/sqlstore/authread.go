package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse-go/gatehouse/storage"
)

var (
	_ storage.AuthReader     = (*Store)(nil)
	_ storage.UserAuthReader = (*Store)(nil)
)

// qualified returns a comma-separated column list with each column
// prefixed by alias and a dot.
func qualified(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// userColumnsOrZero are userColumns of the user u of a LEFT JOIN, each
// the zero value of its type when there is no such user (an empty id:
// no stored user has one), and the JSON columns the JSON null.
var userColumnsOrZero = func() string {
	zero := map[string]string{
		"admin": "FALSE", "blocked": "FALSE",
		"roles": "'null'", "attributes": "'null'", "parameters": "'null'",
		"password_changed_us": "0", "session_epoch": "0", "created_us": "0", "updated_us": "0", "version": "0",
		"totp_enabled": "FALSE", "totp_last_step": "0", "recovery_codes": "'null'", "reset_expires_us": "0", "reset_epoch": "0",
	}
	cols := strings.Split(userColumns, ",")
	for i, c := range cols {
		c = strings.TrimSpace(c)
		z, ok := zero[c]
		if !ok {
			z = "''"
		}
		cols[i] = "COALESCE(u." + c + ", " + z + ")"
	}
	return strings.Join(cols, ", ")
}()

// The statements of the capabilities: one each, so one round trip. A
// missing gh_policy row (a damaged database) must read as a failure of the
// store (errPolicyMissing), never as a missing session or user, so neither
// lets it drop the row: readAuthQuery LEFT JOINs gh_policy (NULL versions,
// which the columns never hold otherwise), and readUserAuthQuery reads
// from gh_policy and LEFT JOINs the user (no row at all).
var (
	readAuthQuery = `SELECT ` + qualified("s", sessionColumns) + `, p.version, p.parameters_version, ` + userColumnsOrZero + `
		FROM gh_sessions s LEFT JOIN gh_policy p ON p.id = 1 LEFT JOIN gh_users u ON u.id = s.user_id
		WHERE s.id_hash = $1 AND s.expires_us > $2`
	readUserAuthQuery = `SELECT p.version, p.parameters_version, ` + userColumnsOrZero + `
		FROM gh_policy p LEFT JOIN gh_users u ON u.id = $1 WHERE p.id = 1`
)

// errPolicyMissing is the failure of a read of the versions that finds no
// row in gh_policy: the database is damaged, which is no answer about a
// session or a user.
var errPolicyMissing = errors.New("the versions row of gh_policy is missing")

// ReadAuth implements [storage.AuthReader] in one statement: the session
// (live by the store's clock, as GetSession reads it), its user through a
// LEFT JOIN, and both versions from gh_policy, all from one snapshot. A
// missing gh_policy row is an error, not ErrNotFound.
func (s *Store) ReadAuth(ctx context.Context, idHash string) (storage.AuthRead, error) {
	if err := checkCtx(ctx, "read auth"); err != nil {
		return storage.AuthRead{}, err
	}
	var (
		a              storage.AuthRead
		ss             sessionScan
		us             userScan
		policy, params sql.NullInt64
	)
	dest := append(ss.dest(), &policy, &params)
	err := s.db.QueryRowContext(ctx, s.q(readAuthQuery), idHash, s.clock()).Scan(append(dest, us.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.AuthRead{}, fmt.Errorf("sqlstore: read auth: session: %w", storage.ErrNotFound)
	}
	if err != nil {
		return storage.AuthRead{}, fmt.Errorf("sqlstore: read auth: %w", err)
	}
	if !policy.Valid || !params.Valid {
		return storage.AuthRead{}, fmt.Errorf("sqlstore: read auth: %w", errPolicyMissing)
	}
	a.Versions = storage.Versions{Policy: policy.Int64, Parameters: params.Int64}
	a.Session = ss.session()
	if us.u.ID == "" {
		// No such user: UserFound stays false, User zero.
		return a, nil
	}
	if a.User, err = us.user(); err != nil {
		return storage.AuthRead{}, fmt.Errorf("sqlstore: read auth: %w", err)
	}
	a.UserFound = true
	return a, nil
}

// ReadUserAuth implements [storage.UserAuthReader] in one statement: the
// versions from gh_policy and the user through a LEFT JOIN, so a missing
// user is a row without one and a missing gh_policy row is an error.
func (s *Store) ReadUserAuth(ctx context.Context, userID string) (storage.UserAuthRead, error) {
	if err := checkCtx(ctx, "read user auth"); err != nil {
		return storage.UserAuthRead{}, err
	}
	var (
		a  storage.UserAuthRead
		us userScan
	)
	dest := []any{&a.Versions.Policy, &a.Versions.Parameters}
	err := s.db.QueryRowContext(ctx, s.q(readUserAuthQuery), userID).Scan(append(dest, us.dest()...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.UserAuthRead{}, fmt.Errorf("sqlstore: read user auth: %w", errPolicyMissing)
	}
	if err != nil {
		return storage.UserAuthRead{}, fmt.Errorf("sqlstore: read user auth: %w", err)
	}
	if us.u.ID == "" {
		// No such user: UserFound stays false, User zero.
		return storage.UserAuthRead{}, nil
	}
	if a.User, err = us.user(); err != nil {
		return storage.UserAuthRead{}, fmt.Errorf("sqlstore: read user auth: %w", err)
	}
	a.UserFound = true
	return a, nil
}
