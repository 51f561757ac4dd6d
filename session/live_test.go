package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Live applies the live-session rule of Authenticate; the idle timeout it
// counts is the longest of the session's credentials.
func TestLive(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	u := user.User{ID: "u1", SessionEpoch: 3}
	live := storage.Session{IDHash: "h", UserID: "u1", CreatedAt: now.Add(-time.Hour), LastSeenAt: now.Add(-25 * time.Minute),
		ExpiresAt: now.Add(time.Hour), Epoch: 3}
	tests := []struct {
		name      string
		cookie    time.Duration
		token     time.Duration
		change    func(s *storage.Session, u *user.User)
		wantAlive bool
	}{
		{"live", 0, 0, func(*storage.Session, *user.User) {}, true},
		{"revoked", 0, 0, func(s *storage.Session, _ *user.User) { s.Revoked = true }, false},
		{"expired", 0, 0, func(s *storage.Session, _ *user.User) { s.ExpiresAt = now }, false},
		{"blocked user", 0, 0, func(_ *storage.Session, u *user.User) { u.Blocked = true }, false},
		{"older epoch", 0, 0, func(_ *storage.Session, u *user.User) { u.SessionEpoch++ }, false},
		{"another user's", 0, 0, func(s *storage.Session, _ *user.User) { s.UserID = "u2" }, false},
		{"cookie idle, tokens never idle", 10 * time.Minute, 0, func(*storage.Session, *user.User) {}, true},
		{"idle for both credentials", 10 * time.Minute, 20 * time.Minute, func(*storage.Session, *user.User) {}, false},
		{"idle for the cookie only", 10 * time.Minute, 30 * time.Minute, func(*storage.Session, *user.User) {}, true},
		{"idle for the token only", 30 * time.Minute, 10 * time.Minute, func(*storage.Session, *user.User) {}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, session.Config{IdleTimeout: tt.cookie, TokenIdleTimeout: tt.token})
			s, uu := live, u
			tt.change(&s, &uu)
			assert.Equal(t, tt.wantAlive, f.m.Live(s, &uu, now))
		})
	}
}

// LiveSessions lists exactly the sessions Authenticate accepts, newest
// first.
func TestLiveSessions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, session.Config{})
	u := f.addUser(t, "alice", "password1", nil)
	var ids []string
	for range 3 {
		res, err := f.m.Login(ctx, session.LoginRequest{Username: "alice", Password: "password1"})
		require.NoError(t, err)
		ids = append(ids, res.Session.IDHash)
		f.clock.Add(time.Second)
	}
	require.NoError(t, f.store.Sessions().RevokeSession(ctx, ids[1]))
	got, err := f.m.LiveSessions(ctx, &u)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, ids[2], got[0].IDHash)
	assert.Equal(t, ids[0], got[1].IDHash)

	u.Blocked = true
	got, err = f.m.LiveSessions(ctx, &u)
	require.NoError(t, err)
	assert.Empty(t, got)

	none, err := f.m.LiveSessions(ctx, &user.User{ID: "nobody"})
	require.NoError(t, err)
	assert.Empty(t, none)
	assert.Equal(t, user.PasswordPolicy{}.MinLength, f.m.PasswordPolicy().MinLength)
}
