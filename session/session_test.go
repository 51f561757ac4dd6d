package session_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var ctx = context.Background()

var yes = true

func TestValidID(t *testing.T) {
	good := strings.Repeat("A", 43)
	for s, want := range map[string]bool{
		good:                                   true,
		strings.Repeat("A", 42) + "E":          true,  // low 2 bits zero
		strings.Repeat("A", 42) + "B":          false, // non-canonical last char
		strings.Repeat("A", 42):                false,
		strings.Repeat("A", 44):                false,
		strings.Repeat("A", 42) + "=":          false,
		strings.Repeat("A", 42) + "+":          false,
		"":                                     false,
		"65daca25-74ba-4c85-8183-71b404a348c0": false,
	} {
		assert.Equal(t, want, session.ValidID(s), s)
	}
}

func TestLoginIssuesFreshSessions(t *testing.T) {
	f := newFixture(t, session.Config{})
	f.addUser(t, "alice", "password1", nil)
	a, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	b, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	assert.NotEqual(t, a.SessionID, b.SessionID, "a new id every login")
	assert.True(t, session.ValidID(a.SessionID))
	assert.Equal(t, session.HashID(a.SessionID), a.Session.IDHash)
	assert.Equal(t, a.Session.IDHash, a.Claims.SessionID, "sid is the hash, not the id")
	assert.NotContains(t, a.Token, a.SessionID)
	// The store never sees the id.
	got, err := f.store.Sessions().GetSession(ctx, a.Session.IDHash)
	require.NoError(t, err)
	assert.Equal(t, a.Session.IDHash, got.IDHash)
	_, err = f.store.Sessions().GetSession(ctx, a.SessionID)
	assert.Error(t, err)
}

func TestLiveSessionRule(t *testing.T) {
	const idle = 30 * time.Minute
	cases := []struct {
		name  string
		setup func(f *fixture, res *session.Result)
		ok    bool
		// bearerOK, when set, overrides ok for the bearer token.
		bearerOK *bool
	}{
		{"fresh", func(*fixture, *session.Result) {}, true, nil},
		{"idle limit minus 1s", func(f *fixture, _ *session.Result) { f.clock.Add(idle - time.Second) }, true, nil},
		// The idle timeout is the cookie's; a token lives for its ttl.
		{"idle limit plus 1s", func(f *fixture, _ *session.Result) { f.clock.Add(idle + time.Second) }, false, &yes},
		{"revoked", func(f *fixture, r *session.Result) {
			require.NoError(t, f.store.Sessions().RevokeSession(ctx, r.Session.IDHash))
		}, false, nil},
		{"blocked user", func(f *fixture, r *session.Result) {
			u, _ := f.store.Users().GetUser(ctx, r.User.ID)
			u.Blocked = true
			_, err := f.store.Users().UpdateUser(ctx, u)
			require.NoError(t, err)
		}, false, nil},
		{"deleted user", func(f *fixture, r *session.Result) {
			require.NoError(t, f.store.Users().DeleteUser(ctx, r.User.ID))
		}, false, nil},
		{"epoch bumped", func(f *fixture, r *session.Result) {
			require.NoError(t, f.m.RevokeAll(ctx, r.User.ID, session.Client{}))
		}, false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, session.Config{IdleTimeout: idle})
			f.addUser(t, "alice", "password1", nil)
			res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
			require.NoError(t, err)
			tc.setup(f, res)
			// The cookie first: a bearer use would touch the session.
			for _, c := range []session.Credential{{SessionID: res.SessionID}, {Bearer: res.Token}} {
				a, err := f.m.Authenticate(ctx, c)
				want := tc.ok
				if c.Bearer != "" && tc.bearerOK != nil {
					want = *tc.bearerOK
				}
				if want {
					require.NoError(t, err)
					assert.Equal(t, "alice", a.User.Username)
				} else {
					require.ErrorIs(t, err, session.ErrUnauthenticated)
					assert.Nil(t, a)
				}
			}
		})
	}
}

func TestAbsoluteExpiry(t *testing.T) {
	f := newFixture(t, session.Config{IdleTimeout: -1, Token: tokenNoLeeway()})
	f.addUser(t, "alice", "password1", nil)
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1", TTL: time.Hour})
	require.NoError(t, err)
	f.clock.Add(time.Hour - time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	require.NoError(t, err)
	f.clock.Add(2 * time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	require.ErrorIs(t, err, session.ErrUnauthenticated)
}

func TestTouchAtMostOncePerInterval(t *testing.T) {
	f := newFixture(t, session.Config{})
	f.addUser(t, "alice", "password1", nil)
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	start := res.Session.LastSeenAt
	f.clock.Add(59 * time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	require.NoError(t, err)
	s, _ := f.store.Sessions().GetSession(ctx, res.Session.IDHash)
	assert.Equal(t, start, s.LastSeenAt, "not written within the interval")
	f.clock.Add(time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	require.NoError(t, err)
	s, _ = f.store.Sessions().GetSession(ctx, res.Session.IDHash)
	assert.Equal(t, start.Add(time.Minute), s.LastSeenAt)
}

func TestBearerSubjectMustMatchSession(t *testing.T) {
	f := newFixture(t, session.Config{})
	f.addUser(t, "alice", "password1", nil)
	f.addUser(t, "bob", "password2", nil)
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	signer, err := newSigner(f)
	require.NoError(t, err)
	forged, _, err := signer.Issue(identity("id-bob", res.Session.IDHash), 0)
	require.NoError(t, err)
	_, err = f.m.Authenticate(ctx, session.Credential{Bearer: forged})
	require.ErrorIs(t, err, session.ErrUnauthenticated)
}

func TestLoginSameAnswer(t *testing.T) {
	f := newFixture(t, session.Config{})
	f.addUser(t, "alice", "password1", nil)
	f.addUser(t, "nohash", "x", func(u *user.User) { u.PasswordHash = "" })
	f.addUser(t, "blocked", "password1", func(u *user.User) { u.Blocked = true })
	for _, tc := range []struct{ name, user, pw string }{
		{"unknown user", "nobody", "password1"},
		{"wrong password", "alice", "password2"},
		{"no hash", "nohash", "x"},
		{"blocked with right password", "blocked", "password1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.m.Login(ctx, session.LoginRequest{Username: tc.user, Password: tc.pw})
			require.Nil(t, res)
			require.Equal(t, session.ErrInvalidCredentials, err, "the very same error value")
		})
	}
}

func TestRehashOnLogin(t *testing.T) {
	f := newFixture(t, session.Config{Hasher: testHasher(t)})
	old, err := user.NewBcrypt(user.BcryptConfig{Cost: 11})
	require.NoError(t, err)
	h, err := old.Hash("password1")
	require.NoError(t, err)
	f.addUser(t, "alice", "x", func(u *user.User) { u.PasswordHash = h })
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	u, err := f.store.Users().GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	assert.NotEqual(t, h, u.PasswordHash)
	assert.True(t, strings.HasPrefix(u.PasswordHash, user.BcryptPrefix))
	_, rehash, err := testHasher(t).Verify(u.PasswordHash, "password1")
	require.NoError(t, err)
	assert.False(t, rehash)
}

func TestThrottle(t *testing.T) {
	f := newFixture(t, session.Config{Throttle: session.Throttle{
		PerUsername: session.Limit{MaxFailures: 3, WaitIncrement: time.Minute, MaxWait: 3 * time.Minute, ResetAfter: time.Hour},
		PerAddress:  session.Limit{MaxFailures: -1},
	}})
	f.addUser(t, "alice", "password1", nil)
	login := func(pw string) error {
		_, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: pw})
		return err
	}
	for range 3 {
		require.ErrorIs(t, login("bad"), session.ErrInvalidCredentials)
	}
	var le *session.LockedError
	err := login("password1")
	require.ErrorAs(t, err, &le, "locked even with the right password")
	assert.Equal(t, time.Minute, le.RetryAfter)

	f.clock.Add(time.Minute)
	require.ErrorIs(t, login("bad"), session.ErrInvalidCredentials, "one attempt after the wait")
	require.ErrorAs(t, login("password1"), &le)
	assert.Equal(t, 2*time.Minute, le.RetryAfter, "the wait grows")

	f.clock.Add(2 * time.Minute)
	require.NoError(t, login("password1"), "success after the wait")
	// Success reset the count: three more failures before a lock.
	for range 3 {
		require.ErrorIs(t, login("bad"), session.ErrInvalidCredentials)
	}
	require.ErrorIs(t, login("bad"), session.ErrLocked)

	// The window resets.
	f.clock.Add(time.Hour)
	require.NoError(t, login("password1"))
}

func TestThrottleUnknownUserSameAsKnown(t *testing.T) {
	f := newFixture(t, session.Config{Throttle: session.Throttle{PerUsername: session.Limit{MaxFailures: 2}, PerAddress: session.Limit{MaxFailures: -1}}})
	f.addUser(t, "alice", "password1", nil)
	var errs []string
	for _, name := range []string{"alice", "nobody"} {
		var got []string
		for range 3 {
			_, err := f.m.Login(ctx, session.LoginRequest{Username: name, Password: "bad"})
			got = append(got, err.Error())
		}
		errs = append(errs, strings.Join(got, "|"))
	}
	assert.Equal(t, errs[0], errs[1])
}

func TestThrottleAtomicUnderConcurrency(t *testing.T) {
	var verifies atomic.Int64
	h := &countingHasher{Hasher: fastHasher, n: &verifies}
	f := newFixture(t, session.Config{Hasher: h, MaxConcurrentHashes: 400, HashWait: time.Minute,
		Throttle: session.Throttle{PerUsername: session.Limit{MaxFailures: 5}, PerAddress: session.Limit{MaxFailures: -1}}})
	f.addUser(t, "alice", "password1", nil)
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			_, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "bad"})
			assert.Error(t, err)
		})
	}
	wg.Wait()
	assert.LessOrEqual(t, verifies.Load(), int64(5), "at most MaxFailures checks")
	assert.Positive(t, verifies.Load())
}

func TestPerAddressThrottle(t *testing.T) {
	f := newFixture(t, session.Config{Throttle: session.Throttle{PerUsername: session.Limit{MaxFailures: -1}, PerAddress: session.Limit{MaxFailures: 2}}})
	f.addUser(t, "alice", "password1", nil)
	for _, name := range []string{"u1", "u2"} {
		_, err := f.m.Login(ctx, session.LoginRequest{Username: name, Password: "bad", Client: session.Client{IP: "192.0.2.1"}})
		require.ErrorIs(t, err, session.ErrInvalidCredentials)
	}
	_, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1", Client: session.Client{IP: "192.0.2.1"}})
	require.ErrorIs(t, err, session.ErrLocked)
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1", Client: session.Client{IP: "192.0.2.2"}})
	require.NoError(t, err, "another address is not locked")
}

func TestBusy(t *testing.T) {
	block := make(chan struct{})
	h := &blockingHasher{Hasher: fastHasher, block: block}
	f := newFixture(t, session.Config{Hasher: h, MaxConcurrentHashes: 1, HashWait: 10 * time.Millisecond})
	f.addUser(t, "alice", "password1", nil)
	done := make(chan error)
	go func() {
		_, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
		done <- err
	}()
	<-h.entered()
	_, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.ErrorIs(t, err, session.ErrBusy)
	close(block)
	require.NoError(t, <-done)
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t, session.Config{})
	f.addUser(t, "alice", "password1", nil)
	r1, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	r2, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	a, err := f.m.Authenticate(ctx, session.Credential{Bearer: r1.Token})
	require.NoError(t, err)

	_, err = f.m.ChangePassword(ctx, a, "wrong-one", "password-new", session.Client{})
	require.ErrorIs(t, err, session.ErrInvalidCredentials)
	_, err = f.m.ChangePassword(ctx, a, "password1", "short", session.Client{})
	require.ErrorIs(t, err, user.ErrInvalid)

	res, err := f.m.ChangePassword(ctx, a, "password1", "password-new", session.Client{})
	require.NoError(t, err)
	for _, c := range []session.Credential{{Bearer: r1.Token}, {SessionID: r1.SessionID}, {Bearer: r2.Token}, {SessionID: r2.SessionID}} {
		_, err := f.m.Authenticate(ctx, c)
		require.ErrorIs(t, err, session.ErrUnauthenticated, "older sessions die")
	}
	_, err = f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.NoError(t, err)
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.ErrorIs(t, err, session.ErrInvalidCredentials)
	_, err = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password-new"})
	require.NoError(t, err)
	u, _ := f.store.Users().GetUser(ctx, "id-alice")
	assert.Equal(t, int64(1), u.SessionEpoch)
	assert.False(t, u.PasswordChangedAt.IsZero())
}

func TestUnknownRolesDropped(t *testing.T) {
	f := newFixture(t, session.Config{})
	require.NoError(t, f.store.Roles().PutRole(ctx, permissions.Role{Code: "viewer", Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}}}))
	f.addUser(t, "alice", "password1", func(u *user.User) { u.Roles = []string{"ghost", "viewer"} })
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	a, err := f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	require.NoError(t, err)
	assert.True(t, a.Set.Can("Customer", permissions.OpRead))
	assert.False(t, a.Set.Can("Customer", permissions.OpDelete))
}

func TestAuditNeverHoldsSecrets(t *testing.T) {
	f := newFixture(t, session.Config{})
	f.addUser(t, "alice", "password1", nil)
	_, _ = f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "wrong-pass"})
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1", Client: session.Client{IP: "192.0.2.9"}})
	require.NoError(t, err)
	recs := f.audits(t, "acme")
	require.Len(t, recs, 2)
	outcomes := []string{recs[0].Outcome, recs[1].Outcome}
	assert.ElementsMatch(t, []string{"ok", "failed"}, outcomes)
	for _, r := range recs {
		all := strings.Join([]string{r.Username, r.Company, r.Detail, r.ClientIP, r.OperationID, r.TraceCode}, " ")
		for _, secret := range []string{"password1", "wrong-pass", res.Token, res.SessionID, res.Session.IDHash} {
			assert.NotContains(t, all, secret)
		}
		assert.Equal(t, "login", r.OperationID)
	}
}

func TestConcurrentLoginCheckLogout(t *testing.T) {
	f := newFixture(t, session.Config{MaxConcurrentHashes: 64, HashWait: time.Minute,
		Throttle: session.Throttle{PerUsername: session.Limit{MaxFailures: 100}}})
	f.addUser(t, "alice", "password1", nil)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
			if !assert.NoError(t, err) {
				return
			}
			a, err := f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
			if !assert.NoError(t, err) {
				return
			}
			assert.NoError(t, f.m.Logout(ctx, a, session.Client{}))
			_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
			assert.ErrorIs(t, err, session.ErrUnauthenticated)
		})
	}
	wg.Wait()
}

func TestThrottleCountsEverySpellingOfAUsername(t *testing.T) {
	f := newFixture(t, session.Config{Throttle: session.Throttle{
		PerUsername: session.Limit{MaxFailures: 3},
		PerAddress:  session.Limit{MaxFailures: -1},
	}})
	f.addUser(t, "alice", "password1", nil)
	for _, name := range []string{"alice", "Alice", "ALICE"} {
		_, err := f.m.Login(ctx, session.LoginRequest{Username: name, Password: "bad"})
		require.ErrorIs(t, err, session.ErrInvalidCredentials, name)
	}
	_, err := f.m.Login(ctx, session.LoginRequest{Username: "aLiCe", Password: "password1"})
	require.ErrorIs(t, err, session.ErrLocked, "failures under other spellings count for the same account")
}

func TestLoginAuditsTheStoredSpelling(t *testing.T) {
	f := newFixture(t, session.Config{})
	f.addUser(t, "alice", "password1", nil)
	_, err := f.m.Login(ctx, session.LoginRequest{Username: "ALICE", Password: "bad"})
	require.ErrorIs(t, err, session.ErrInvalidCredentials)
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "Alice", Password: "password1"})
	require.NoError(t, err)
	assert.Equal(t, "alice", res.User.Username)
	page, err := f.store.Audit().QueryAudit(ctx, storage.AuditQuery{Company: res.User.Company, OperationID: "login", Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Records, 2)
	for _, r := range page.Records {
		assert.Equal(t, "alice", r.Username, "one account, one name in the audit")
	}
}
