package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// apiKeyStore keeps API keys by KeyHash, with an index by ID. Expired keys
// are kept and returned as they are (the session manager refuses them).
type apiKeyStore struct {
	s    *Store
	mu   sync.RWMutex
	keys map[string]storage.APIKey // by KeyHash
	ids  map[string]string         // ID → KeyHash
}

func (ks *apiKeyStore) CreateAPIKey(ctx context.Context, k storage.APIKey) error {
	if err := ks.s.check(ctx); err != nil {
		return err
	}
	if k.ID == "" || k.KeyHash == "" || k.UserID == "" {
		return fmt.Errorf("memstore: create api key: empty id, key hash or user id: %w", storage.ErrInvalid)
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	if _, ok := ks.keys[k.KeyHash]; ok {
		return fmt.Errorf("memstore: create api key: key hash in use: %w", storage.ErrConflict)
	}
	if _, ok := ks.ids[k.ID]; ok {
		return fmt.Errorf("memstore: create api key: id in use: %w", storage.ErrConflict)
	}
	if ks.keys == nil {
		ks.keys, ks.ids = make(map[string]storage.APIKey), make(map[string]string)
	}
	ks.keys[k.KeyHash] = k.Clone()
	ks.ids[k.ID] = k.KeyHash
	return nil
}

func (ks *apiKeyStore) GetAPIKey(ctx context.Context, keyHash string) (storage.APIKey, error) {
	if err := ks.s.check(ctx); err != nil {
		return storage.APIKey{}, err
	}
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	k, ok := ks.keys[keyHash]
	if !ok {
		return storage.APIKey{}, fmt.Errorf("memstore: api key: %w", storage.ErrNotFound)
	}
	return k.Clone(), nil
}

func (ks *apiKeyStore) ListAPIKeys(ctx context.Context, userID string) ([]storage.APIKey, error) {
	if err := ks.s.check(ctx); err != nil {
		return nil, err
	}
	ks.mu.RLock()
	defer ks.mu.RUnlock()
	out := []storage.APIKey{}
	for _, k := range ks.keys {
		if k.UserID == userID {
			out = append(out, k.Clone())
		}
	}
	slices.SortFunc(out, func(a, b storage.APIKey) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (ks *apiKeyStore) RevokeAPIKey(ctx context.Context, userID, id string) error {
	if err := ks.s.check(ctx); err != nil {
		return err
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	h, ok := ks.ids[id]
	if !ok || ks.keys[h].UserID != userID {
		return fmt.Errorf("memstore: revoke api key: %w", storage.ErrNotFound)
	}
	k := ks.keys[h]
	k.Revoked = true
	ks.keys[h] = k
	return nil
}

func (ks *apiKeyStore) TouchAPIKey(ctx context.Context, keyHash string, lastUsed time.Time) error {
	if err := ks.s.check(ctx); err != nil {
		return err
	}
	ks.mu.Lock()
	defer ks.mu.Unlock()
	k, ok := ks.keys[keyHash]
	if !ok {
		return fmt.Errorf("memstore: touch api key: %w", storage.ErrNotFound)
	}
	if lastUsed.After(k.LastUsedAt) {
		k.LastUsedAt = lastUsed
		ks.keys[keyHash] = k
	}
	return nil
}
