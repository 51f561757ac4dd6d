package manage_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/manage/managetest"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
)

// hookStore is a memstore whose UpdateUser answers what update says
// (nil: the store's answer).
type hookStore struct {
	storage.Store
	update func(n int64) error
	calls  atomic.Int64
}

func (s *hookStore) Users() storage.UserStore { return hookUsers{s.Store.Users(), s} }

type hookUsers struct {
	storage.UserStore
	s *hookStore
}

func (u hookUsers) UpdateUser(ctx context.Context, nu user.User) (user.User, error) {
	if u.s.update != nil {
		if err := u.s.update(u.s.calls.Add(1)); err != nil {
			return user.User{}, err
		}
	}
	return u.UserStore.UpdateUser(ctx, nu)
}

func newHooked(t *testing.T) (*gatehouse.Gatehouse, *hookStore) {
	t.Helper()
	hs := &hookStore{Store: memstore.New(memstore.Config{})}
	g, err := gatehouse.New(gatehouse.Config{
		Store:   hs,
		Logger:  slog.New(slog.DiscardHandler),
		Session: session.Config{Hasher: gatehousetest.Hasher()},
	})
	require.NoError(t, err)
	t.Cleanup(func() { g.Close(); hs.Close() })
	return g, hs
}

// A store that fails makes every change fail with an error that is none
// of the decisions (a caller answers 500), and changes nothing.
func TestStoreFailureFailsClosed(t *testing.T) {
	ctx := context.Background()
	g, hs := newHooked(t)
	m := g.Manage()
	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Password: "password-1", Company: acme})
	require.NoError(t, err)
	res := managetest.Login(t, g, "alice", "password-1")
	down := errors.New("store down")
	hs.update = func(int64) error { return down }

	ops := map[string]func() error{
		"SetPassword": func() error { return m.SetPassword(ctx, manage.System, u.ID, "password-2") },
		"Block": func() error {
			_, err := m.Block(ctx, manage.System, u.ID)
			return err
		},
		"UpdateUser": func() error {
			_, err := m.UpdateUser(ctx, manage.System, u.ID, func(u *user.User) error { u.Name = "New Name"; return nil })
			return err
		},
		"RevokeSessions": func() error {
			_, err := m.RevokeSessions(ctx, manage.System, u.ID)
			return err
		},
	}
	for name, op := range ops {
		err := op()
		require.ErrorIs(t, err, down, name)
		for _, decision := range []error{manage.ErrNotFound, manage.ErrConflict, manage.ErrForbidden, manage.ErrInvalid} {
			assert.NotErrorIs(t, err, decision, name)
		}
	}
	hs.update = nil
	stored, err := g.Store().Users().GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u.Version, stored.Version, "a failed change wrote something")
	_, err = g.Sessions().Login(ctx, session.LoginRequest{Username: "alice", Password: "password-1"})
	require.NoError(t, err, "the password changed")
	_, err = managetest.Authenticate(g, res)
	// RevokeSessions revokes the live sessions before it bumps the epoch.
	require.ErrorIs(t, err, session.ErrUnauthenticated)
}

// A version conflict is retried; a conflict on every attempt is
// ErrConflict and writes nothing.
func TestSetPasswordRetriesConflicts(t *testing.T) {
	ctx := context.Background()
	g, hs := newHooked(t)
	m := g.Manage()
	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "alice", Password: "password-1", Company: acme})
	require.NoError(t, err)

	hs.update = func(n int64) error {
		if n == 1 {
			return storage.ErrConflict
		}
		return nil
	}
	require.NoError(t, m.SetPassword(ctx, manage.System, u.ID, "password-2"))
	managetest.Login(t, g, "alice", "password-2")

	hs.calls.Store(0)
	hs.update = func(int64) error { return storage.ErrConflict }
	require.ErrorIs(t, m.SetPassword(ctx, manage.System, u.ID, "password-3"), manage.ErrConflict)
	assert.Equal(t, int64(manage.UpdateAttempts), hs.calls.Load())
	_, err = m.Block(ctx, manage.System, u.ID)
	require.ErrorIs(t, err, manage.ErrConflict)
	hs.update = nil
	managetest.Login(t, g, "alice", "password-2")
}
