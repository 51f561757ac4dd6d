package user_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gatehouse-go/gatehouse/user"
)

func TestEffectiveAccess(t *testing.T) {
	for in, want := range map[user.Access]user.Access{
		"":                  user.AccessFull,
		user.AccessFull:     user.AccessFull,
		user.AccessReadOnly: user.AccessReadOnly,
	} {
		u := user.User{Access: in}
		assert.Equal(t, want, u.EffectiveAccess(), "access %q", in)
	}
}

func TestCloneIsDeep(t *testing.T) {
	u := user.User{
		Username:      "ann",
		Roles:         []string{"USER"},
		Attributes:    map[string]string{"dep_id": "1"},
		Parameters:    map[string]string{"ttl": "60"},
		RecoveryCodes: []string{"h1", "h2"},
	}
	c := u.Clone()
	assert.Equal(t, u, c)

	c.Roles[0] = "ADMIN"
	c.Attributes["dep_id"] = "2"
	c.Parameters["ttl"] = "0"
	c.RecoveryCodes[0] = "used"
	assert.Equal(t, []string{"h1", "h2"}, u.RecoveryCodes)
	assert.Equal(t, []string{"USER"}, u.Roles)
	assert.Equal(t, "1", u.Attributes["dep_id"])
	assert.Equal(t, "60", u.Parameters["ttl"])

	var empty user.User
	assert.Equal(t, empty, empty.Clone(), "nil slices and maps stay nil")
}
