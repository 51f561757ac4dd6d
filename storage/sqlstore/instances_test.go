package sqlstore_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// The tests of this file run two gatehouse instances, A and B, as two
// processes behind a load balancer would be: two Gatehouse values with
// their own store handles (connection pools, Redis clients), their own
// permission caches and session managers, sharing only the database (and
// Redis) and the signing key. Whatever one instance writes, the other must
// see on its very next request.
//
// SQLite is left out: it serves one process (see the package doc).

// deployments returns, per backend, a function that makes a fresh shared
// backend and returns one store handle per instance on it.
func deployments() map[string]func(t *testing.T) (a, b storage.Store) {
	return map[string]func(t *testing.T) (a, b storage.Store){
		"postgres": func(t *testing.T) (storage.Store, storage.Store) {
			dsn := freshSchema(t, postgresDSN(t))
			return open(t, dsn, sqlstore.Config{}), open(t, dsn, sqlstore.Config{})
		},
		"postgres+redis": func(t *testing.T) (storage.Store, storage.Store) {
			dsn := freshSchema(t, postgresDSN(t))
			client, prefix := redisClient(t)
			opts := client.Options()
			composed := func(c *redis.Client) storage.Store {
				db, err := sqlstore.Open(t.Context(), dsn, sqlstore.Config{})
				require.NoError(t, err)
				hot := redisstore.New(c, redisstore.Config{Prefix: prefix})
				s := storage.Compose(db, storage.Parts{
					Sessions: hot.Sessions(), Counters: hot.Counters(), Backends: []storage.Backend{hot},
				})
				t.Cleanup(func() { s.Close() })
				return s
			}
			return composed(client), composed(redis.NewClient(opts))
		},
	}
}

// plainHasher keeps the tests fast under -race: hashing is tested in
// package user. It is the repository's one fast test hasher.
var plainHasher = gatehousetest.Hasher()

// testHash is plainHasher's hash of password.
func testHash(password string) string {
	h, err := plainHasher.Hash(password)
	if err != nil {
		panic(err)
	}
	return h
}

// planRoute is the metered host operation of the quota tests.
var planRoute = gatehouse.Metered{Service: "UNIVERSAL", MethodGroup: "PLAN", Operation: "run_plan"}

// instance is one gatehouse process: its store handle and its HTTP face,
// the API at / and the host's own routes under /host/.
type instance struct {
	name  string
	store storage.Store
	g     *gatehouse.Gatehouse
	h     http.Handler
	// entered and release, when set, hold a /host/plan request inside
	// its handler (and so inside its concurrency slot).
	entered chan struct{}
	release chan struct{}
}

func newInstance(t *testing.T, name string, store storage.Store, keys *token.KeySet, limit session.Limit) *instance {
	t.Helper()
	return newCachedInstance(t, name, store, keys, limit, nil)
}

// newCachedInstance is newInstance in the cached mode when cache is not
// nil.
func newCachedInstance(t *testing.T, name string, store storage.Store, keys *token.KeySet, limit session.Limit, cache *cachestore.Config) *instance {
	t.Helper()
	g, err := gatehouse.New(gatehouse.Config{
		Cache:   cache,
		Store:   store,
		Keys:    keys,
		Logger:  slog.New(slog.DiscardHandler),
		Service: gatehouse.Service{Name: "UNIVERSAL", Server: name},
		Session: session.Config{Hasher: plainHasher, Throttle: session.Throttle{PerUsername: limit}},
	})
	require.NoError(t, err)
	t.Cleanup(func() { g.Close() })
	in := &instance{name: name, store: store, g: g}
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := session.FromContext(r.Context())
		_, _ = io.WriteString(w, a.User.Username)
	})
	plan := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if in.entered != nil {
			in.entered <- struct{}{}
			<-in.release
		}
		w.WriteHeader(http.StatusOK)
	})
	mux := http.NewServeMux()
	mux.Handle("/", g.Handler())
	mux.Handle("GET /host/me", g.Authenticate(ok))
	mux.Handle("GET /host/customers", g.Authenticate(g.RequireEntity("Customer", permissions.OpRead)(ok)))
	mux.Handle("POST /host/plan", g.Authenticate(g.RequireQuota(planRoute)(plan)))
	in.h = mux
	return in
}

// do sends one request to the instance; tok, when set, is sent as a
// bearer token.
func (in *instance) do(t *testing.T, method, path, tok, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	in.h.ServeHTTP(rec, r)
	return rec
}

// login posts /token and returns the response.
func (in *instance) login(t *testing.T, username, password string) *httptest.ResponseRecorder {
	t.Helper()
	return in.do(t, http.MethodPost, "/token", "", `{"username":"`+username+`","password":"`+password+`"}`)
}

// token logs in through POST /token and returns the JWT.
func (in *instance) token(t *testing.T, username, password string) string {
	t.Helper()
	rec := in.login(t, username, password)
	require.Equal(t, http.StatusOK, rec.Code, "login on %s: %s", in.name, rec.Body.String())
	var tok string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tok))
	return tok
}

// status answers the status of GET /host/me with tok on the instance.
func (in *instance) status(t *testing.T, tok string) int {
	t.Helper()
	return in.do(t, http.MethodGet, "/host/me", tok, "").Code
}

// valid answers POST /token/check's verdict on tok.
func (in *instance) valid(t *testing.T, tok string) bool {
	t.Helper()
	rec := in.do(t, http.MethodPost, "/token/check", "", `"`+tok+`"`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out struct {
		Valid bool `json:"valid"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	return out.Valid
}

// cluster is two instances sharing a backend and a signing key.
type cluster struct{ a, b *instance }

// forEachDeployment runs fn with a fresh cluster on every backend that
// serves several processes. Each instance throttles a username after
// limit failures (the defaults when zero).
func forEachDeployment(t *testing.T, limit session.Limit, fn func(t *testing.T, c cluster)) {
	for name, stores := range deployments() {
		t.Run(name, func(t *testing.T) {
			sa, sb := stores(t)
			key, err := token.GenerateEd25519("")
			require.NoError(t, err)
			keys, err := token.NewKeySet(key)
			require.NoError(t, err)
			fn(t, cluster{a: newInstance(t, "node-a", sa, keys, limit), b: newInstance(t, "node-b", sb, keys, limit)})
		})
	}
}

// addUser creates a user through A's store, password "password1".
func (c cluster) addUser(t *testing.T, username string, roles ...string) user.User {
	t.Helper()
	u, err := c.a.store.Users().CreateUser(context.Background(), user.User{
		ID: "id-" + username, Username: username, Company: "acme",
		PasswordHash: testHash("password1"), Roles: roles,
	})
	require.NoError(t, err)
	return u
}

func TestInstancesShareSessions(t *testing.T) {
	forEachDeployment(t, session.Limit{}, func(t *testing.T, c cluster) {
		c.addUser(t, "alice")
		tok := c.a.token(t, "alice", "password1")
		assert.True(t, c.b.valid(t, tok), "B does not know A's session")
		rec := c.b.do(t, http.MethodGet, "/host/me", tok, "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Equal(t, "alice", rec.Body.String())
		rec = c.b.do(t, http.MethodGet, "/user", tok, "")
		assert.Equal(t, http.StatusOK, rec.Code, "B's own API accepts A's token: %s", rec.Body.String())

		// The cookie of a login on B works on A.
		rec = c.b.do(t, http.MethodPost, "/login", "", `{"username":"alice","password":"password1"}`)
		require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
		var sid *http.Cookie
		for _, ck := range rec.Result().Cookies() {
			if ck.Name == gatehouse.DefaultCookieName {
				sid = ck
			}
		}
		require.NotNil(t, sid)
		r := httptest.NewRequest(http.MethodGet, "/host/me", nil)
		r.AddCookie(&http.Cookie{Name: sid.Name, Value: sid.Value})
		w := httptest.NewRecorder()
		c.a.h.ServeHTTP(w, r)
		assert.Equal(t, http.StatusOK, w.Code, "A does not know B's cookie session")

		tampered := tok[:len(tok)-2] + "AA"
		if tampered == tok { // the signature ended in "AA" already
			tampered = tok[:len(tok)-2] + "BA"
		}
		assert.False(t, c.b.valid(t, tampered), "a tampered token passes on B")
	})
}

func TestInstancesPasswordChangeEndsOlderTokensEverywhere(t *testing.T) {
	forEachDeployment(t, session.Limit{}, func(t *testing.T, c cluster) {
		c.addUser(t, "alice")
		onA := c.a.token(t, "alice", "password1")
		onB := c.b.token(t, "alice", "password1")
		for _, tok := range []string{onA, onB} {
			require.Equal(t, http.StatusOK, c.b.status(t, tok))
			require.Equal(t, http.StatusOK, c.a.status(t, tok))
		}

		rec := c.a.do(t, http.MethodPost, "/password", onA, `{"current_password":"password1","new_password":"password-2"}`)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var fresh string
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &fresh))

		for name, tok := range map[string]string{"A's old token": onA, "B's old token": onB} {
			assert.Equal(t, http.StatusUnauthorized, c.b.status(t, tok), "%s still works on B", name)
			assert.False(t, c.b.valid(t, tok), "%s still checks valid on B", name)
			assert.Equal(t, http.StatusUnauthorized, c.a.status(t, tok), "%s still works on A", name)
		}
		assert.Equal(t, http.StatusOK, c.b.status(t, fresh), "the new token does not work on B")
		assert.Equal(t, http.StatusUnauthorized, c.b.login(t, "alice", "password1").Code, "B accepts the old password")
		c.b.token(t, "alice", "password-2")
	})
}

func TestInstancesLogoutEndsTheSessionEverywhere(t *testing.T) {
	forEachDeployment(t, session.Limit{}, func(t *testing.T, c cluster) {
		c.addUser(t, "alice")
		tok := c.a.token(t, "alice", "password1")
		other := c.a.token(t, "alice", "password1")
		require.Equal(t, http.StatusOK, c.b.status(t, tok))

		rec := c.a.do(t, http.MethodPost, "/logout", tok, "")
		require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())

		assert.Equal(t, http.StatusUnauthorized, c.b.status(t, tok), "a logged-out token works on B")
		assert.False(t, c.b.valid(t, tok))
		assert.Equal(t, http.StatusOK, c.b.status(t, other), "logout ended another session of the user")
	})
}

func TestInstancesRefuseABlockedUser(t *testing.T) {
	forEachDeployment(t, session.Limit{}, func(t *testing.T, c cluster) {
		c.addUser(t, "alice")
		onA := c.a.token(t, "alice", "password1")
		onB := c.b.token(t, "alice", "password1")
		for _, in := range []*instance{c.a, c.b} {
			require.Equal(t, http.StatusOK, in.status(t, onA))
			require.Equal(t, http.StatusOK, in.status(t, onB))
		}

		ctx := context.Background()
		u, err := c.a.store.Users().GetUser(ctx, "id-alice")
		require.NoError(t, err)
		u.Blocked = true
		_, err = c.a.store.Users().UpdateUser(ctx, u)
		require.NoError(t, err)

		for _, in := range []*instance{c.a, c.b} {
			for name, tok := range map[string]string{"A's token": onA, "B's token": onB} {
				assert.Equal(t, http.StatusUnauthorized, in.status(t, tok), "%s works on %s for a blocked user", name, in.name)
				assert.False(t, in.valid(t, tok), "%s checks valid on %s for a blocked user", name, in.name)
			}
			assert.Equal(t, http.StatusUnauthorized, in.login(t, "alice", "password1").Code, "%s lets a blocked user log in", in.name)
		}
	})
}

func TestInstancesSeeARoleChangeOnTheNextRequest(t *testing.T) {
	forEachDeployment(t, session.Limit{}, func(t *testing.T, c cluster) {
		ctx := context.Background()
		grant := func(ops ...permissions.Op) {
			t.Helper()
			if ops == nil {
				ops = []permissions.Op{} // listed with no operations: denied
			}
			require.NoError(t, c.a.store.Roles().PutRole(ctx, permissions.Role{
				Code: "viewer", Entities: map[string][]permissions.Op{"Customer": ops},
			}))
		}
		grant(permissions.OpRead)
		c.addUser(t, "alice", "viewer")
		tok := c.a.token(t, "alice", "password1")

		// B compiles and caches alice's permission set…
		for range 2 {
			require.Equal(t, http.StatusOK, c.b.do(t, http.MethodGet, "/host/customers", tok, "").Code)
		}
		// …and A's store takes the grant away: B's very next check sees it.
		grant()
		rec := c.b.do(t, http.MethodGet, "/host/customers", tok, "")
		assert.Equal(t, http.StatusForbidden, rec.Code, "B kept a stale permission set: %s", rec.Body.String())
		grant(permissions.OpRead)
		assert.Equal(t, http.StatusOK, c.b.do(t, http.MethodGet, "/host/customers", tok, "").Code, "B kept a stale denial")
	})
}

func TestInstancesShareTheLoginThrottle(t *testing.T) {
	// Two failures lock the username; each instance sees only one of them.
	forEachDeployment(t, session.Limit{MaxFailures: 2}, func(t *testing.T, c cluster) {
		c.addUser(t, "alice")
		assert.Equal(t, http.StatusUnauthorized, c.a.login(t, "alice", "wrong").Code)
		assert.Equal(t, http.StatusUnauthorized, c.b.login(t, "alice", "wrong").Code)
		for _, in := range []*instance{c.a, c.b} {
			rec := in.login(t, "alice", "password1")
			assert.Equal(t, http.StatusTooManyRequests, rec.Code, "%s let the locked username in: %s", in.name, rec.Body.String())
			assert.NotEmpty(t, rec.Header().Get("Retry-After"))
		}
	})
}

func TestInstancesShareQuotaCounters(t *testing.T) {
	ctx := context.Background()
	t.Run("points per day", func(t *testing.T) {
		forEachDeployment(t, session.Limit{}, func(t *testing.T, c cluster) {
			require.NoError(t, c.a.store.Roles().PutRole(ctx, permissions.Role{Code: "planner", Quotas: []permissions.Quota{
				{Service: planRoute.Service, MethodGroup: planRoute.MethodGroup, PointsPerDay: 3},
			}}))
			c.addUser(t, "alice", "planner")
			tok := c.a.token(t, "alice", "password1")
			// Three points a day in all: A, B, A pass; then neither does.
			for i, in := range []*instance{c.a, c.b, c.a, c.b, c.a} {
				want := http.StatusOK
				if i >= 3 {
					want = http.StatusTooManyRequests
				}
				rec := in.do(t, http.MethodPost, "/host/plan", tok, "")
				assert.Equal(t, want, rec.Code, "request %d on %s: %s", i+1, in.name, rec.Body.String())
			}
		})
	})
	t.Run("concurrent executions", func(t *testing.T) {
		forEachDeployment(t, session.Limit{}, func(t *testing.T, c cluster) {
			require.NoError(t, c.a.store.Roles().PutRole(ctx, permissions.Role{Code: "planner", Quotas: []permissions.Quota{
				{Service: planRoute.Service, MethodGroup: planRoute.MethodGroup, MaxConcurrentExecution: 1},
			}}))
			c.addUser(t, "alice", "planner")
			tok := c.a.token(t, "alice", "password1")

			c.a.entered, c.a.release = make(chan struct{}), make(chan struct{})
			done := make(chan int, 1)
			go func() {
				rec := httptest.NewRecorder()
				r := httptest.NewRequest(http.MethodPost, "/host/plan", nil)
				r.Header.Set("Authorization", "Bearer "+tok)
				c.a.h.ServeHTTP(rec, r)
				done <- rec.Code
			}()
			select {
			case <-c.a.entered: // A holds the only slot
			case code := <-done:
				t.Fatalf("A's request did not reach its handler: %d", code)
			}

			rec := c.b.do(t, http.MethodPost, "/host/plan", tok, "")
			assert.Equal(t, http.StatusTooManyRequests, rec.Code, "B ran beside A's execution: %s", rec.Body.String())

			close(c.a.release)
			require.Equal(t, http.StatusOK, <-done)
			assert.Equal(t, http.StatusOK, c.b.do(t, http.MethodPost, "/host/plan", tok, "").Code, "A's slot was not freed for B")
		})
	})
}
