package manage_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
)

// makeKey makes an API key of username from a fresh login.
func (f *fixture) makeKey(t *testing.T, username string) *session.NewAPIKey {
	t.Helper()
	k, err := f.env.G.Sessions().CreateAPIKey(context.Background(), f.auth(t, username), session.APIKeyRequest{Name: "ci"}, session.Client{})
	require.NoError(t, err)
	return k
}

func TestAPIKeysRules(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	target := f.makeKey(t, "target")
	alien := f.makeKey(t, "faraway")
	boss := f.makeKey(t, "boss")

	// Its owner and a user manager of its company see it, never the key.
	for _, who := range []string{"target", "mgr", "ro"} {
		ks, err := f.m.APIKeys(ctx, f.as(t, who), f.id("target"))
		require.NoError(t, err, who)
		require.Len(t, ks, 1, who)
		assert.Equal(t, target.Record.ID, ks[0].ID)
	}
	_, err := f.m.APIKeys(ctx, f.as(t, "plain"), f.id("target"))
	assert.Equal(t, manage.RulePermission, rule(t, err), "no users_manage")
	_, err = f.m.APIKeys(ctx, f.as(t, "mgr"), f.id("faraway"))
	assert.ErrorIs(t, err, manage.ErrNotFound, "another company's user is absent")
	assert.ErrorIs(t, f.m.RevokeAPIKey(ctx, f.as(t, "mgr"), f.id("faraway"), alien.Record.ID), manage.ErrNotFound)

	// Revoking: read-only managers, admins' keys, ids of another user.
	assert.Equal(t, manage.RuleReadOnly, rule(t, f.m.RevokeAPIKey(ctx, f.as(t, "ro"), f.id("target"), target.Record.ID)))
	assert.Equal(t, manage.RuleAdmin, rule(t, f.m.RevokeAPIKey(ctx, f.as(t, "mgr"), f.id("boss"), boss.Record.ID)))
	assert.ErrorIs(t, f.m.RevokeAPIKey(ctx, f.as(t, "mgr"), f.id("target"), alien.Record.ID), manage.ErrNotFound, "another user's key under target")
	for _, k := range []*session.NewAPIKey{target, alien, boss} {
		s, err := f.env.Store.APIKeys().GetAPIKey(ctx, k.Record.KeyHash)
		require.NoError(t, err)
		assert.False(t, s.Revoked, "a refusal revokes nothing")
	}

	require.NoError(t, f.m.RevokeAPIKey(ctx, f.as(t, "mgr"), f.id("target"), target.Record.ID))
	ks, err := f.m.APIKeys(ctx, manage.System, f.id("target"))
	require.NoError(t, err)
	assert.Empty(t, ks, "a revoked key is not live")
	_, err = f.env.G.Sessions().Authenticate(ctx, session.Credential{APIKey: target.Key})
	assert.ErrorIs(t, err, session.ErrUnauthenticated)

	// The owner, read-only or not, revokes its own; System anyone's.
	require.NoError(t, f.m.RevokeAPIKey(ctx, manage.System, f.id("boss"), boss.Record.ID))

	page, err := f.env.Store.Audit().QueryAudit(ctx, storage.AuditQuery{Company: acme, Limit: 1000})
	require.NoError(t, err)
	found := false
	for _, r := range page.Records {
		if r.OperationID == "api_key_revoke" && r.Username == "mgr" {
			found = true
			assert.Contains(t, r.Detail, target.Record.ID)
			assert.NotContains(t, r.Detail, target.Record.KeyHash)
		}
	}
	assert.True(t, found, "api_key_revoke audited with the actor")
}
