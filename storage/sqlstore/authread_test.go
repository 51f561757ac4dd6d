package sqlstore_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/user"
)

// A database whose single gh_policy row is gone is damaged: the
// authenticating reads must fail as the store failing (a 503), not answer
// that the session or the user does not exist (a 401), as PolicyVersion
// does.
func TestAuthReadWithoutPolicyRowFails(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			s := open(t, fresh(t), sqlstore.Config{})
			ctx := t.Context()
			_, err := s.Users().CreateUser(ctx, user.User{ID: "u1", Username: "alice", Company: "acme"})
			require.NoError(t, err)
			now := time.Now()
			hash := strings.Repeat("ab", 32)
			require.NoError(t, s.Sessions().CreateSession(ctx, storage.Session{
				IDHash: hash, UserID: "u1", CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now,
			}))
			orphan := strings.Repeat("cd", 32)
			require.NoError(t, s.Sessions().CreateSession(ctx, storage.Session{
				IDHash: orphan, UserID: "gone", CreatedAt: now, ExpiresAt: now.Add(time.Hour), LastSeenAt: now,
			}))

			a, err := s.ReadAuth(ctx, hash)
			require.NoError(t, err, "ReadAuth with the gh_policy row")
			require.True(t, a.UserFound)
			u, err := s.ReadUserAuth(ctx, "u1")
			require.NoError(t, err, "ReadUserAuth with the gh_policy row")
			require.True(t, u.UserFound)

			_, err = s.DB().ExecContext(ctx, "DELETE FROM gh_policy")
			require.NoError(t, err)
			_, err = s.Roles().PolicyVersion(ctx)
			require.Error(t, err, "PolicyVersion without the gh_policy row")
			require.NotErrorIs(t, err, storage.ErrNotFound)

			for what, id := range map[string]string{"a session of an existing user": hash, "a session of a missing user": orphan} {
				_, err = s.ReadAuth(ctx, id)
				require.Error(t, err, "ReadAuth of %s without the gh_policy row", what)
				require.NotErrorIs(t, err, storage.ErrNotFound, "ReadAuth of %s without the gh_policy row", what)
				require.ErrorContains(t, err, "gh_policy")
			}
			for _, id := range []string{"u1", "gone"} {
				_, err = s.ReadUserAuth(ctx, id)
				require.Error(t, err, "ReadUserAuth of %q without the gh_policy row", id)
				require.NotErrorIs(t, err, storage.ErrNotFound, "ReadUserAuth of %q without the gh_policy row", id)
				require.ErrorContains(t, err, "gh_policy")
			}
			// A missing session is still ErrNotFound: ReadAuth reads
			// nothing else for it.
			_, err = s.ReadAuth(ctx, strings.Repeat("ef", 32))
			require.ErrorIs(t, err, storage.ErrNotFound)
		})
	}
}
