package storage_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/storagetest"
	"github.com/gatehouse-go/gatehouse/user"
)

// A store composed of two memstores passes the suite: each concern reaches
// the store it was given to.
func TestComposeConformance(t *testing.T) {
	storagetest.RunClocked(t, func(t *testing.T, now func() time.Time) storage.Store {
		base := memstore.New(memstore.Config{Now: now})
		hot := memstore.New(memstore.Config{Now: now})
		s := storage.Compose(base, storage.Parts{
			Sessions: hot.Sessions(), Counters: hot.Counters(), Backends: []storage.Backend{hot},
		})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestComposeRoutesEachConcern(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		name  string
		parts func(o storage.Store) storage.Parts
		write func(s storage.Store) error
		read  func(s storage.Store) error
	}{
		{"users", func(o storage.Store) storage.Parts { return storage.Parts{Users: o.Users()} },
			func(s storage.Store) error {
				_, err := s.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice"})
				return err
			},
			func(s storage.Store) error { _, err := s.Users().GetUser(ctx, "u1"); return err }},
		{"roles", func(o storage.Store) storage.Parts { return storage.Parts{Roles: o.Roles()} },
			func(s storage.Store) error { return s.Roles().PutRole(ctx, permissions.Role{Code: "r"}) },
			func(s storage.Store) error { _, err := s.Roles().GetRole(ctx, "r"); return err }},
		{"parameters", func(o storage.Store) storage.Parts { return storage.Parts{Parameters: o.Parameters()} },
			func(s storage.Store) error { return s.Parameters().PutParameter(ctx, storage.Parameter{Code: "p"}) },
			func(s storage.Store) error {
				ps, err := s.Parameters().ListParameters(ctx)
				if err == nil && len(ps) == 0 {
					err = storage.ErrNotFound
				}
				return err
			}},
		{"sessions", func(o storage.Store) storage.Parts { return storage.Parts{Sessions: o.Sessions()} },
			func(s storage.Store) error {
				return s.Sessions().CreateSession(ctx, storage.Session{IDHash: "h", UserID: "u1", ExpiresAt: time.Now().Add(time.Hour)})
			},
			func(s storage.Store) error { _, err := s.Sessions().GetSession(ctx, "h"); return err }},
		{"audit", func(o storage.Store) storage.Parts { return storage.Parts{Audit: o.Audit()} },
			func(s storage.Store) error { return s.Audit().AppendAudit(ctx, storage.AuditRecord{TraceCode: "t"}) },
			func(s storage.Store) error { _, err := s.Audit().GetAudit(ctx, "t"); return err }},
		{"counters", func(o storage.Store) storage.Parts { return storage.Parts{Counters: o.Counters()} },
			func(s storage.Store) error { _, err := s.Counters().Increment(ctx, "k", 1, time.Hour); return err },
			func(s storage.Store) error { _, _, err := s.Counters().Counter(ctx, "k"); return err }},
		{"api keys", func(o storage.Store) storage.Parts { return storage.Parts{APIKeys: o.APIKeys()} },
			func(s storage.Store) error {
				return s.APIKeys().CreateAPIKey(ctx, storage.APIKey{ID: "k1", KeyHash: "h", UserID: "u1"})
			},
			func(s storage.Store) error { _, err := s.APIKeys().GetAPIKey(ctx, "h"); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, other := memstore.New(memstore.Config{}), memstore.New(memstore.Config{})
			c := storage.Compose(base, tc.parts(other))
			require.NoError(t, tc.write(c))
			require.NoError(t, tc.read(other), "the override did not get the write")
			require.ErrorIs(t, tc.read(base), storage.ErrNotFound, "the base got a write meant for the override")
			require.NoError(t, tc.read(c))
		})
	}
}

// failing is a Backend whose Ping and Close fail.
type failing struct{ closed bool }

var errDown = errors.New("down")

func (f *failing) Ping(context.Context) error { return errDown }
func (f *failing) Close() error               { f.closed = true; return errDown }

func TestComposePingAndCloseReachEveryBackend(t *testing.T) {
	base := memstore.New(memstore.Config{})
	f := &failing{}
	c := storage.Compose(base, storage.Parts{Backends: []storage.Backend{f}})
	require.ErrorIs(t, c.Ping(t.Context()), errDown, "a failing backend must fail Ping")
	require.ErrorIs(t, c.Close(), errDown)
	require.True(t, f.closed, "Close did not close the backend")
	require.ErrorIs(t, base.Ping(t.Context()), memstore.ErrClosed, "Close did not close the base")

	ok := storage.Compose(memstore.New(memstore.Config{}), storage.Parts{})
	require.NoError(t, ok.Ping(t.Context()))
	require.NoError(t, ok.Close())
}
