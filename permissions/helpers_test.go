package permissions_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// ops is shorthand for a list of operations.
func ops(o ...permissions.Op) []permissions.Op { return o }

const (
	C = permissions.OpCreate
	R = permissions.OpRead
	U = permissions.OpUpdate
	D = permissions.OpDelete
)

// compile compiles a user holding every role in roles.
func compile(t testing.TB, roles []permissions.Role, readOnly, admin bool) *permissions.Set {
	t.Helper()
	held := make([]string, len(roles))
	for i, r := range roles {
		held[i] = r.Code
	}
	s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: held, ReadOnly: readOnly, Admin: admin})
	require.NoError(t, err)
	return s
}
