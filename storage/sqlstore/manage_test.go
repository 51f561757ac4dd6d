package sqlstore_test

import (
	"context"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/manage/managetest"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
)

// manageStores returns, per backend, a function that opens a fresh store
// on it, closed when the test ends.
func manageStores() map[string]func(t *testing.T) storage.Store {
	return map[string]func(t *testing.T) storage.Store{
		"memstore": func(t *testing.T) storage.Store {
			s := memstore.New(memstore.Config{})
			t.Cleanup(func() { s.Close() })
			return s
		},
		"sqlite": func(t *testing.T) storage.Store { return open(t, sqliteDSN(t), sqlstore.Config{}) },
		"postgres": func(t *testing.T) storage.Store {
			return open(t, freshSchema(t, postgresDSN(t)), sqlstore.Config{})
		},
		"postgres+redis": func(t *testing.T) storage.Store {
			db := open(t, freshSchema(t, postgresDSN(t)), sqlstore.Config{})
			c, prefix := redisClient(t)
			hot := redisstore.New(c, redisstore.Config{Prefix: prefix})
			s := storage.Compose(db, storage.Parts{
				Sessions: hot.Sessions(), Counters: hot.Counters(), Backends: []storage.Backend{hot},
			})
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

// The Go API of package manage behaves alike on every store.
func TestManageScenario(t *testing.T) {
	for name, store := range manageStores() {
		t.Run(name, func(t *testing.T) {
			managetest.Run(t, func(t *testing.T) *gatehouse.Gatehouse {
				g, err := gatehouse.New(gatehouse.Config{
					Store:   store(t),
					Logger:  slog.New(slog.DiscardHandler),
					Session: session.Config{Hasher: plainHasher},
				})
				require.NoError(t, err)
				t.Cleanup(func() { g.Close() })
				return g
			})
		})
	}
}

// An administrator's password reset, a revocation or a block through one
// instance's manage API ends the user's tokens on the other instance at
// its next request.
func TestInstancesManageEndsTokensEverywhere(t *testing.T) {
	forEachDeployment(t, session.Limit{}, func(t *testing.T, c cluster) {
		ctx := context.Background()
		alice := c.addUser(t, "alice")
		m := c.a.g.Manage()

		tok := c.b.token(t, "alice", "password1")
		require.Equal(t, http.StatusOK, c.b.status(t, tok))
		require.NoError(t, m.SetPassword(ctx, manage.System, alice.ID, "password-reset-1"))
		assert.Equal(t, http.StatusUnauthorized, c.b.status(t, tok), "B still accepts the token after A's password reset")
		assert.False(t, c.b.valid(t, tok))
		assert.Equal(t, http.StatusUnauthorized, c.b.login(t, "alice", "password1").Code, "the old password logs in on B")

		tok = c.b.token(t, "alice", "password-reset-1")
		other := c.b.token(t, "alice", "password-reset-1")
		ss, err := m.Sessions(ctx, manage.System, alice.ID)
		require.NoError(t, err)
		require.Len(t, ss, 2, "A lists the sessions opened on B")
		a, err := c.a.g.Sessions().Authenticate(ctx, session.Credential{Bearer: other})
		require.NoError(t, err)
		n, err := m.RevokeOtherSessions(ctx, a, session.Client{})
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, http.StatusUnauthorized, c.b.status(t, tok), "B accepts a session A revoked")
		assert.Equal(t, http.StatusOK, c.b.status(t, other))

		_, err = m.Block(ctx, manage.System, alice.ID)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, c.b.status(t, other), "B accepts a user A blocked")
	})
}
