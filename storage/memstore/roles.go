package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
)

// roleStore keeps roles by code.
type roleStore struct {
	s       *Store
	mu      sync.RWMutex
	roles   map[string]permissions.Role
	version int64 // bumped by every put and delete
}

func (rs *roleStore) PutRole(ctx context.Context, r permissions.Role) error {
	if err := rs.s.check(ctx); err != nil {
		return err
	}
	if r.Code == "" {
		return fmt.Errorf("memstore: put role: empty code: %w", storage.ErrInvalid)
	}
	r = r.Clone()
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.roles == nil {
		rs.roles = make(map[string]permissions.Role)
	}
	rs.roles[r.Code] = r
	rs.version++
	rs.s.feed.publish(storage.Change{Kind: storage.ChangePolicy})
	return nil
}

func (rs *roleStore) GetRole(ctx context.Context, code string) (permissions.Role, error) {
	if err := rs.s.check(ctx); err != nil {
		return permissions.Role{}, err
	}
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	r, ok := rs.roles[code]
	if !ok {
		return permissions.Role{}, fmt.Errorf("memstore: role %q: %w", code, storage.ErrNotFound)
	}
	return r.Clone(), nil
}

func (rs *roleStore) ListRoles(ctx context.Context) ([]permissions.Role, error) {
	if err := rs.s.check(ctx); err != nil {
		return nil, err
	}
	rs.mu.RLock()
	out := make([]permissions.Role, 0, len(rs.roles))
	for _, r := range rs.roles {
		out = append(out, r.Clone())
	}
	rs.mu.RUnlock()
	slices.SortFunc(out, func(a, b permissions.Role) int { return cmp.Compare(a.Code, b.Code) })
	return out, nil
}

func (rs *roleStore) DeleteRole(ctx context.Context, code string) error {
	if err := rs.s.check(ctx); err != nil {
		return err
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if _, ok := rs.roles[code]; !ok {
		return fmt.Errorf("memstore: delete role %q: %w", code, storage.ErrNotFound)
	}
	delete(rs.roles, code)
	rs.version++
	rs.s.feed.publish(storage.Change{Kind: storage.ChangePolicy})
	return nil
}

func (rs *roleStore) PolicyVersion(ctx context.Context) (int64, error) {
	if err := rs.s.check(ctx); err != nil {
		return 0, err
	}
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	return rs.version, nil
}
