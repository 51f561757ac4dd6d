package session_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/session"
)

// A bearer token works for the ttl it was issued with, however long it
// goes unused; the idle timeout ends only the cookie (issue 11, item 10).
func TestTokenOutlivesTheCookieIdleTimeout(t *testing.T) {
	f := newFixture(t, session.Config{Token: tokenNoLeeway()}) // IdleTimeout: the default 30 minutes
	f.addUser(t, "alice", "password1", nil)
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1", TTL: 24 * time.Hour})
	require.NoError(t, err)

	f.clock.Add(session.DefaultIdleTimeout + time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	require.ErrorIs(t, err, session.ErrUnauthenticated, "the cookie idles out")

	// Unused for all but a second of its day: still good.
	f.clock.Set(res.Session.CreatedAt.Add(24*time.Hour - time.Second))
	a, err := f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.NoError(t, err, "a token works for its ttl unless revoked")
	assert.Equal(t, "alice", a.User.Username)

	f.clock.Add(2 * time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.ErrorIs(t, err, session.ErrUnauthenticated, "but not beyond it")
}

func TestTokenOfAYearIgnoresIdleness(t *testing.T) {
	f := newFixture(t, session.Config{IdleTimeout: 10 * time.Minute})
	f.addUser(t, "alice", "password1", nil)
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1", TTL: 31556926 * time.Second})
	require.NoError(t, err)
	for _, gap := range []time.Duration{time.Hour, 24 * time.Hour, 30 * 24 * time.Hour, 300 * 24 * time.Hour} {
		f.clock.Add(gap)
		_, err = f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
		require.NoError(t, err, "after %v unused", gap)
	}
}

// A revoked token still dies at once, idle timeout or not.
func TestTokenRevokedDespiteNoIdleTimeout(t *testing.T) {
	f := newFixture(t, session.Config{})
	f.addUser(t, "alice", "password1", nil)
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	f.clock.Add(2 * time.Hour)
	a, err := f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.NoError(t, err)
	require.NoError(t, f.m.Logout(ctx, a, session.Client{}))
	_, err = f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.ErrorIs(t, err, session.ErrUnauthenticated)
}

// TokenIdleTimeout gives tokens an idle timeout of their own, ±1 s.
func TestTokenIdleTimeout(t *testing.T) {
	f := newFixture(t, session.Config{IdleTimeout: 30 * time.Minute, TokenIdleTimeout: 2 * time.Hour})
	f.addUser(t, "alice", "password1", nil)
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)

	f.clock.Add(30*time.Minute + time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	require.ErrorIs(t, err, session.ErrUnauthenticated, "the cookie keeps its own timeout")

	f.clock.Set(res.Session.LastSeenAt.Add(2*time.Hour - time.Second))
	_, err = f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.NoError(t, err)
	s, err := f.store.Sessions().GetSession(ctx, res.Session.IDHash)
	require.NoError(t, err)
	assert.Equal(t, f.clock.Now(), s.LastSeenAt, "the use was recorded")

	f.clock.Add(2*time.Hour - time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.NoError(t, err)
	f.clock.Add(2*time.Hour + time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{Bearer: res.Token})
	require.ErrorIs(t, err, session.ErrUnauthenticated)
}

// The touch interval follows the idle timeouts: by default a tenth of the
// shortest one when that is under ten minutes, and never above either.
func TestTouchIntervalFollowsIdleTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  session.Config
		ok   bool
	}{
		{"defaults", session.Config{}, true},
		{"short cookie timeout gets a shorter default touch", session.Config{IdleTimeout: 30 * time.Second}, true},
		{"short token timeout gets a shorter default touch", session.Config{TokenIdleTimeout: 30 * time.Second}, true},
		{"touch above the token timeout", session.Config{TokenIdleTimeout: time.Minute, TouchInterval: 2 * time.Minute}, false},
		{"touch above the cookie timeout", session.Config{IdleTimeout: time.Minute, TouchInterval: 2 * time.Minute}, false},
		{"touch above a disabled timeout", session.Config{IdleTimeout: -1, TouchInterval: time.Hour}, true},
		{"negative token timeout is none", session.Config{TokenIdleTimeout: -1, TouchInterval: time.Minute}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, session.Config{})
			tc.cfg.Now = f.clock.Now
			_, err := session.New(f.store, f.keys, tc.cfg)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, session.ErrConfig)
			}
		})
	}

	// With a 30 s cookie timeout the session is touched every 3 s, so a
	// cookie used every 20 s stays alive.
	f := newFixture(t, session.Config{IdleTimeout: 30 * time.Second})
	f.addUser(t, "alice", "password1", nil)
	res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	for i := 0; i < 10; i++ {
		f.clock.Add(20 * time.Second)
		_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
		require.NoError(t, err, "use %d", i)
	}
	f.clock.Add(30 * time.Second)
	_, err = f.m.Authenticate(ctx, session.Credential{SessionID: res.SessionID})
	require.ErrorIs(t, err, session.ErrUnauthenticated)
}
