package manage_test

import (
	"context"
	"testing"

	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A user manager must not widen whose rows it, or a user whose password it
// sets, sees: the fields the row rules read are guarded (found in review).
func TestRowFieldsAreGuarded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Before any row rule, attributes are plain data a manager may set.
	_, err := f.m.UpdateUser(ctx, f.as(t, "mgr"), f.id("mgr"), func(u *user.User) error {
		u.Attributes = map[string]string{"dep_id": "104"}
		return nil
	})
	require.NoError(t, err)

	_, err = f.m.PutRole(ctx, manage.System, permissions.Role{Code: "sales",
		Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}},
		Rows: map[string]map[string][]permissions.Condition{"Customer": {"read": {
			{"dep_id": permissions.RowUser("dep_id")}, {"owner": permissions.RowUser("username")}}}}})
	require.NoError(t, err)
	mgr := f.as(t, "mgr")
	set := func(a manage.Actor, id string, change func(*user.User)) error {
		_, err := f.m.UpdateUser(ctx, a, id, func(u *user.User) error { change(u); return nil })
		return err
	}

	err = set(mgr, f.id("mgr"), func(u *user.User) { u.Attributes["dep_id"] = "105" })
	assert.Equal(t, manage.RuleIdentity, rule(t, err), "its own department")
	err = set(mgr, f.id("mgr"), func(u *user.User) { delete(u.Attributes, "dep_id") })
	assert.Equal(t, manage.RuleIdentity, rule(t, err), "dropping its own")
	err = set(mgr, f.id("target"), func(u *user.User) { u.Attributes = map[string]string{"dep_id": "105"} })
	assert.Equal(t, manage.RuleIdentity, rule(t, err), "a department it is not in")
	err = set(mgr, f.id("target"), func(u *user.User) { u.Username = "mgr2" })
	assert.Equal(t, manage.RuleIdentity, rule(t, err), "a rename, since a rule reads $user.username")
	_, err = f.m.CreateUser(ctx, mgr, manage.NewUser{Username: "spy", Password: "password-spy", Roles: []string{"sales"},
		Attributes: map[string]string{"dep_id": "105"}})
	assert.Equal(t, manage.RuleIdentity, rule(t, err), "a new user in another department")
	got, err := f.m.User(ctx, manage.System, f.id("target"))
	require.NoError(t, err)
	assert.Empty(t, got.Attributes, "nothing written")
	assert.Equal(t, "target", got.Username)

	require.NoError(t, set(mgr, f.id("target"), func(u *user.User) { u.Attributes = map[string]string{"dep_id": "104", "desk": "9"} }),
		"its own department, and a field no rule reads")
	require.NoError(t, set(mgr, f.id("target"), func(u *user.User) { delete(u.Attributes, "dep_id") }), "narrowing another user")
	require.NoError(t, set(mgr, f.id("mgr"), func(u *user.User) { u.Attributes["desk"] = "1" }), "its own field no rule reads")
	_, err = f.m.CreateUser(ctx, mgr, manage.NewUser{Username: "colleague", Password: "password-colleague", Roles: []string{"sales"},
		Attributes: map[string]string{"dep_id": "104"}})
	require.NoError(t, err)

	boss := f.as(t, "boss")
	require.NoError(t, set(boss, f.id("mgr"), func(u *user.User) { u.Attributes["dep_id"] = "105" }), "an admin may")
	require.NoError(t, set(boss, f.id("target"), func(u *user.User) { u.Username = "target2" }))
}
