package session_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outbox is a ResetSender that keeps what it is given.
type outbox struct {
	mu   sync.Mutex
	sent []session.ResetDelivery
}

func (o *outbox) SendPasswordReset(_ context.Context, d session.ResetDelivery) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, d)
	return nil
}

func (o *outbox) last(t *testing.T) session.ResetDelivery {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	require.NotEmpty(t, o.sent)
	return o.sent[len(o.sent)-1]
}

func (o *outbox) count() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.sent)
}

func resetFixture(t *testing.T, cfg session.Config) (*fixture, *outbox) {
	t.Helper()
	o := &outbox{}
	cfg.PasswordReset.Sender = o
	f := newFixture(t, cfg)
	f.addUser(t, "alice", "password1", func(u *user.User) { u.Email = "alice@example.com" })
	return f, o
}

// request asks for a reset and waits for its delivery.
func (f *fixture) requestReset(t *testing.T, username string) error {
	t.Helper()
	err := f.m.RequestPasswordReset(ctx, username, session.Client{IP: "192.0.2.9"})
	f.m.WaitPasswordResets()
	return err
}

func TestPasswordReset(t *testing.T) {
	f, o := resetFixture(t, session.Config{})
	before := loginAuth(t, f, session.LoginRequest{Username: "alice", Password: "password1"})

	require.NoError(t, f.requestReset(t, "Alice"), "found up to case")
	d := o.last(t)
	assert.Equal(t, "alice@example.com", d.User.Email)
	assert.Empty(t, d.User.PasswordHash, "the sender gets no hash")
	assert.Equal(t, f.clock.Now().Add(session.DefaultResetTTL).Truncate(time.Second), d.ExpiresAt)
	stored, err := f.store.Users().GetUser(ctx, "id-alice")
	require.NoError(t, err)
	assert.NotContains(t, stored.ResetTokenHash, d.Token, "stored as a hash")

	err = f.m.ConfirmPasswordReset(ctx, d.Token, "short", session.Client{})
	require.ErrorIs(t, err, user.ErrInvalid, "the password policy applies")
	require.NoError(t, f.m.ConfirmPasswordReset(ctx, d.Token, "password2", session.Client{}))
	_, err = f.m.Authenticate(ctx, session.Credential{SessionID: before.Session.IDHash})
	require.Error(t, err)
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.ErrorIs(t, err, session.ErrInvalidCredentials)
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password2"})
	require.NoError(t, err)
	require.ErrorIs(t, f.m.ConfirmPasswordReset(ctx, d.Token, "password3", session.Client{}), session.ErrResetToken, "used once")

	ops := map[string][]string{}
	for _, r := range f.audits(t, "acme") {
		ops[r.OperationID] = append(ops[r.OperationID], r.Outcome)
	}
	assert.Contains(t, ops["password_reset"], "ok")
	assert.Contains(t, ops["password_reset"], "failed")
}

func TestPasswordResetEndsSessions(t *testing.T) {
	f, o := resetFixture(t, session.Config{})
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	require.NoError(t, f.requestReset(t, "alice"))
	require.NoError(t, f.m.ConfirmPasswordReset(ctx, o.last(t).Token, "password2", session.Client{}))
	_, err = f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.ErrorIs(t, err, session.ErrUnauthenticated, "the token of before the reset")
	_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	require.ErrorIs(t, err, session.ErrUnauthenticated, "the cookie of before the reset")
}

func TestPasswordResetTokenDies(t *testing.T) {
	t.Run("on expiry", func(t *testing.T) {
		f, o := resetFixture(t, session.Config{})
		require.NoError(t, f.requestReset(t, "alice"))
		f.clock.Add(session.DefaultResetTTL)
		require.ErrorIs(t, f.m.ConfirmPasswordReset(ctx, o.last(t).Token, "password2", session.Client{}), session.ErrResetToken)
	})
	t.Run("just before expiry it works", func(t *testing.T) {
		f, o := resetFixture(t, session.Config{})
		require.NoError(t, f.requestReset(t, "alice"))
		f.clock.Add(session.DefaultResetTTL - 2*time.Second)
		require.NoError(t, f.m.ConfirmPasswordReset(ctx, o.last(t).Token, "password2", session.Client{}))
	})
	t.Run("on another password change", func(t *testing.T) {
		f, o := resetFixture(t, session.Config{})
		require.NoError(t, f.requestReset(t, "alice"))
		a := loginAuth(t, f, session.LoginRequest{Username: "alice", Password: "password1"})
		_, err := f.m.ChangePassword(ctx, a, "password1", "password9", session.Client{})
		require.NoError(t, err)
		require.ErrorIs(t, f.m.ConfirmPasswordReset(ctx, o.last(t).Token, "password2", session.Client{}), session.ErrResetToken)
	})
	t.Run("on revoking every session", func(t *testing.T) {
		f, o := resetFixture(t, session.Config{})
		require.NoError(t, f.requestReset(t, "alice"))
		require.NoError(t, f.m.RevokeAll(ctx, "id-alice", session.Client{}))
		require.ErrorIs(t, f.m.ConfirmPasswordReset(ctx, o.last(t).Token, "password2", session.Client{}), session.ErrResetToken)
	})
	t.Run("when a newer one is asked for", func(t *testing.T) {
		f, o := resetFixture(t, session.Config{})
		require.NoError(t, f.requestReset(t, "alice"))
		first := o.last(t).Token
		require.NoError(t, f.requestReset(t, "alice"))
		require.ErrorIs(t, f.m.ConfirmPasswordReset(ctx, first, "password2", session.Client{}), session.ErrResetToken)
		require.NoError(t, f.m.ConfirmPasswordReset(ctx, o.last(t).Token, "password2", session.Client{}))
	})
	t.Run("when the user is blocked", func(t *testing.T) {
		f, o := resetFixture(t, session.Config{})
		require.NoError(t, f.requestReset(t, "alice"))
		u, err := f.store.Users().GetUser(ctx, "id-alice")
		require.NoError(t, err)
		u.Blocked = true
		_, err = f.store.Users().UpdateUser(ctx, u)
		require.NoError(t, err)
		require.ErrorIs(t, f.m.ConfirmPasswordReset(ctx, o.last(t).Token, "password2", session.Client{}), session.ErrResetToken)
	})
	t.Run("forged and malformed tokens", func(t *testing.T) {
		f, o := resetFixture(t, session.Config{})
		require.NoError(t, f.requestReset(t, "alice"))
		tok := o.last(t).Token
		flipped := []byte(tok)
		if flipped[len(flipped)-2] == 'A' {
			flipped[len(flipped)-2] = 'B'
		} else {
			flipped[len(flipped)-2] = 'A'
		}
		for _, bad := range []string{"", "x", tok + "x", tok[:len(tok)-1], string(flipped), "aWQtYm9i." + tok[len(tok)-43:]} {
			require.ErrorIs(t, f.m.ConfirmPasswordReset(ctx, bad, "password2", session.Client{}), session.ErrResetToken, "%q", bad)
		}
		require.NoError(t, f.m.ConfirmPasswordReset(ctx, tok, "password2", session.Client{}), "the real one still works")
	})
	t.Run("two uses racing: one wins", func(t *testing.T) {
		f, o := resetFixture(t, session.Config{})
		require.NoError(t, f.requestReset(t, "alice"))
		tok := o.last(t).Token
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = f.m.ConfirmPasswordReset(ctx, tok, "password2", session.Client{})
			}()
		}
		wg.Wait()
		n := 0
		for _, err := range errs {
			if err == nil {
				n++
			} else {
				require.ErrorIs(t, err, session.ErrResetToken)
			}
		}
		assert.Equal(t, 1, n)
	})
}

// TestPasswordResetUnknownUser: an unknown, blocked or password-less user
// gets the same answer after the same synchronous work (the same store
// calls), and nothing is delivered.
func TestPasswordResetUnknownUser(t *testing.T) {
	f, o := resetFixture(t, session.Config{})
	f.addUser(t, "bob", "password1", func(u *user.User) { u.Blocked = true })
	f.addUser(t, "carol", "password1", func(u *user.User) { u.PasswordHash = "" })
	for _, name := range []string{"nobody", "bob", "carol"} {
		require.NoError(t, f.requestReset(t, name), name)
	}
	assert.Equal(t, 0, o.count())
	require.NoError(t, f.requestReset(t, "alice"))
	assert.Equal(t, 1, o.count())
	require.Error(t, f.m.RequestPasswordReset(ctx, "a b", session.Client{}), "a malformed username is refused whoever asks")
}

// TestPasswordResetSlowSender: the request returns before the sender does,
// so a slow delivery does not tell that the user exists.
func TestPasswordResetSlowSender(t *testing.T) {
	release := make(chan struct{})
	sent := make(chan struct{}, 1)
	f := newFixture(t, session.Config{PasswordReset: session.ResetConfig{Sender: session.ResetSenderFunc(func(ctx context.Context, d session.ResetDelivery) error {
		<-release
		sent <- struct{}{}
		return nil
	})}})
	f.addUser(t, "alice", "password1", nil)
	done := make(chan error, 1)
	go func() { done <- f.m.RequestPasswordReset(ctx, "alice", session.Client{}) }()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the request waited for the sender")
	}
	close(release)
	<-sent
	f.m.WaitPasswordResets()
}

func TestPasswordResetThrottle(t *testing.T) {
	f, o := resetFixture(t, session.Config{PasswordReset: session.ResetConfig{
		PerUsername: session.RateLimit{Max: 2, Window: time.Hour},
		PerAddress:  session.RateLimit{Max: 3, Window: time.Hour},
	}})
	// Per username, known or not, and up to case.
	for _, name := range []string{"alice", "nobody"} {
		other := map[string]string{"alice": "ALICE", "nobody": "NoBody"}[name]
		require.NoError(t, f.m.RequestPasswordReset(ctx, name, session.Client{IP: "192.0.2." + name[:1]}))
		require.NoError(t, f.m.RequestPasswordReset(ctx, other, session.Client{IP: "198.51.100." + name[:1]}))
		err := f.m.RequestPasswordReset(ctx, name, session.Client{IP: "203.0.113." + name[:1]})
		var le *session.LockedError
		require.ErrorAs(t, err, &le, name)
		assert.Equal(t, time.Hour, le.RetryAfter)
	}
	f.m.WaitPasswordResets()
	assert.Equal(t, 2, o.count())
	// Per address, across usernames.
	for _, name := range []string{"u1", "u2", "u3"} {
		require.NoError(t, f.m.RequestPasswordReset(ctx, name, session.Client{IP: "192.0.2.200"}))
	}
	require.ErrorIs(t, f.m.RequestPasswordReset(ctx, "u4", session.Client{IP: "192.0.2.200"}), session.ErrLocked)
	f.clock.Add(time.Hour)
	require.NoError(t, f.m.RequestPasswordReset(ctx, "u4", session.Client{IP: "192.0.2.200"}), "a new window")
	f.m.WaitPasswordResets()
}

// actions records audit actions.
type actions struct {
	mu  sync.Mutex
	got []audit.Action
}

func (a *actions) Record(_ context.Context, x audit.Action) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.got = append(a.got, x)
	return nil
}

func TestPasswordResetRequestAudited(t *testing.T) {
	rec := &actions{}
	f, _ := resetFixture(t, session.Config{Audit: rec, PasswordReset: session.ResetConfig{PerUsername: session.RateLimit{Max: 1}}})
	require.NoError(t, f.requestReset(t, "alice"))
	require.NoError(t, f.requestReset(t, "nobody"))
	require.ErrorIs(t, f.requestReset(t, "nobody"), session.ErrLocked)
	var got []string
	for _, a := range rec.got {
		if a.OperationID == "password_reset_request" {
			got = append(got, a.Username+":"+a.Outcome+":"+a.Detail)
			assert.Equal(t, "192.0.2.9", a.ClientIP)
		}
	}
	assert.Equal(t, []string{"alice:accepted:", "nobody:accepted:", "nobody:locked:"}, got, "known and unknown users alike")
}

func TestPasswordResetUnconfigured(t *testing.T) {
	f := newFixture(t, session.Config{})
	require.ErrorIs(t, f.m.RequestPasswordReset(ctx, "alice", session.Client{}), session.ErrResetUnavailable)
	require.ErrorIs(t, f.m.ConfirmPasswordReset(ctx, "x.y", "password2", session.Client{}), session.ErrResetUnavailable)
}

// gatedUsers blocks every user lookup by username until its gate opens.
type gatedUsers struct {
	storage.UserStore
	gate chan struct{}
}

func (g gatedUsers) GetUserByUsername(ctx context.Context, username string) (user.User, error) {
	<-g.gate
	return g.UserStore.GetUserByUsername(ctx, username)
}

type gatedStore struct {
	storage.Store
	users gatedUsers
}

func (s gatedStore) Users() storage.UserStore { return s.users }

// TestPasswordResetAnswersBeforeLookingUp: the request returns while the
// user lookup is still blocked, so nothing the answer carries or the time
// it takes can depend on whether the user exists (or on the sender).
func TestPasswordResetAnswersBeforeLookingUp(t *testing.T) {
	f, o := resetFixture(t, session.Config{})
	st := gatedStore{Store: f.store, users: gatedUsers{UserStore: f.store.Users(), gate: make(chan struct{})}}
	m, err := session.New(st, f.keys, session.Config{Now: f.clock.Now, Hasher: fastHasher, PasswordReset: session.ResetConfig{Sender: o}})
	require.NoError(t, err)
	for _, name := range []string{"alice", "nobody"} {
		done := make(chan error, 1)
		go func() { done <- m.RequestPasswordReset(ctx, name, session.Client{IP: "192.0.2.1"}) }()
		select {
		case err := <-done:
			require.NoError(t, err, name)
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: the request waited for the user lookup", name)
		}
	}
	assert.Equal(t, 0, o.count(), "nothing delivered yet")
	close(st.users.gate)
	m.WaitPasswordResets()
	assert.Equal(t, 1, o.count(), "alice's token, once the lookup ran")
}
