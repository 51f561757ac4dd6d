package gatehousetest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHasher(t *testing.T) {
	h := gatehousetest.Hasher()
	enc, err := h.Hash("secret")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(enc, gatehousetest.HashPrefix))
	assert.NotContains(t, enc, "secret")
	for _, c := range []struct {
		name, enc, pw string
		ok            bool
		err           error
	}{
		{"right", enc, "secret", true, nil},
		{"wrong", enc, "Secret", false, nil},
		{"empty hash", "", "secret", false, user.ErrNoHash},
		{"bcrypt hash", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", "secret", false, user.ErrUnknownScheme},
	} {
		t.Run(c.name, func(t *testing.T) {
			ok, _, err := h.Verify(c.enc, c.pw)
			assert.Equal(t, c.ok, ok)
			assert.ErrorIs(t, err, c.err)
		})
	}
	_, err = h.Hash("")
	assert.ErrorIs(t, err, user.ErrEmptyPassword)
}

func TestClock(t *testing.T) {
	c := gatehousetest.NewClock(gatehousetest.StartTime())
	c.Add(time.Hour)
	assert.Equal(t, gatehousetest.StartTime().Add(time.Hour), c.Now())
	c.Set(time.Unix(0, 0))
	assert.Equal(t, time.Unix(0, 0), c.Now())
}

func TestDataFileUsersLogIn(t *testing.T) {
	env := gatehousetest.New(t, gatehousetest.WithDataFile("testdata/gatehouse.json"))
	for _, name := range []string{"ann", "imported"} {
		t.Run(name, func(t *testing.T) {
			l := env.LoginAs(t, name)
			assert.NotEmpty(t, l.Token)
			assert.Equal(t, "SID", l.Cookie.Name)
			a, err := env.G.Sessions().Authenticate(context.Background(), session.Credential{SessionID: l.Cookie.Value})
			require.NoError(t, err)
			assert.Equal(t, name, a.User.Username)
		})
	}
	t.Run("the real login endpoint accepts the file's password", func(t *testing.T) {
		r := httptest.NewRequest("POST", "/token", strings.NewReader(`{"username":"ann","password":"ann-test-password"}`))
		r.Header.Set("Content-Type", "application/json")
		assert.Equal(t, http.StatusOK, env.Serve(nil, r).Code)
	})
}

func TestAddUserAndRequests(t *testing.T) {
	env := gatehousetest.New(t, gatehousetest.WithData(&datafile.File{
		Roles: []permissions.Role{{Code: "viewer", Entities: map[string][]permissions.Op{"*": {permissions.OpRead}}}},
	}))
	u := env.AddUser(t, user.User{Username: "bob", Roles: []string{"viewer"}, Locale: "ru"}, "")
	assert.Equal(t, "id-bob", u.ID)
	assert.Equal(t, gatehousetest.DefaultCompany, u.Company)

	t.Run("bearer", func(t *testing.T) {
		r := env.Authorize(t, httptest.NewRequest("GET", "/userInfo", nil), "bob")
		rec := env.Serve(nil, r)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.JSONEq(t, `{"username":"bob","locale":"ru"}`, rec.Body.String())
	})
	t.Run("cookie", func(t *testing.T) {
		r := env.WithCookie(t, httptest.NewRequest("GET", "/user", nil), "bob")
		rec := env.Serve(nil, r)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var doc gatehouse.UserDocument
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
		assert.Equal(t, []string{"viewer"}, doc.Roles)
	})
	t.Run("host middleware", func(t *testing.T) {
		h := env.G.Authenticate(env.G.RequireEntity("Customer", permissions.OpDelete)(http.NotFoundHandler()))
		rec := env.Serve(h, env.Authorize(t, httptest.NewRequest("GET", "/x", nil), "bob"))
		assert.Equal(t, http.StatusForbidden, rec.Code)
		rec = env.Serve(h, httptest.NewRequest("GET", "/x", nil))
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
	})
	t.Run("context for a handler unit test", func(t *testing.T) {
		ctx := env.Context(t, context.Background(), "bob")
		a, ok := session.FromContext(ctx)
		require.True(t, ok)
		assert.Equal(t, "bob", a.User.Username)
		assert.True(t, a.Set.Can("Customer", permissions.OpRead))
		assert.False(t, a.Set.Can("Customer", permissions.OpUpdate))
	})
	t.Run("the clock expires sessions", func(t *testing.T) {
		c := env.WithCookie(t, httptest.NewRequest("GET", "/userInfo", nil), "bob")
		r := env.Authorize(t, httptest.NewRequest("GET", "/userInfo", nil), "bob")
		env.Clock.Add(31 * time.Minute) // past the cookie's idle timeout
		assert.Equal(t, http.StatusUnauthorized, env.Serve(nil, c).Code)
		assert.Equal(t, http.StatusOK, env.Serve(nil, r).Code, "a token has no idle timeout")
		env.Clock.Add(24 * time.Hour) // past the token's default ttl
		assert.Equal(t, http.StatusUnauthorized, env.Serve(nil, r).Code)
	})
}

// fatalTB records a Fatalf instead of stopping the goroutine.
type fatalTB struct {
	failed string
}

func (f *fatalTB) Helper()                        {}
func (f *fatalTB) Cleanup(func())                 {}
func (f *fatalTB) Fatalf(format string, _ ...any) { f.failed = format }

func TestHelpersFailTheTest(t *testing.T) {
	env := gatehousetest.New(t)
	for name, f := range map[string]func(tb gatehousetest.TB){
		"unknown user":      func(tb gatehousetest.TB) { env.LoginAs(tb, "nobody") },
		"invalid user":      func(tb gatehousetest.TB) { env.AddUser(tb, user.User{Username: "bad name"}, "pw") },
		"missing data file": func(tb gatehousetest.TB) { gatehousetest.New(tb, gatehousetest.WithDataFile("testdata/none.json")) },
		"bad config": func(tb gatehousetest.TB) {
			gatehousetest.New(tb, gatehousetest.WithConfig(func(c *gatehouse.Config) { c.MaxBodyBytes = -1 }))
		},
	} {
		t.Run(name, func(t *testing.T) {
			tb := &fatalTB{}
			func() {
				defer func() { _ = recover() }() // helpers go on after a fake Fatalf
				f(tb)
			}()
			assert.NotEmpty(t, tb.failed)
		})
	}
}

func TestLoginAsIgnoresUsernameCase(t *testing.T) {
	env := gatehousetest.New(t, gatehousetest.WithDataFile("testdata/gatehouse.json"))
	for _, name := range []string{"Ann", "ann", "ANN", "Ann", "ann"} {
		l := env.LoginAs(t, name) // one user, one remembered password
		require.NotEmpty(t, l.Token, name)
		require.Equal(t, "ann", l.Result.User.Username, name)
	}
}
