package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
)

// roleStore keeps roles in gh_roles (code, the role as JSON, and
// from_data_file, which the JSON leaves out) and the policy version in the single row of gh_policy, bumped in the same
// transaction as every put and delete.
type roleStore struct{ s *Store }

func (rs *roleStore) PutRole(ctx context.Context, r permissions.Role) error {
	s := rs.s
	if err := checkCtx(ctx, "put role"); err != nil {
		return err
	}
	if r.Code == "" {
		return fmt.Errorf("sqlstore: put role: empty code: %w", storage.ErrInvalid)
	}
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("sqlstore: put role %q: %w", r.Code, err)
	}
	return s.inTx(ctx, "put role", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO gh_roles (code, body, from_data_file) VALUES ($1, $2, $3)
			ON CONFLICT (code) DO UPDATE SET body = excluded.body, from_data_file = excluded.from_data_file`),
			r.Code, string(body), r.FromDataFile); err != nil {
			return err
		}
		return bumpPolicy(ctx, tx)
	})
}

func bumpPolicy(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "UPDATE gh_policy SET version = version + 1 WHERE id = 1")
	return err
}

func (rs *roleStore) GetRole(ctx context.Context, code string) (permissions.Role, error) {
	s := rs.s
	if err := checkCtx(ctx, "get role"); err != nil {
		return permissions.Role{}, err
	}
	var body string
	var fromFile bool
	err := s.db.QueryRowContext(ctx, s.q("SELECT body, from_data_file FROM gh_roles WHERE code = $1"), code).Scan(&body, &fromFile)
	if errors.Is(err, sql.ErrNoRows) {
		return permissions.Role{}, fmt.Errorf("sqlstore: role %q: %w", code, storage.ErrNotFound)
	}
	if err != nil {
		return permissions.Role{}, fmt.Errorf("sqlstore: role %q: %w", code, err)
	}
	var r permissions.Role
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return permissions.Role{}, fmt.Errorf("sqlstore: role %q: decode: %w", code, err)
	}
	r.FromDataFile = fromFile
	return r, nil
}

func (rs *roleStore) ListRoles(ctx context.Context) ([]permissions.Role, error) {
	s := rs.s
	if err := checkCtx(ctx, "list roles"); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT body, from_data_file FROM gh_roles ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list roles: %w", err)
	}
	defer rows.Close()
	var out []permissions.Role
	for rows.Next() {
		var body string
		var fromFile bool
		if err := rows.Scan(&body, &fromFile); err != nil {
			return nil, fmt.Errorf("sqlstore: list roles: %w", err)
		}
		var r permissions.Role
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, fmt.Errorf("sqlstore: list roles: decode: %w", err)
		}
		r.FromDataFile = fromFile
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list roles: %w", err)
	}
	return out, nil
}

func (rs *roleStore) DeleteRole(ctx context.Context, code string) error {
	s := rs.s
	if err := checkCtx(ctx, "delete role"); err != nil {
		return err
	}
	return s.inTx(ctx, "delete role", func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM gh_roles WHERE code = $1"), code)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return fmt.Errorf("role %q: %w", code, storage.ErrNotFound)
		}
		return bumpPolicy(ctx, tx)
	})
}

func (rs *roleStore) PolicyVersion(ctx context.Context) (int64, error) {
	s := rs.s
	if err := checkCtx(ctx, "policy version"); err != nil {
		return 0, err
	}
	var v int64
	if err := s.db.QueryRowContext(ctx, "SELECT version FROM gh_policy WHERE id = 1").Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlstore: policy version: %w", err)
	}
	return v, nil
}

// inTx runs fn in a transaction and commits it, or rolls it back when fn
// fails. Errors are wrapped as "sqlstore: op: …".
func (s *Store) inTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.begin(ctx)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: %s: commit: %w", op, err)
	}
	return nil
}
