package session_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
)

// countingStore is a memory store that counts ListRoles.
type countingStore struct {
	*memstore.Store
	roles *countingRoles
}

type countingRoles struct {
	storage.RoleStore
	lists atomic.Int32
}

func (c *countingRoles) ListRoles(ctx context.Context) ([]permissions.Role, error) {
	c.lists.Add(1)
	return c.RoleStore.ListRoles(ctx)
}

func (c countingStore) Roles() storage.RoleStore { return c.roles }

// A user holding a role the store does not know costs one ListRoles per
// policy version, not one per request (found in review of the hot path).
func TestUnknownRolesListedOncePerVersion(t *testing.T) {
	f := newFixture(t, session.Config{})
	st := countingStore{Store: f.store, roles: &countingRoles{RoleStore: f.store.Roles()}}
	m, err := session.New(st, f.keys, session.Config{Now: f.clock.Now, Hasher: fastHasher})
	require.NoError(t, err)
	require.NoError(t, st.Roles().PutRole(ctx, permissions.Role{Code: "viewer", Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}}}))
	f.addUser(t, "alice", "password1", func(u *user.User) { u.Roles = []string{"ghost", "viewer"} })
	res, err := m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	auth := func() *session.Auth {
		t.Helper()
		a, err := m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
		require.NoError(t, err)
		return a
	}
	auth()
	before := st.roles.lists.Load()
	for range 5 {
		assert.True(t, auth().Set.Can("Customer", permissions.OpRead))
	}
	assert.Equal(t, before, st.roles.lists.Load(), "every request listed the roles again")

	// A role change moves the version: the ghost role, now defined, grants.
	require.NoError(t, st.Roles().PutRole(ctx, permissions.Role{Code: "ghost", Entities: map[string][]permissions.Op{"Customer": {permissions.OpDelete}}}))
	assert.True(t, auth().Set.Can("Customer", permissions.OpDelete), "a role defined later was still dropped")
}
