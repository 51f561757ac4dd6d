package gatehouse_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
)

// Every error of package manage has its status; a 400 names the field and
// the rule, a 403 the rule; a store's failure is a 503 that says nothing of
// it.
func TestManageErrorStatuses(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     error
		status  int
		message string
	}{
		{"field error", &user.FieldError{Field: "email", Rule: user.RuleFormat, Message: "must be an address"}, 400, "email: must be an address (format)"},
		{"validation errors", user.ValidationErrors{
			{Field: "username", Rule: user.RulePattern, Message: "bad"},
			{Field: "phone", Rule: user.RuleLength, Message: "short"},
		}, 400, "username: bad (pattern); phone: short (length)"},
		{"invalid role", fmt.Errorf("%w: %w", manage.ErrInvalid, fmt.Errorf("permissions: role %q: base: %w: %q", "x", permissions.ErrUnknownRole, "y")), 400, `role "x": base: unknown role: "y" (unknown)`},
		{"not found", fmt.Errorf("%w: no such user", manage.ErrNotFound), 404, "no such user"},
		{"forbidden", &manage.ForbiddenError{Rule: manage.RuleEscalation, Message: "does not hold \"x\""}, 403, `forbidden (escalation): does not hold "x"`},
		{"username taken", fmt.Errorf("%w: username %q is taken", manage.ErrConflict, "ann"), 409, `username "ann" is taken (up to case)`},
		{"role in use", &manage.RoleInUseError{Code: "sales", Holders: 3, IncludedBy: []string{"a", "b"}}, 409, `role "sales" is in use: held by 3 user(s), included by a, b; delete with ?force=true to remove it from them`},
		{"concurrent change", fmt.Errorf("%w: update user: 5 writes in a row met a concurrent change", manage.ErrConflict), 409, "changed concurrently; nothing was written, retry"},
		{"store failure", errors.New(`pq: relation "users" does not exist`), 503, "service unavailable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var he *gatehouse.Error
			require.True(t, errors.As(gatehouse.ExportManageError(tc.err), &he))
			assert.Equal(t, tc.status, he.Status)
			assert.Equal(t, tc.message, he.Message)
			if tc.status == http.StatusServiceUnavailable {
				assert.NotContains(t, he.Message, "pq:")
			}
		})
	}
}

// failingList is a store whose user listing fails, as a database that does
// not answer would.
type failingList struct{ storage.Store }

func (s failingList) Users() storage.UserStore { return failingListUsers{s.Store.Users()} }

type failingListUsers struct{ storage.UserStore }

func (failingListUsers) ListUsers(context.Context, storage.UserQuery) ([]user.User, error) {
	return nil, errors.New("connection refused")
}

func TestAdminStoreFailureIs503(t *testing.T) {
	d, err := datafile.Parse([]byte(adminData))
	require.NoError(t, err)
	clock := gatehousetest.NewClock(gatehousetest.StartTime())
	ms := memstore.New(memstore.Config{Now: clock.Now})
	t.Cleanup(func() { _ = ms.Close() })
	env := gatehousetest.New(t, gatehousetest.WithData(d), gatehousetest.WithClock(clock), gatehousetest.WithConfig(func(c *gatehouse.Config) {
		c.Store = failingList{ms}
	}))
	e := &adminEnv{Env: env, admin: env.G.AdminHandler()}
	rec := e.call(t, e.admin, "ada", http.MethodGet, "/users", "")
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
	msg := errorMessage(t, rec)
	assert.Equal(t, "service unavailable", msg)
}
