package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gatehouse-go/gatehouse/storage"
)

// paramStore keeps the system session parameters and the schema.
type paramStore struct {
	s      *Store
	mu     sync.RWMutex
	params map[string]storage.Parameter
	schema storage.Schema
	// version is storage.Versions.Parameters: bumped by every put and
	// delete of a parameter and every PutSchema, under mu.
	version int64
}

func (ps *paramStore) PutParameter(ctx context.Context, p storage.Parameter) error {
	if err := ps.s.check(ctx); err != nil {
		return err
	}
	if p.Code == "" {
		return fmt.Errorf("memstore: put parameter: empty code: %w", storage.ErrInvalid)
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.params == nil {
		ps.params = make(map[string]storage.Parameter)
	}
	ps.params[p.Code] = p
	ps.version++
	ps.s.feed.publish(storage.Change{Kind: storage.ChangeParameters})
	return nil
}

func (ps *paramStore) ListParameters(ctx context.Context) ([]storage.Parameter, error) {
	if err := ps.s.check(ctx); err != nil {
		return nil, err
	}
	ps.mu.RLock()
	out := make([]storage.Parameter, 0, len(ps.params))
	for _, p := range ps.params {
		out = append(out, p)
	}
	ps.mu.RUnlock()
	slices.SortFunc(out, func(a, b storage.Parameter) int { return cmp.Compare(a.Code, b.Code) })
	return out, nil
}

func (ps *paramStore) DeleteParameter(ctx context.Context, code string) error {
	if err := ps.s.check(ctx); err != nil {
		return err
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if _, ok := ps.params[code]; !ok {
		return fmt.Errorf("memstore: delete parameter %q: %w", code, storage.ErrNotFound)
	}
	delete(ps.params, code)
	ps.version++
	ps.s.feed.publish(storage.Change{Kind: storage.ChangeParameters})
	return nil
}

func (ps *paramStore) PutSchema(ctx context.Context, s storage.Schema) error {
	if err := ps.s.check(ctx); err != nil {
		return err
	}
	s = s.Clone()
	ps.mu.Lock()
	defer ps.mu.Unlock()
	ps.schema = s
	ps.version++
	ps.s.feed.publish(storage.Change{Kind: storage.ChangeParameters})
	return nil
}

func (ps *paramStore) GetSchema(ctx context.Context) (storage.Schema, error) {
	if err := ps.s.check(ctx); err != nil {
		return nil, err
	}
	ps.mu.RLock()
	defer ps.mu.RUnlock()
	if ps.schema == nil {
		return storage.Schema{}, nil
	}
	return ps.schema.Clone(), nil
}
