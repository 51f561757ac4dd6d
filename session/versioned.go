package session

import (
	"context"
	"slices"
	"sync/atomic"

	"github.com/gatehouse-go/gatehouse/storage"
)

// versionedCache holds one value read from the store under the store's
// parameters version (storage.Versions.Parameters).
type versionedCache[T any] struct {
	p atomic.Pointer[versioned[T]]
}

type versioned[T any] struct {
	version int64
	value   T
}

// get returns the value cached under version, if any.
func (c *versionedCache[T]) get(version int64) (T, bool) {
	if p := c.p.Load(); p != nil && p.version == version {
		return p.value, true
	}
	var zero T
	return zero, false
}

// put keeps value under version unless a later version is already kept.
// value must have been read after version was: it then reflects at least
// every change that version counts (see storage.Versions), so it is never
// older than its version says.
func (c *versionedCache[T]) put(version int64, value T) {
	next := &versioned[T]{version: version, value: value}
	for {
		old := c.p.Load()
		if old != nil && old.version >= version {
			return
		}
		if c.p.CompareAndSwap(old, next) {
			return
		}
	}
}

// Parameters returns the system session parameters
// (storage.ParameterStore.ListParameters, ordered by Code) for a request
// authenticated as a. When a's authenticating read returned the store's
// versions (a store that implements storage.AuthReader), the list is read
// under its parameters version: read once per version and kept, so that
// while no parameter changes it costs no round trip, and a change made by
// any process sharing the store is seen on the next request, whose
// authenticating read returns the new version. Otherwise it is read from
// the store. The caller may change the slice it gets. A storage error
// wraps ErrStore.
func (m *Manager) Parameters(ctx context.Context, a *Auth) ([]storage.Parameter, error) {
	if a != nil && a.versioned {
		if p, ok := m.params.get(a.versions.Parameters); ok {
			return slices.Clone(p), nil
		}
	}
	p, err := m.store.Parameters().ListParameters(ctx)
	if err != nil {
		return nil, storeErr("list parameters", err)
	}
	if a != nil && a.versioned {
		m.params.put(a.versions.Parameters, slices.Clone(p))
	}
	return p, nil
}

// Schema returns the application schema (storage.ParameterStore.GetSchema)
// for a request authenticated as a, read under a's parameters version as
// [Manager.Parameters] reads the parameters. The caller may change what
// it gets. A storage error wraps ErrStore.
func (m *Manager) Schema(ctx context.Context, a *Auth) (storage.Schema, error) {
	if a != nil && a.versioned {
		if s, ok := m.schema.get(a.versions.Parameters); ok {
			return s.Clone(), nil
		}
	}
	s, err := m.store.Parameters().GetSchema(ctx)
	if err != nil {
		return nil, storeErr("get schema", err)
	}
	if a != nil && a.versioned {
		m.schema.put(a.versions.Parameters, s.Clone())
	}
	return s, nil
}
