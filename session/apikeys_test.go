package session_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// keyFixture is a fixture with ann (roles sales and viewer) and a key of
// hers made from a live session.
func keyFixture(t *testing.T, cfg session.Config, req session.APIKeyRequest) (*fixture, *session.NewAPIKey) {
	t.Helper()
	f := newFixture(t, cfg)
	ctx := context.Background()
	for _, code := range []string{"sales", "viewer"} {
		require.NoError(t, f.store.Roles().PutRole(ctx, rolesFor(code)))
	}
	f.addUser(t, "ann", "ann-password", func(u *user.User) { u.Roles = []string{"sales", "viewer"} })
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "ann", Password: "ann-password"})
	require.NoError(t, err)
	a, err := f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.NoError(t, err)
	if req.Name == "" {
		req.Name = "ci"
	}
	k, err := f.m.CreateAPIKey(ctx, a, req, session.Client{IP: "192.0.2.1"})
	require.NoError(t, err)
	return f, k
}

func TestAPIKeyAuthenticate(t *testing.T) {
	f, k := keyFixture(t, session.Config{}, session.APIKeyRequest{Roles: []string{"viewer"}})
	require.True(t, strings.HasPrefix(k.Key, session.APIKeyPrefix))
	a, err := f.m.Authenticate(context.Background(), session.Credential{APIKey: k.Key, ClientIP: "192.0.2.1"})
	require.NoError(t, err)
	require.NotNil(t, a.APIKey)
	assert.False(t, a.ViaCookie(), "a key is not ambient")
	assert.Equal(t, []string{"viewer"}, a.User.Roles, "narrowed")
	assert.Empty(t, a.APIKey.KeyHash, "no key material in the Auth")
	assert.Empty(t, a.Session.IDHash, "no session to log out")

	// A key presented as a JWT, or a JWT as a key, authenticates nobody.
	_, err = f.m.Authenticate(context.Background(), session.Credential{Bearer: k.Key})
	assert.ErrorIs(t, err, session.ErrUnauthenticated)
	// A key with its last character changed is unknown.
	last := k.Key[len(k.Key)-1]
	other := byte('A')
	if last == 'A' {
		other = 'Q'
	}
	_, err = f.m.Authenticate(context.Background(), session.Credential{APIKey: k.Key[:len(k.Key)-1] + string(other)})
	assert.ErrorIs(t, err, session.ErrUnauthenticated)
}

func TestAPIKeyAdminNarrowedIsNoAdmin(t *testing.T) {
	f := newFixture(t, session.Config{})
	ctx := context.Background()
	require.NoError(t, f.store.Roles().PutRole(ctx, rolesFor("viewer")))
	f.addUser(t, "ada", "ada-password", func(u *user.User) { u.Admin, u.Roles = true, []string{"viewer"} })
	a := authOf(t, f, "ada", "ada-password")
	narrow, err := f.m.CreateAPIKey(ctx, a, session.APIKeyRequest{Name: "n", Roles: []string{"viewer"}}, session.Client{})
	require.NoError(t, err)
	full, err := f.m.CreateAPIKey(ctx, a, session.APIKeyRequest{Name: "f"}, session.Client{})
	require.NoError(t, err)
	na, err := f.m.Authenticate(ctx, session.Credential{APIKey: narrow.Key})
	require.NoError(t, err)
	assert.False(t, na.User.Admin)
	assert.False(t, na.Set.Specific("anything"), "the narrowed key is no admin")
	fa, err := f.m.Authenticate(ctx, session.Credential{APIKey: full.Key})
	require.NoError(t, err)
	assert.True(t, fa.User.Admin)

	// A key never makes a key, narrowed or not.
	_, err = f.m.CreateAPIKey(ctx, fa, session.APIKeyRequest{Name: "x"}, session.Client{})
	assert.ErrorIs(t, err, session.ErrAPIKeyCaller)
}

// rolesFor is a role that reads every entity.
func rolesFor(code string) permissions.Role {
	return permissions.Role{Code: code, Entities: map[string][]permissions.Op{"*": {permissions.OpRead}}}
}

func authOf(t *testing.T, f *fixture, username, password string) *session.Auth {
	t.Helper()
	res, err := f.m.Login(context.Background(), session.LoginRequest{Username: username, Password: password})
	require.NoError(t, err)
	a, err := f.m.Authenticate(context.Background(), session.Credential{Bearer: res.Token})
	require.NoError(t, err)
	return a
}

func TestAPIKeyEpochBumpEndsIt(t *testing.T) {
	f, k := keyFixture(t, session.Config{}, session.APIKeyRequest{})
	ctx := context.Background()
	u, err := f.store.Users().GetUserByUsername(ctx, "ann")
	require.NoError(t, err)
	require.NoError(t, f.m.RevokeAll(ctx, u.ID, session.Client{}))
	_, err = f.m.Authenticate(ctx, session.Credential{APIKey: k.Key})
	assert.ErrorIs(t, err, session.ErrUnauthenticated)
}

// failingKeys is a store whose API key reads or touches fail.
type failingKeys struct {
	storage.Store
	keys storage.APIKeyStore
}

func (s failingKeys) APIKeys() storage.APIKeyStore { return s.keys }

type brokenKeyStore struct {
	storage.APIKeyStore
	get, touch bool
}

func (b brokenKeyStore) GetAPIKey(ctx context.Context, h string) (storage.APIKey, error) {
	if b.get {
		return storage.APIKey{}, errors.New("connection reset")
	}
	return b.APIKeyStore.GetAPIKey(ctx, h)
}

func (b brokenKeyStore) TouchAPIKey(ctx context.Context, h string, at time.Time) error {
	if b.touch {
		return errors.New("connection reset")
	}
	return b.APIKeyStore.TouchAPIKey(ctx, h, at)
}

func TestAPIKeyStoreFailureRefuses(t *testing.T) {
	for _, tc := range []struct {
		name       string
		get, touch bool
	}{{"read fails", true, false}, {"touch fails", false, true}} {
		t.Run(tc.name, func(t *testing.T) {
			f, k := keyFixture(t, session.Config{}, session.APIKeyRequest{})
			st := failingKeys{Store: f.store, keys: brokenKeyStore{APIKeyStore: f.store.APIKeys(), get: tc.get, touch: tc.touch}}
			m, err := session.New(st, f.keys, session.Config{Now: f.clock.Now, Hasher: fastHasher})
			require.NoError(t, err)
			a, err := m.Authenticate(context.Background(), session.Credential{APIKey: k.Key})
			assert.Nil(t, a)
			assert.ErrorIs(t, err, session.ErrStore, "fail closed")
		})
	}
}

func TestAPIKeyObservedWithoutKeyMaterial(t *testing.T) {
	rec := &recorder{}
	f, k := keyFixture(t, session.Config{Observer: rec}, session.APIKeyRequest{})
	ctx := context.Background()
	_, err := f.m.Authenticate(ctx, session.Credential{APIKey: k.Key})
	require.NoError(t, err)
	_, err = f.m.Authenticate(ctx, session.Credential{APIKey: session.APIKeyPrefix + strings.Repeat("A", 43)})
	require.Error(t, err)
	rec.mu.Lock()
	defer rec.mu.Unlock()
	var keyed []observe.Authentication
	for _, e := range rec.auths {
		if e.Credential == observe.CredentialAPIKey {
			keyed = append(keyed, e)
		}
	}
	require.Len(t, keyed, 2)
	assert.Equal(t, observe.AuthOK, keyed[0].Outcome)
	assert.Equal(t, observe.AuthReasonUnknownSession, keyed[1].Reason)
	assert.NotContains(t, fmt.Sprintf("%+v", rec.auths), k.Key[len(session.APIKeyPrefix):])
	for _, a := range f.audits(t, "acme") {
		assert.NotContains(t, fmt.Sprintf("%+v", a), k.Key[len(session.APIKeyPrefix):], "never in the audit")
		assert.NotContains(t, fmt.Sprintf("%+v", a), session.HashID(k.Key))
	}
}

func TestAPIKeyUnknownThrottled(t *testing.T) {
	f, k := keyFixture(t, session.Config{Throttle: session.Throttle{PerAddress: session.Limit{MaxFailures: 3}}}, session.APIKeyRequest{})
	ctx := context.Background()
	bad := session.Credential{APIKey: session.APIKeyPrefix + strings.Repeat("A", 43), ClientIP: "203.0.113.5"}
	for range 3 {
		_, err := f.m.Authenticate(ctx, bad)
		require.ErrorIs(t, err, session.ErrUnauthenticated)
	}
	_, err := f.m.Authenticate(ctx, bad)
	var locked *session.LockedError
	require.ErrorAs(t, err, &locked)
	assert.GreaterOrEqual(t, locked.RetryAfter, time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{APIKey: session.APIKeyPrefix + "short", ClientIP: "203.0.113.5"})
	require.ErrorAs(t, err, &locked, "a malformed key from a throttled address too")
	// A real key behind the same address (NAT, a CI runner's egress) is
	// never locked out by others' bogus keys (found in review).
	_, err = f.m.Authenticate(ctx, session.Credential{APIKey: k.Key, ClientIP: "203.0.113.5"})
	require.NoError(t, err, "a key that is found authenticates")
	_, err = f.m.Authenticate(ctx, session.Credential{APIKey: k.Key, ClientIP: "203.0.113.6"})
	require.NoError(t, err)
}
