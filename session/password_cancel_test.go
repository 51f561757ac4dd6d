package session_test

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cancellingStore is a memory store whose UpdateUser ends the caller's
// request (cancel) and fails, as a client hanging up mid-change would.
type cancellingStore struct {
	*memstore.Store
	cancel context.CancelFunc
}

func (s *cancellingStore) Users() storage.UserStore { return cancellingUsers{s.Store.Users(), s} }

type cancellingUsers struct {
	storage.UserStore
	s *cancellingStore
}

func (u cancellingUsers) UpdateUser(ctx context.Context, nu user.User) (user.User, error) {
	if u.s.cancel != nil {
		u.s.cancel()
		return user.User{}, context.Canceled
	}
	return u.UserStore.UpdateUser(ctx, nu)
}

// A password change whose user write fails after its new session was
// stored must revoke that session, even though the request's context has
// ended by then.
func TestChangePasswordRevokesItsNewSessionWhenTheWriteFails(t *testing.T) {
	base := memstore.New(memstore.Config{Now: func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }})
	st := &cancellingStore{Store: base}
	k, err := token.GenerateEd25519("")
	require.NoError(t, err)
	keys, err := token.NewKeySet(k)
	require.NoError(t, err)
	m, err := session.New(st, keys, session.Config{Now: func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }, Hasher: fastHasher})
	require.NoError(t, err)
	h, err := fastHasher.Hash("password1")
	require.NoError(t, err)
	_, err = base.Users().CreateUser(context.Background(), user.User{ID: "u1", Username: "alice", Company: "acme", PasswordHash: h})
	require.NoError(t, err)
	res, err := m.Login(context.Background(), session.LoginRequest{Username: "alice", Password: "password1"})
	require.NoError(t, err)
	a, err := m.Authenticate(context.Background(), session.Credential{Bearer: res.Token})
	require.NoError(t, err)

	reqCtx, cancel := context.WithCancel(context.Background())
	st.cancel = cancel
	_, err = m.ChangePassword(reqCtx, a, "password1", "password-new", session.Client{})
	require.Error(t, err)
	st.cancel = nil

	sessions, err := base.Sessions().ListSessions(context.Background(), "u1")
	require.NoError(t, err)
	require.Len(t, sessions, 2, "the login's session and the change's new one")
	for _, s := range sessions {
		if s.Epoch == 1 {
			assert.True(t, s.Revoked, "the new session under the next epoch is revoked")
		} else {
			assert.False(t, s.Revoked, "the caller's session is untouched")
		}
	}
	u, err := base.Users().GetUser(context.Background(), "u1")
	require.NoError(t, err)
	assert.Equal(t, int64(0), u.SessionEpoch, "nothing half-written")
	assert.Equal(t, h, u.PasswordHash)
}
