package session_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

func TestAuthRows(t *testing.T) {
	roles := []permissions.Role{{
		Code:     "sales",
		Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}},
		Rows: map[string]map[string][]permissions.Condition{"Customer": {"read": {
			{"dep_id": permissions.RowUser("dep_id")},
			{"owner_id": permissions.RowUser("id")},
			{"login": permissions.RowUser("username"), "company": permissions.RowUser("company")},
		}}},
	}}
	set, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales"}})
	require.NoError(t, err)
	auth := &session.Auth{
		User: user.User{ID: "u1", Username: "ann", Company: "acme", Roles: []string{"sales"},
			Attributes: map[string]string{"dep_id": "104"}},
		Set: set,
	}
	rows := auth.Rows("Customer", permissions.OpRead)
	assert.True(t, rows.Match(map[string]any{"dep_id": "104"}), "$user.dep_id is the user's attribute")
	assert.True(t, rows.Match(map[string]any{"owner_id": "u1"}), "$user.id is the user's id")
	assert.True(t, rows.Match(map[string]any{"login": "ann", "company": "acme"}), "$user.username and $user.company")
	assert.False(t, rows.Match(map[string]any{"dep_id": "105", "owner_id": "u2", "login": "ann", "company": "globex"}))
	where, args, err := rows.SQL(map[string]string{"dep_id": "dep_id", "owner_id": "owner_id", "login": "login", "company": "company"}, permissions.Dollar)
	require.NoError(t, err)
	assert.Equal(t, "(dep_id = $1 OR owner_id = $2 OR (company = $3 AND login = $4))", where)
	assert.Equal(t, []any{"104", "u1", "acme", "ann"}, args)
	assert.True(t, auth.Rows("Customer", permissions.OpUpdate).None(), "an operation not granted")

	bob := &session.Auth{User: user.User{ID: "u2", Username: "bob", Company: "acme"}, Set: set}
	assert.False(t, bob.Rows("Customer", permissions.OpRead).Match(map[string]any{"dep_id": ""}), "a user without the attribute matches nothing")

	owned := map[string]any{"owner_id": "u1"}
	allocs := testing.AllocsPerRun(100, func() {
		if !auth.Rows("Customer", permissions.OpRead).Match(owned) {
			t.Fatal("must match")
		}
	})
	assert.Zero(t, allocs, "binding to the user and matching allocate nothing")

	var none *session.Auth
	assert.True(t, none.Rows("Customer", permissions.OpRead).None(), "a nil Auth allows no row")
	assert.True(t, (&session.Auth{}).Rows("Customer", permissions.OpRead).None(), "an Auth without a set allows no row")
}
