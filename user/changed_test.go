package user_test

import (
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestChanged(t *testing.T) {
	before := user.User{ID: "1", Username: "ann", Company: "acme", Roles: []string{"a"}, Attributes: map[string]string{"k": "v"}}
	after := before.Clone()
	assert.Empty(t, user.Changed(&before, &after))
	after.Name, after.Roles, after.Attributes["k"] = "Ann Lee", []string{"a", "b"}, "w"
	assert.Equal(t, []string{"name", "roles", "attributes"}, user.Changed(&before, &after))
	assert.False(t, user.ChangesStoreFields(&before, &after))
	assert.False(t, user.ChangesCredentials(&before, &after))
	after.UpdatedAt = time.Unix(1, 0)
	assert.True(t, user.ChangesStoreFields(&before, &after))
	after = before.Clone()
	after.SessionEpoch++
	assert.True(t, user.ChangesCredentials(&before, &after))
}

func TestValidateFields(t *testing.T) {
	u := user.User{Username: "ann", Company: "acme", Email: "not an address", Name: "x"}
	require.Error(t, u.Validate())
	assert.NoError(t, u.ValidateFields([]string{"username"}), "broken fields not named are not held against it")
	var errs user.ValidationErrors
	require.ErrorAs(t, u.ValidateFields([]string{"email"}), &errs)
	require.Len(t, errs, 1)
	assert.Equal(t, "email", errs[0].Field)
}
