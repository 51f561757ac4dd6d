package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// The tests of this file take a backend away from a running gatehouse
// instance and bring it back. PostgreSQL and Redis are reached through a
// proxy of the test's own (proxy_test.go), which it cuts (every connection
// dropped, new ones refused) or mutes (statements reach the server, replies
// are lost); the shared servers are never touched. SQLite is taken away by
// closing the store's pool, for good.

// requestTimeout bounds every request of these tests: a muted backend
// answers nothing, and the request must give up rather than hang.
const requestTimeout = 2 * time.Second

// failingTimeout bounds a request that a test expects to fail midway, so
// that waiting for a lost reply costs less.
const failingTimeout = 750 * time.Millisecond

// backend is one server of a deployment that a test can take away.
type backend struct {
	name string
	// down makes the backend unreachable; mute, when set, makes it lose
	// its replies.
	down, mute func()
	// up brings it back; nil when it cannot come back (SQLite).
	up func()
}

// faultEnv is one gatehouse instance over backends that a test can take
// away, with hooks into the store calls where a test takes them away
// mid-operation.
type faultEnv struct {
	*instance
	hooks    *hooks
	backends []backend
	// sessions is the backend that keeps sessions.
	sessions backend
	// users is the backend that keeps users.
	users backend
}

// faultDeployment is a deployment whose backends a test can take away.
type faultDeployment struct {
	name string
	// backends names the backends make's faultEnv has.
	backends []string
	// restartable is false when a backend cannot come back (SQLite).
	restartable bool
	make        func(t *testing.T) *faultEnv
}

// faultDeployments returns every deployment, SQLite (which cannot come
// back) last.
func faultDeployments() []faultDeployment {
	return []faultDeployment{
		{name: "postgres", backends: []string{"postgres"}, restartable: true, make: func(t *testing.T) *faultEnv {
			pg, pgDSN := proxiedPostgres(t)
			db := open(t, pgDSN, sqlstore.Config{})
			b := backend{name: "postgres", down: pg.Cut, mute: pg.Mute, up: pg.Restore}
			return newFaultEnv(t, db, nil, []backend{b}, b, b)
		}},
		{name: "postgres+redis", backends: []string{"postgres", "redis"}, restartable: true, make: func(t *testing.T) *faultEnv {
			pg, pgDSN := proxiedPostgres(t)
			db := open(t, pgDSN, sqlstore.Config{})
			rp, client, prefix := proxiedRedis(t)
			hot := redisstore.New(client, redisstore.Config{Prefix: prefix})
			t.Cleanup(func() { hot.Close() })
			pgb := backend{name: "postgres", down: pg.Cut, mute: pg.Mute, up: pg.Restore}
			rb := backend{name: "redis", down: rp.Cut, mute: rp.Mute, up: rp.Restore}
			return newFaultEnv(t, db, hot, []backend{pgb, rb}, rb, pgb)
		}},
		{name: "sqlite", backends: []string{"sqlite"}, make: func(t *testing.T) *faultEnv {
			db := open(t, sqliteDSN(t), sqlstore.Config{})
			b := backend{name: "sqlite", down: func() { db.DB().Close() }}
			return newFaultEnv(t, db, nil, []backend{b}, b, b)
		}},
	}
}

// proxiedPostgres makes a fresh schema and returns a proxy to the test
// server and the DSN of the schema through it.
func proxiedPostgres(t *testing.T) (*proxy, string) {
	t.Helper()
	u, err := url.Parse(freshSchema(t, postgresDSN(t)))
	require.NoError(t, err)
	p := newProxy(t, u.Host)
	u.Host = p.Addr()
	q := u.Query()
	q.Set("connect_timeout", "1")
	u.RawQuery = q.Encode()
	return p, u.String()
}

// proxiedRedis returns a proxy to the test Redis, a client through it with
// short timeouts and no retries, and a key prefix of the test's own.
func proxiedRedis(t *testing.T) (*proxy, *redis.Client, string) {
	t.Helper()
	direct, prefix := redisClient(t)
	direct.Close()
	opts, err := redis.ParseURL(os.Getenv("GATEHOUSE_TEST_REDIS"))
	require.NoError(t, err)
	p := newProxy(t, opts.Addr)
	opts.Addr = p.Addr()
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout = time.Second, time.Second, time.Second
	opts.ContextTimeoutEnabled = true
	opts.MaxRetries = -1
	return p, redis.NewClient(opts), prefix
}

func newFaultEnv(t *testing.T, db *sqlstore.Store, hot *redisstore.Store, backends []backend, sessions, users backend) *faultEnv {
	t.Helper()
	h := &hooks{}
	parts := storage.Parts{Users: hookedUsers{db.Users(), h}, Sessions: hookedSessions{db.Sessions(), h}}
	if hot != nil {
		parts.Sessions = hookedSessions{hot.Sessions(), h}
		parts.Counters = hot.Counters()
		parts.Backends = []storage.Backend{hot}
	}
	store := storage.Compose(db, parts)
	key, err := token.GenerateEd25519("")
	require.NoError(t, err)
	keys, err := token.NewKeySet(key)
	require.NoError(t, err)
	in := newInstance(t, "node-a", store, keys, session.Limit{})
	_, err = store.Users().CreateUser(context.Background(), user.User{
		ID: "id-alice", Username: "alice", Company: "acme", Name: "Alice Old", Email: "old@example.com",
		PasswordHash: testHash("password1"),
	})
	require.NoError(t, err)
	return &faultEnv{instance: in, hooks: h, backends: backends, sessions: sessions, users: users}
}

// hooks are functions run once at a point of a store call: where a test
// takes a backend away in the middle of an operation.
type hooks struct {
	mu                  sync.Mutex
	beforeUpdateUser    func()
	beforeCreateSession func()
}

// run runs and clears the hook *f, if set.
func (h *hooks) run(f *func()) {
	h.mu.Lock()
	fn := *f
	*f = nil
	h.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// set arms the hook *f.
func (h *hooks) set(f *func(), fn func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	*f = fn
}

type hookedUsers struct {
	storage.UserStore
	h *hooks
}

func (u hookedUsers) UpdateUser(ctx context.Context, usr user.User) (user.User, error) {
	u.h.run(&u.h.beforeUpdateUser)
	return u.UserStore.UpdateUser(ctx, usr)
}

type hookedSessions struct {
	storage.SessionStore
	h *hooks
}

func (s hookedSessions) CreateSession(ctx context.Context, sess storage.Session) error {
	s.h.run(&s.h.beforeCreateSession)
	return s.SessionStore.CreateSession(ctx, sess)
}

// send serves one request within requestTimeout; tok is sent as a bearer
// token, cookie (when set) as the session cookie.
func (e *faultEnv) send(t *testing.T, method, path, tok string, cookie *http.Cookie, body string) *httptest.ResponseRecorder {
	t.Helper()
	return e.sendWithin(t, requestTimeout, method, path, tok, cookie, body)
}

// sendWithin is send with the given timeout.
func (e *faultEnv) sendWithin(t *testing.T, timeout time.Duration, method, path, tok string, cookie *http.Cookie, body string) *httptest.ResponseRecorder {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	r := httptest.NewRequestWithContext(ctx, method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	if cookie != nil {
		r.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return rec
}

// health answers GET /health's figure.
func (e *faultEnv) health(t *testing.T) float64 {
	t.Helper()
	rec := e.send(t, http.MethodGet, "/health", "", nil, "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out struct {
		Health float64 `json:"health"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	return out.Health
}

// checkValid answers POST /token/check's verdict.
func (e *faultEnv) checkValid(t *testing.T, tok string) bool {
	t.Helper()
	rec := e.send(t, http.MethodPost, "/token/check", "", nil, `"`+tok+`"`)
	require.Equal(t, http.StatusOK, rec.Code, "token/check must never fail: %s", rec.Body.String())
	var out struct {
		Valid bool `json:"valid"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	return out.Valid
}

// cookieLogin logs alice in through POST /login and returns the cookie.
func (e *faultEnv) cookieLogin(t *testing.T, password string) *http.Cookie {
	t.Helper()
	rec := e.send(t, http.MethodPost, "/login", "", nil, `{"username":"alice","password":"`+password+`"}`)
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	for _, c := range rec.Result().Cookies() {
		if c.Name == gatehouse.DefaultCookieName {
			return c
		}
	}
	t.Fatal("no session cookie")
	return nil
}

// waitHealthy polls GET /health until it answers 1: the pool has
// reconnected to the restored backend.
func (e *faultEnv) waitHealthy(t *testing.T) {
	t.Helper()
	require.Eventually(t, func() bool { return e.health(t) == 1 }, 10*time.Second, 20*time.Millisecond,
		"health did not come back to 1")
}

// leaks are what an error body must not contain: names of drivers and
// servers, SQL, addresses, Go internals.
var leaks = []string{
	"sql", "pq", "pgx", "pgconn", "postgres", "sqlite", "redis", "dial tcp", "127.0.0.1",
	"connection", "refused", "eof", "select ", "insert ", "update ", "gh_", "goroutine",
	".go:", "panic", "sqlstore", "redisstore", "session:", "storage:",
}

// assertFailedClosed checks that rec refuses with 401 or 503 and the
// generic error body: its two keys only, a trace code matching
// X-Trace-Code, a message with nothing about the backend, and no
// credential.
func assertFailedClosed(t *testing.T, rec *httptest.ResponseRecorder, what string) {
	t.Helper()
	assert.Contains(t, []int{http.StatusUnauthorized, http.StatusServiceUnavailable}, rec.Code, "%s: %s", what, rec.Body.String())
	var body gatehouse.ErrorBody
	dec := json.NewDecoder(bytes.NewReader(rec.Body.Bytes()))
	dec.DisallowUnknownFields()
	if assert.NoError(t, dec.Decode(&body), "%s: not the error body: %s", what, rec.Body.String()) {
		assert.NotEmpty(t, body.TraceData.Code, what)
		assert.Equal(t, rec.Header().Get("X-Trace-Code"), body.TraceData.Code, what)
		assert.NotEmpty(t, body.Message, what)
	}
	low := strings.ToLower(rec.Body.String())
	for _, l := range leaks {
		assert.NotContains(t, low, l, "%s: the error body leaks internals", what)
	}
	assert.Empty(t, rec.Result().Cookies(), "%s: a failed request set a cookie", what)
}

func TestFailureAuthenticationFailsClosed(t *testing.T) {
	for _, d := range faultDeployments() {
		t.Run(d.name, func(t *testing.T) {
			for _, name := range d.backends {
				t.Run(name+" down", func(t *testing.T) {
					e := d.make(t)
					b := e.backend(name)
					tok := e.token(t, "alice", "password1")
					cookie := e.cookieLogin(t, "password1")
					require.Equal(t, float64(1), e.health(t))

					b.down()
					assertFailedClosed(t, e.send(t, http.MethodGet, "/host/me", tok, nil, ""), "bearer on a host route")
					assertFailedClosed(t, e.send(t, http.MethodGet, "/host/me", "", cookie, ""), "cookie on a host route")
					assertFailedClosed(t, e.send(t, http.MethodGet, "/user", tok, nil, ""), "GET /user")
					assertFailedClosed(t, e.send(t, http.MethodPost, "/token", "", nil,
						`{"username":"alice","password":"password1"}`), "POST /token")
					assertFailedClosed(t, e.send(t, http.MethodPost, "/login", "", nil,
						`{"username":"alice","password":"password1"}`), "POST /login")
					assertFailedClosed(t, e.send(t, http.MethodPost, "/password", tok, nil,
						`{"current_password":"password1","new_password":"password-2"}`), "POST /password")
					assert.False(t, e.checkValid(t, tok), "token/check says valid with %s down", b.name)
					assert.Equal(t, float64(0), e.health(t), "health with %s down", b.name)

					if b.up == nil {
						return
					}
					b.up()
					e.waitHealthy(t)
					assert.Equal(t, http.StatusOK, e.send(t, http.MethodGet, "/host/me", tok, nil, "").Code, "the token is not accepted again")
					assert.Equal(t, http.StatusOK, e.send(t, http.MethodGet, "/host/me", "", cookie, "").Code, "the cookie is not accepted again")
					assert.True(t, e.checkValid(t, tok))
					fresh := e.token(t, "alice", "password1")
					assert.Equal(t, http.StatusOK, e.status(t, fresh))
				})
			}
		})
	}
}

// backend returns the backend of e named name.
func (e *faultEnv) backend(name string) backend {
	for _, b := range e.backends {
		if b.name == name {
			return b
		}
	}
	panic("no backend " + name)
}

// TestFailurePoolReconnectsAfterTerminatedConnections has the server end
// every connection of the store (pg_terminate_backend from an admin
// connection, as a restart or a failover would): a request meanwhile
// either passes or fails closed, and the pool reconnects by itself.
func TestFailurePoolReconnectsAfterTerminatedConnections(t *testing.T) {
	dsn := freshSchema(t, postgresDSN(t))
	app := "gh_fail_" + randHex(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	db := open(t, u.String(), sqlstore.Config{})
	b := backend{name: "postgres", down: func() {}, up: func() {}}
	e := newFaultEnv(t, db, nil, []backend{b}, b, b)
	tok := e.token(t, "alice", "password1")
	require.Equal(t, http.StatusOK, e.status(t, tok))

	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	defer admin.Close()
	for range 3 {
		var killed int
		require.NoError(t, admin.QueryRowContext(t.Context(),
			"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", app).Scan(&killed))
		require.Positive(t, killed, "no connection of the store to terminate")

		rec := e.send(t, http.MethodGet, "/host/me", tok, nil, "")
		if rec.Code != http.StatusOK {
			assertFailedClosed(t, rec, "a request on a terminated connection")
		}
		e.waitHealthy(t)
		assert.Equal(t, http.StatusOK, e.status(t, tok), "the pool did not reconnect")
		assert.True(t, e.checkValid(t, tok))
	}
}
