package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// apiKeyStore keeps API keys in gh_api_keys, keyed by key_hash (the store
// never sees a key itself), with id unique beside it. Expired keys are
// kept and returned as they are: the session manager refuses them.
type apiKeyStore struct{ s *Store }

const apiKeyColumns = "key_hash, id, user_id, name, roles_json, created_us, expires_us, last_used_us, epoch, revoked"

func scanAPIKey(row interface{ Scan(...any) error }) (storage.APIKey, error) {
	var (
		k                      storage.APIKey
		roles                  string
		created, expires, used int64
	)
	if err := row.Scan(&k.KeyHash, &k.ID, &k.UserID, &k.Name, &roles, &created, &expires, &used, &k.Epoch, &k.Revoked); err != nil {
		return storage.APIKey{}, err
	}
	if err := json.Unmarshal([]byte(roles), &k.Roles); err != nil {
		return storage.APIKey{}, fmt.Errorf("roles: %w", err)
	}
	if len(k.Roles) == 0 {
		k.Roles = nil
	}
	k.CreatedAt, k.ExpiresAt = fromUS(created), fromUS(expires)
	if used != 0 {
		k.LastUsedAt = fromUS(used)
	}
	return k, nil
}

func (ks *apiKeyStore) CreateAPIKey(ctx context.Context, k storage.APIKey) error {
	s := ks.s
	if err := checkCtx(ctx, "create api key"); err != nil {
		return err
	}
	if k.ID == "" || k.KeyHash == "" || k.UserID == "" {
		return fmt.Errorf("sqlstore: create api key: empty id, key hash or user id: %w", storage.ErrInvalid)
	}
	roles := k.Roles
	if roles == nil {
		roles = []string{}
	}
	body, err := json.Marshal(roles)
	if err != nil {
		return fmt.Errorf("sqlstore: create api key: %w", err)
	}
	var used int64
	if !k.LastUsedAt.IsZero() {
		used = toUS(k.LastUsedAt)
	}
	_, err = s.db.ExecContext(ctx, s.q(`INSERT INTO gh_api_keys (`+apiKeyColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`),
		k.KeyHash, k.ID, k.UserID, k.Name, string(body), toUS(k.CreatedAt), toUS(k.ExpiresAt), used, k.Epoch, k.Revoked)
	if isUniqueViolation(err) {
		return fmt.Errorf("sqlstore: create api key: id or key hash in use: %w", storage.ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("sqlstore: create api key: %w", err)
	}
	return nil
}

func (ks *apiKeyStore) GetAPIKey(ctx context.Context, keyHash string) (storage.APIKey, error) {
	s := ks.s
	if err := checkCtx(ctx, "get api key"); err != nil {
		return storage.APIKey{}, err
	}
	k, err := scanAPIKey(s.db.QueryRowContext(ctx, s.q(`SELECT `+apiKeyColumns+` FROM gh_api_keys WHERE key_hash = $1`), keyHash))
	if errors.Is(err, sql.ErrNoRows) {
		return storage.APIKey{}, fmt.Errorf("sqlstore: api key: %w", storage.ErrNotFound)
	}
	if err != nil {
		return storage.APIKey{}, fmt.Errorf("sqlstore: api key: %w", err)
	}
	return k, nil
}

func (ks *apiKeyStore) ListAPIKeys(ctx context.Context, userID string) ([]storage.APIKey, error) {
	s := ks.s
	if err := checkCtx(ctx, "list api keys"); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+apiKeyColumns+` FROM gh_api_keys
		WHERE user_id = $1 ORDER BY created_us, id`), userID)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: list api keys: %w", err)
	}
	defer rows.Close()
	out := []storage.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: list api keys: %w", err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlstore: list api keys: %w", err)
	}
	return out, nil
}

// update runs an UPDATE of one key and maps "no row" to ErrNotFound.
func (ks *apiKeyStore) update(ctx context.Context, op, query string, args ...any) error {
	s := ks.s
	if err := checkCtx(ctx, op); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("sqlstore: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

func (ks *apiKeyStore) RevokeAPIKey(ctx context.Context, userID, id string) error {
	return ks.update(ctx, "revoke api key", `UPDATE gh_api_keys SET revoked = $3
		WHERE id = $1 AND user_id = $2`, id, userID, true)
}

func (ks *apiKeyStore) TouchAPIKey(ctx context.Context, keyHash string, lastUsed time.Time) error {
	return ks.update(ctx, "touch api key", `UPDATE gh_api_keys
		SET last_used_us = CASE WHEN last_used_us < $2 THEN $2 ELSE last_used_us END
		WHERE key_hash = $1`, keyHash, toUS(lastUsed))
}
