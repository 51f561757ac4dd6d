package manage_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/user"
)

// TestUpdatesKeepTheSecondFactor: an admin's change of a user (a field, a
// block and unblock, the roles) keeps the user's second factor and pending
// reset token, and no user handed out carries their secrets.
func TestUpdatesKeepTheSecondFactor(t *testing.T) {
	ctx := context.Background()
	env := gatehousetest.New(t, gatehousetest.WithConfig(func(c *gatehouse.Config) {
		c.Session.MFA.Key = bytes.Repeat([]byte{9}, 32)
	}))
	m := env.G.Manage()
	u, err := m.CreateUser(ctx, manage.System, manage.NewUser{Username: "ann", Password: "ann-password", Company: "acme"})
	require.NoError(t, err)
	require.NoError(t, env.G.Sessions().ImportTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"))
	before, err := env.G.Store().Users().GetUser(ctx, u.ID)
	require.NoError(t, err)
	before.RecoveryCodes = []string{"h1", "h2"}
	before.ResetTokenHash = "h3"
	before, err = env.G.Store().Users().UpdateUser(ctx, before)
	require.NoError(t, err)

	got, err := m.UpdateUser(ctx, manage.System, u.ID, func(u *user.User) error { u.Name = "Ann B."; return nil })
	require.NoError(t, err)
	assert.True(t, got.TOTPEnabled)
	assert.Empty(t, got.TOTPSecret, "no secret leaves package manage")
	assert.Empty(t, got.RecoveryCodes)
	assert.Empty(t, got.ResetTokenHash)
	_, err = m.UpdateUser(ctx, manage.System, u.ID, func(u *user.User) error { u.Blocked = true; return nil })
	require.NoError(t, err)
	_, err = m.UpdateUser(ctx, manage.System, u.ID, func(u *user.User) error { u.Blocked = false; return nil })
	require.NoError(t, err)

	after, err := env.G.Store().Users().GetUser(ctx, u.ID)
	require.NoError(t, err)
	assert.Equal(t, before.TOTPSecret, after.TOTPSecret)
	assert.True(t, after.TOTPEnabled)
	assert.Equal(t, before.RecoveryCodes, after.RecoveryCodes)
	assert.Equal(t, before.ResetTokenHash, after.ResetTokenHash)
}
