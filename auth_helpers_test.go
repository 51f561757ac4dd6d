package gatehouse_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/require"
)

// fakeClock is the repository's one test clock, shared by a store and its
// Gatehouses.
type fakeClock = gatehousetest.Clock

// plainHasher keeps tests fast: hashing is tested in package user. It is
// the repository's one fast test hasher.
var plainHasher = gatehousetest.Hasher()

// testHash is plainHasher's hash of password; "" (no password) for "".
func testHash(password string) string {
	if password == "" {
		return ""
	}
	h, err := plainHasher.Hash(password)
	if err != nil {
		panic(err)
	}
	return h
}

type authEnv struct {
	clock *fakeClock
	store storage.Store
	g     *gatehouse.Gatehouse
	h     http.Handler
	logs  *bytes.Buffer
}

// newAuthEnv returns a Gatehouse over store (a new memstore when nil).
func newAuthEnv(t *testing.T, store storage.Store, clock *fakeClock, mod func(*gatehouse.Config)) *authEnv {
	t.Helper()
	if clock == nil {
		clock = gatehousetest.NewClock(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	}
	if store == nil {
		store = memstore.New(memstore.Config{Now: clock.Now})
	}
	var logs bytes.Buffer
	cfg := gatehouse.Config{
		Store:   store,
		Now:     clock.Now,
		Logger:  slog.New(slog.NewJSONHandler(&logs, nil)),
		Service: gatehouse.Service{Name: "UNIVERSAL", Server: "server_name"},
		Session: session.Config{Hasher: plainHasher},
	}
	if mod != nil {
		mod(&cfg)
	}
	g, err := gatehouse.New(cfg)
	require.NoError(t, err)
	return &authEnv{clock: clock, store: store, g: g, h: g.Handler(), logs: &logs}
}

func (e *authEnv) addUser(t *testing.T, username, password string, mod func(*user.User)) user.User {
	t.Helper()
	u := user.User{ID: "id-" + username, Username: username, Company: "acme", PasswordHash: testHash(password)}
	if mod != nil {
		mod(&u)
	}
	u, err := e.store.Users().CreateUser(context.Background(), u)
	require.NoError(t, err)
	return u
}

func (e *authEnv) updateUser(t *testing.T, id string, mod func(*user.User)) {
	t.Helper()
	u, err := e.store.Users().GetUser(context.Background(), id)
	require.NoError(t, err)
	mod(&u)
	_, err = e.store.Users().UpdateUser(context.Background(), u)
	require.NoError(t, err)
}

type req struct {
	method, path string
	body         string
	ctype        string
	header       map[string]string
	cookie       string
}

func (e *authEnv) do(t *testing.T, h http.Handler, q req) *httptest.ResponseRecorder {
	t.Helper()
	if h == nil {
		h = e.h
	}
	r := httptest.NewRequest(q.method, q.path, strings.NewReader(q.body))
	if q.body != "" {
		ct := q.ctype
		if ct == "" {
			ct = "application/json"
		}
		r.Header.Set("Content-Type", ct)
	}
	for k, v := range q.header {
		r.Header.Set(k, v)
	}
	if q.cookie != "" {
		r.AddCookie(&http.Cookie{Name: "SID", Value: q.cookie})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// token logs in through POST /token and returns the JWT.
func (e *authEnv) token(t *testing.T, username, password string) string {
	t.Helper()
	rec := e.do(t, nil, req{method: "POST", path: "/token", body: `{"username":"` + username + `","password":"` + password + `"}`})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var tok string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tok))
	return tok
}

// cookie logs in through POST /login and returns the SID cookie.
func (e *authEnv) cookie(t *testing.T, username, password string) *http.Cookie {
	t.Helper()
	rec := e.do(t, nil, req{method: "POST", path: "/login", body: `{"username":"` + username + `","password":"` + password + `"}`})
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	for _, c := range rec.Result().Cookies() {
		if c.Name == "SID" {
			return c
		}
	}
	t.Fatal("no SID cookie")
	return nil
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

// protected is a host route behind Authenticate that echoes the caller.
func (e *authEnv) protected() http.Handler {
	return e.g.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := session.FromContext(r.Context())
		if !ok {
			http.Error(w, "no auth", 500)
			return
		}
		_, _ = io.WriteString(w, a.User.Username)
	}))
}

// normalised returns an error body with its trace code and time blanked.
func normalised(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var body gatehouse.ErrorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	body.TraceData.Code, body.TraceData.Time = "", ""
	b, err := json.Marshal(body)
	require.NoError(t, err)
	return string(b)
}

func memstoreNew(c *fakeClock) storage.Store { return memstore.New(memstore.Config{Now: c.Now}) }
