package session_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is an observe.Observer that keeps what it is told, and checks
// that each Done gets the context its Start returned.
type recorder struct {
	observe.Nop
	mu       sync.Mutex
	logins   []observe.Login
	auths    []observe.Authentication
	lockouts []observe.Lockout
	started  []observe.Credential
}

type startedKey struct{}

func (r *recorder) LoginStart(ctx context.Context) context.Context {
	return context.WithValue(ctx, startedKey{}, "login")
}

func (r *recorder) LoginDone(ctx context.Context, e observe.Login) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx.Value(startedKey{}) != "login" {
		panic("LoginDone without LoginStart's context")
	}
	r.logins = append(r.logins, e)
}

func (r *recorder) AuthenticateStart(ctx context.Context, c observe.Credential) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.started = append(r.started, c)
	return context.WithValue(ctx, startedKey{}, "auth")
}

func (r *recorder) AuthenticateDone(ctx context.Context, e observe.Authentication) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if ctx.Value(startedKey{}) != "auth" {
		panic("AuthenticateDone without AuthenticateStart's context")
	}
	r.auths = append(r.auths, e)
}

func (r *recorder) Lockout(_ context.Context, e observe.Lockout) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lockouts = append(r.lockouts, e)
}

func (r *recorder) lastLogin(t *testing.T) observe.Login {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.logins)
	return r.logins[len(r.logins)-1]
}

func (r *recorder) lastAuth(t *testing.T) observe.Authentication {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	require.NotEmpty(t, r.auths)
	return r.auths[len(r.auths)-1]
}

func TestObserverLogin(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, session.Config{Observer: rec})
	f.addUser(t, "alice", "alice-password", nil)
	f.addUser(t, "nopass", "x", func(u *user.User) { u.PasswordHash = "" })
	f.addUser(t, "blocked", "blocked-password", func(u *user.User) { u.Blocked = true })
	ctx := context.Background()

	tests := []struct {
		name, username, password string
		outcome                  observe.LoginOutcome
		reason                   observe.LoginReason
	}{
		{"success", "alice", "alice-password", observe.LoginOK, ""},
		{"wrong password", "alice", "wrong-password", observe.LoginInvalid, observe.ReasonWrongPassword},
		{"unknown user", "nobody", "whatever", observe.LoginInvalid, observe.ReasonUnknownUser},
		{"no password", "nopass", "whatever", observe.LoginInvalid, observe.ReasonNoPassword},
		{"blocked", "blocked", "blocked-password", observe.LoginInvalid, observe.ReasonBlocked},
		{"malformed username", "no spaces allowed", "whatever", observe.LoginMalformed, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.m.Login(ctx, session.LoginRequest{Username: tt.username, Password: tt.password})
			if tt.outcome == observe.LoginOK {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
			}
			got := rec.lastLogin(t)
			assert.Equal(t, tt.outcome, got.Outcome)
			assert.Equal(t, tt.reason, got.Reason)
			assert.Positive(t, got.Duration)
		})
	}
	assert.Len(t, rec.logins, len(tests), "one event per login")
}

func TestObserverLockout(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, session.Config{Observer: rec, Throttle: session.Throttle{PerUsername: session.Limit{MaxFailures: 2}}})
	f.addUser(t, "alice", "alice-password", nil)
	ctx := context.Background()
	login := func(pw string) error {
		_, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: pw, Client: session.Client{IP: "192.0.2.1"}})
		return err
	}
	require.ErrorIs(t, login("wrong-1"), session.ErrInvalidCredentials)
	assert.Empty(t, rec.lockouts, "below the limit")
	require.ErrorIs(t, login("wrong-2"), session.ErrInvalidCredentials)
	require.Len(t, rec.lockouts, 1, "the second failure locks the username")
	assert.Equal(t, observe.Lockout{Key: observe.ThrottleUsername, Failures: 2, Wait: rec.lockouts[0].Wait}, rec.lockouts[0])
	assert.Positive(t, rec.lockouts[0].Wait)

	require.ErrorIs(t, login("alice-password"), session.ErrLocked)
	got := rec.lastLogin(t)
	assert.Equal(t, observe.LoginLocked, got.Outcome)
	assert.Equal(t, observe.ReasonLockedUsername, got.Reason)
	assert.Len(t, rec.lockouts, 1, "a refused attempt starts no lockout")
}

func TestObserverLockoutByAddress(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, session.Config{Observer: rec, Throttle: session.Throttle{PerAddress: session.Limit{MaxFailures: 1}}})
	ctx := context.Background()
	c := session.Client{IP: "192.0.2.7"}
	_, err := f.m.Login(ctx, session.LoginRequest{Username: "one", Password: "pw-one", Client: c})
	require.ErrorIs(t, err, session.ErrInvalidCredentials)
	require.Len(t, rec.lockouts, 1)
	assert.Equal(t, observe.ThrottleAddress, rec.lockouts[0].Key)
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "two", Password: "pw-two", Client: c})
	require.ErrorIs(t, err, session.ErrLocked)
	assert.Equal(t, observe.Login{Outcome: observe.LoginLocked, Reason: observe.ReasonLockedAddress, Duration: rec.lastLogin(t).Duration}, rec.lastLogin(t))
}

func TestObserverAuthenticate(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, session.Config{Observer: rec})
	u := f.addUser(t, "alice", "alice-password", nil)
	ctx := context.Background()
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "alice-password"})
	require.NoError(t, err)
	other, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "alice-password"})
	require.NoError(t, err)
	a, err := f.m.Authenticate(ctx, session.Credential{SessionID: other.SessionID})
	require.NoError(t, err)
	require.NoError(t, f.m.Logout(ctx, a, session.Client{}))

	tests := []struct {
		name    string
		cred    session.Credential
		kind    observe.Credential
		outcome observe.AuthOutcome
		reason  observe.AuthReason
	}{
		{"bearer", session.Credential{Bearer: res.Token}, observe.CredentialBearer, observe.AuthOK, ""},
		{"cookie", session.Credential{SessionID: res.SessionID}, observe.CredentialCookie, observe.AuthOK, ""},
		{"none", session.Credential{}, observe.CredentialNone, observe.AuthRefused, observe.AuthReasonNoCredential},
		{"malformed id", session.Credential{SessionID: "short"}, observe.CredentialCookie, observe.AuthRefused, observe.AuthReasonMalformed},
		{"bad token", session.Credential{Bearer: res.Token + "x"}, observe.CredentialBearer, observe.AuthRefused, observe.AuthReasonInvalidToken},
		{"unknown session", session.Credential{SessionID: "A" + res.SessionID[1:]}, observe.CredentialCookie, observe.AuthRefused, observe.AuthReasonUnknownSession},
		{"revoked", session.Credential{SessionID: other.SessionID}, observe.CredentialCookie, observe.AuthRefused, observe.AuthReasonRevoked},
	}
	if res.SessionID[0] == 'A' {
		tests[5].cred.SessionID = "B" + res.SessionID[1:]
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.m.Authenticate(ctx, tt.cred)
			assert.Equal(t, tt.outcome == observe.AuthOK, err == nil, "error %v", err)
			got := rec.lastAuth(t)
			assert.Equal(t, tt.kind, got.Credential)
			assert.Equal(t, tt.outcome, got.Outcome)
			assert.Equal(t, tt.reason, got.Reason)
			assert.Positive(t, got.Duration)
			assert.Equal(t, tt.kind, rec.started[len(rec.started)-1])
		})
	}

	t.Run("blocked", func(t *testing.T) {
		u.Blocked = true
		u, err = f.store.Users().UpdateUser(ctx, u)
		require.NoError(t, err)
		_, err := f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
		require.ErrorIs(t, err, session.ErrUnauthenticated)
		assert.Equal(t, observe.AuthReasonBlocked, rec.lastAuth(t).Reason)
	})
}

// downSessions fails every session read.
type downSessions struct{ storage.SessionStore }

func (downSessions) GetSession(context.Context, string) (storage.Session, error) {
	return storage.Session{}, errors.New("connection refused")
}

func TestObserverAuthenticateStoreDown(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, session.Config{})
	f.addUser(t, "alice", "alice-password", nil)
	res, err := f.m.Login(context.Background(), session.LoginRequest{Username: "alice", Password: "alice-password"})
	require.NoError(t, err)
	down := storage.Compose(f.store, storage.Parts{Sessions: downSessions{f.store.Sessions()}})
	m, err := session.New(down, f.keys, session.Config{Observer: rec, Now: f.clock.Now, Hasher: fastHasher})
	require.NoError(t, err)
	_, err = m.Authenticate(context.Background(), session.Credential{SessionID: res.SessionID})
	require.ErrorIs(t, err, session.ErrStore)
	got := rec.lastAuth(t)
	assert.Equal(t, observe.AuthUnavailable, got.Outcome)
	assert.Equal(t, observe.AuthReasonStore, got.Reason)
}

// The refusals keep the messages they had before they were classified.
func TestAuthenticateMessages(t *testing.T) {
	f := newFixture(t, session.Config{})
	_, err := f.m.Authenticate(context.Background(), session.Credential{})
	assert.EqualError(t, err, "session: not authenticated: no credential")
	_, err = f.m.Authenticate(context.Background(), session.Credential{SessionID: "short"})
	assert.EqualError(t, err, "session: not authenticated: malformed session id")
}
