package storagetest_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/storagetest"
)

// The checks of the versions the authenticating reads return must fail a
// store whose ReadAuth or ReadUserAuth returns a version captured once:
// a cache keyed on it would never see a role or parameter change.

const (
	authVersionsCheck     = "authread/a store that reads auth should move the versions with every role, parameter and schema change, as the plain calls read them"
	userAuthVersionsCheck = "authread/a store that reads users for auth should move the versions with every role, parameter and schema change, as the plain calls read them"
)

func TestSuiteCatchesFrozenAuthVersions(t *testing.T) {
	cases := []struct {
		name  string
		store func(*memstore.Store) storage.Store
		fails []string
	}{
		{
			name:  "ReadUserAuth freezes Policy",
			store: func(s *memstore.Store) storage.Store { return &frozenUserAuth{Store: s, f: freezer{policy: true}} },
			fails: []string{userAuthVersionsCheck},
		},
		{
			name:  "ReadUserAuth freezes Parameters",
			store: func(s *memstore.Store) storage.Store { return &frozenUserAuth{Store: s, f: freezer{params: true}} },
			fails: []string{userAuthVersionsCheck},
		},
		{
			// ReadUserAuth is right, and disagrees with ReadAuth.
			name:  "ReadAuth freezes Policy",
			store: func(s *memstore.Store) storage.Store { return &frozenAuth{Store: s, f: freezer{policy: true}} },
			fails: []string{authVersionsCheck, userAuthVersionsCheck},
		},
		{
			name:  "ReadAuth freezes Parameters",
			store: func(s *memstore.Store) storage.Store { return &frozenAuth{Store: s, f: freezer{params: true}} },
			fails: []string{authVersionsCheck, userAuthVersionsCheck},
		},
		{
			// Only ReadUserAuth: the Parameters version has no plain call
			// and no ReadAuth to be compared with, and must still move.
			name: "ReadUserAuth alone freezes Parameters",
			store: func(s *memstore.Store) storage.Store {
				return &onlyUserAuth{Store: s, r: &frozenUserAuth{Store: s, f: freezer{params: true}}}
			},
			fails: []string{userAuthVersionsCheck},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			err := storagetest.CheckClocked(func(now func() time.Time) storage.Store {
				return c.store(memstore.New(memstore.Config{Now: now}))
			})
			require.Error(t, err, "the suite passed a store with frozen versions")
			require.ElementsMatch(t, c.fails, failedChecks(t, err), "failed checks; the failures:\n%v", err)
		})
	}
}

// freezer replaces the versions it is given by the first ones it was
// given: Policy, Parameters or both.
type freezer struct {
	policy, params bool
	mu             sync.Mutex
	frozen         *storage.Versions
}

func (f *freezer) freeze(v storage.Versions) storage.Versions {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.frozen == nil {
		f.frozen = &v
	}
	if f.policy {
		v.Policy = f.frozen.Policy
	}
	if f.params {
		v.Parameters = f.frozen.Parameters
	}
	return v
}

// frozenUserAuth is a memstore whose ReadUserAuth returns versions
// captured at its first read of a user.
type frozenUserAuth struct {
	*memstore.Store
	f freezer
}

func (s *frozenUserAuth) ReadUserAuth(ctx context.Context, userID string) (storage.UserAuthRead, error) {
	a, err := s.Store.ReadUserAuth(ctx, userID)
	if err == nil && a.UserFound {
		a.Versions = s.f.freeze(a.Versions)
	}
	return a, err
}

// frozenAuth is a memstore whose ReadAuth returns versions captured at its
// first read of a session with its user.
type frozenAuth struct {
	*memstore.Store
	f freezer
}

func (s *frozenAuth) ReadAuth(ctx context.Context, idHash string) (storage.AuthRead, error) {
	a, err := s.Store.ReadAuth(ctx, idHash)
	if err == nil && a.UserFound {
		a.Versions = s.f.freeze(a.Versions)
	}
	return a, err
}

// onlyUserAuth is a memstore that does not serve ReadAuth, and serves
// ReadUserAuth with r.
type onlyUserAuth struct {
	*memstore.Store
	r storage.UserAuthReader
}

func (s *onlyUserAuth) ReadAuth(context.Context, string) (storage.AuthRead, error) {
	return storage.AuthRead{}, errors.ErrUnsupported
}

func (s *onlyUserAuth) ReadUserAuth(ctx context.Context, userID string) (storage.UserAuthRead, error) {
	return s.r.ReadUserAuth(ctx, userID)
}
