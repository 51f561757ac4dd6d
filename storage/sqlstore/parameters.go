package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gatehouse-go/gatehouse/storage"
)

// paramStore keeps parameters in gh_parameters (from_data_file holds
// Parameter.FromDataFile) and the schema as one JSON
// document in the single row of gh_app_schema; every change bumps
// gh_policy.parameters_version (storage.Versions.Parameters) in its own
// transaction.
type paramStore struct{ s *Store }

func bumpParameters(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, "UPDATE gh_policy SET parameters_version = parameters_version + 1 WHERE id = 1")
	return err
}

func (ps *paramStore) PutParameter(ctx context.Context, p storage.Parameter) error {
	s := ps.s
	if err := checkCtx(ctx, "put parameter"); err != nil {
		return err
	}
	if p.Code == "" {
		return fmt.Errorf("sqlstore: put parameter: empty code: %w", storage.ErrInvalid)
	}
	return s.inTx(ctx, "put parameter "+p.Code, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO gh_parameters (code, title, value, from_data_file) VALUES ($1, $2, $3, $4)
			ON CONFLICT (code) DO UPDATE SET title = excluded.title, value = excluded.value, from_data_file = excluded.from_data_file`),
			p.Code, p.Title, p.Value, p.FromDataFile); err != nil {
			return err
		}
		return bumpParameters(ctx, tx)
	})
}

func (ps *paramStore) ListParameters(ctx context.Context) ([]storage.Parameter, error) {
	s := ps.s
	if err := checkCtx(ctx, "list parameters"); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT code, title, value, from_data_file FROM gh_parameters ORDER BY code")
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list parameters: %w", err)
	}
	defer rows.Close()
	var out []storage.Parameter
	for rows.Next() {
		var p storage.Parameter
		if err := rows.Scan(&p.Code, &p.Title, &p.Value, &p.FromDataFile); err != nil {
			return nil, fmt.Errorf("sqlstore: list parameters: %w", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list parameters: %w", err)
	}
	return out, nil
}

func (ps *paramStore) DeleteParameter(ctx context.Context, code string) error {
	s := ps.s
	if err := checkCtx(ctx, "delete parameter"); err != nil {
		return err
	}
	return s.inTx(ctx, "delete parameter "+code, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q("DELETE FROM gh_parameters WHERE code = $1"), code)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return storage.ErrNotFound
		}
		return bumpParameters(ctx, tx)
	})
}

func (ps *paramStore) PutSchema(ctx context.Context, sc storage.Schema) error {
	s := ps.s
	if err := checkCtx(ctx, "put schema"); err != nil {
		return err
	}
	if sc == nil {
		sc = storage.Schema{}
	}
	body, err := json.Marshal(sc)
	if err != nil {
		return fmt.Errorf("sqlstore: put schema: %w", err)
	}
	return s.inTx(ctx, "put schema", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO gh_app_schema (id, body) VALUES (1, $1)
			ON CONFLICT (id) DO UPDATE SET body = excluded.body`), string(body)); err != nil {
			return err
		}
		return bumpParameters(ctx, tx)
	})
}

func (ps *paramStore) GetSchema(ctx context.Context) (storage.Schema, error) {
	s := ps.s
	if err := checkCtx(ctx, "get schema"); err != nil {
		return nil, err
	}
	var body string
	err := s.db.QueryRowContext(ctx, "SELECT body FROM gh_app_schema WHERE id = 1").Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.Schema{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sqlstore: get schema: %w", err)
	}
	sc := storage.Schema{}
	if err := json.Unmarshal([]byte(body), &sc); err != nil {
		return nil, fmt.Errorf("sqlstore: get schema: decode: %w", err)
	}
	return sc, nil
}
