package bench_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/token"
)

// storeBackend opens a fresh store of one kind, or skips tb when its server
// is not configured. The store is closed, and what it wrote to a shared
// server removed, when tb ends.
type storeBackend struct {
	name string
	open func(tb testing.TB) storage.Store
}

// storeBackends are the backends BenchmarkStores compares: the memory
// store, SQLite on a temporary file, PostgreSQL (GATEHOUSE_TEST_POSTGRES)
// and PostgreSQL with sessions and counters in Redis
// (GATEHOUSE_TEST_REDIS).
func storeBackends() []storeBackend {
	return []storeBackend{
		{"memory", func(tb testing.TB) storage.Store {
			s := memstore.New(memstore.Config{})
			tb.Cleanup(func() { s.Close() })
			return s
		}},
		{"sqlite", func(tb testing.TB) storage.Store {
			return openSQL(tb, "sqlite:"+filepath.Join(tb.TempDir(), "gh.db"))
		}},
		{"postgres", func(tb testing.TB) storage.Store {
			return openSQL(tb, benchSchema(tb))
		}},
		{"postgres+redis", func(tb testing.TB) storage.Store {
			db := openSQL(tb, benchSchema(tb))
			hot := redisstore.New(benchRedis(tb), redisstore.Config{Prefix: benchPrefix(tb)})
			s := storage.Compose(db, storage.Parts{
				Sessions: hot.Sessions(), Counters: hot.Counters(), Backends: []storage.Backend{hot},
			})
			tb.Cleanup(func() { hot.Close() })
			return s
		}},
	}
}

func openSQL(tb testing.TB, dsn string) *sqlstore.Store {
	tb.Helper()
	s, err := sqlstore.Open(context.Background(), dsn, sqlstore.Config{})
	check(tb, err)
	tb.Cleanup(func() { s.Close() })
	return s
}

// envOrSkip returns the environment variable name, skipping tb when it is
// unset; a test (not a benchmark) fails instead under
// GATEHOUSE_REQUIRE_INTEGRATION=1, as the store modules' tests do.
func envOrSkip(tb testing.TB, name, example string) string {
	tb.Helper()
	v := os.Getenv(name)
	if _, isTest := tb.(*testing.T); v == "" && isTest && os.Getenv("GATEHOUSE_REQUIRE_INTEGRATION") == "1" {
		tb.Fatalf("%s is not set, and GATEHOUSE_REQUIRE_INTEGRATION=1 forbids skipping", name)
	}
	if v == "" {
		tb.Skipf("set %s=%s to run this against a real server", name, example)
	}
	return v
}

// benchSchema creates a PostgreSQL schema of its own for tb on
// GATEHOUSE_TEST_POSTGRES, dropped when tb ends, and returns the DSN that
// uses it.
func benchSchema(tb testing.TB) string {
	tb.Helper()
	dsn := envOrSkip(tb, "GATEHOUSE_TEST_POSTGRES", "postgres://user:pass@127.0.0.1/db")
	admin, err := sql.Open("pgx", dsn)
	check(tb, err)
	tb.Cleanup(func() { admin.Close() })
	name := "gh_bench_" + randomHex(tb)
	_, err = admin.Exec("CREATE SCHEMA " + name)
	check(tb, err)
	tb.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + name + " CASCADE"); err != nil {
			tb.Logf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	check(tb, err)
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	return u.String()
}

// benchRedis returns a client of GATEHOUSE_TEST_REDIS.
func benchRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	opts, err := redis.ParseURL(envOrSkip(tb, "GATEHOUSE_TEST_REDIS", "redis://127.0.0.1:6379/0"))
	check(tb, err)
	return redis.NewClient(opts)
}

// benchPrefix returns a Redis key prefix of tb's own; its keys are deleted
// when tb ends.
func benchPrefix(tb testing.TB) string {
	tb.Helper()
	prefix := "ghbench:" + randomHex(tb) + ":"
	opts, err := redis.ParseURL(os.Getenv("GATEHOUSE_TEST_REDIS"))
	check(tb, err)
	tb.Cleanup(func() {
		c := redis.NewClient(opts)
		defer c.Close()
		ctx := context.Background()
		if keys, _ := c.Keys(ctx, prefix+"*").Result(); len(keys) > 0 {
			c.Del(ctx, keys...)
		}
	})
	return prefix
}

func randomHex(tb testing.TB) string {
	b := make([]byte, 8)
	_, err := rand.Read(b)
	check(tb, err)
	return hex.EncodeToString(b)
}

// storeFixture is a Gatehouse over one backend with authUser and authRoles
// stored, the Authenticate middleware in front of a handler that checks the
// caller, and a bearer token and a session cookie of one login each.
type storeFixture struct {
	g      *gatehouse.Gatehouse
	h      http.Handler
	bearer string
	cookie *http.Cookie
}

// newStoreFixture builds the fixture on store with the real clock (so
// LastSeenAt is written once per session per touch interval, as in
// production) and gatehousetest's fast hasher (logins are not measured).
func newStoreFixture(tb testing.TB, store storage.Store, opts ...func(*gatehouse.Config)) *storeFixture {
	tb.Helper()
	ctx := context.Background()
	key, err := token.GenerateEd25519("ed1")
	check(tb, err)
	keys, err := token.NewKeySet(key)
	check(tb, err)
	cfg := gatehouse.Config{
		Store: store, Keys: keys, Logger: slog.New(slog.DiscardHandler),
		Service: gatehouse.Service{Name: "bench", Server: "bench"},
		Session: session.Config{Hasher: gatehousetest.Hasher()},
	}
	for _, o := range opts {
		o(&cfg)
	}
	g, err := gatehouse.New(cfg)
	check(tb, err)
	tb.Cleanup(func() { g.Close() })
	if c := g.Cache(); c != nil {
		// The cached mode serves from memory once its feed listens.
		for deadline := time.Now().Add(10 * time.Second); !c.Stats().Listening; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				tb.Fatal("the cache's change feed did not listen within 10 s")
			}
		}
	}
	for _, r := range authRoles {
		check(tb, store.Roles().PutRole(ctx, r))
	}
	u := authUser.Clone()
	u.ID = "id-" + u.Username
	u.PasswordHash, err = gatehousetest.Hasher().Hash("password1")
	check(tb, err)
	_, err = store.Users().CreateUser(ctx, u)
	check(tb, err)

	f := &storeFixture{g: g, h: g.Authenticate(callerHandler(tb))}
	creds := `{"username":"` + u.Username + `","password":"password1"}`
	rec := serveAPI(g, http.MethodPost, "/token", creds)
	if rec.Code != http.StatusOK {
		tb.Fatalf("POST /token: %d %s", rec.Code, rec.Body)
	}
	check(tb, json.Unmarshal(rec.Body.Bytes(), &f.bearer))
	rec = serveAPI(g, http.MethodPost, "/login", creds)
	if rec.Code != http.StatusNoContent {
		tb.Fatalf("POST /login: %d %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == g.CookieName() {
			f.cookie = &http.Cookie{Name: c.Name, Value: c.Value}
		}
	}
	if f.cookie == nil {
		tb.Fatal("POST /login set no session cookie")
	}
	return f
}

// callerHandler fails tb unless the middleware put authUser in the
// request context.
func callerHandler(tb testing.TB) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := session.FromContext(r.Context()); !ok || a.User.Username != authUser.Username {
			tb.Error("no caller in the context")
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
}

// serveAPI sends one JSON request to g's API.
func serveAPI(g *gatehouse.Gatehouse, method, path, body string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	g.Handler().ServeHTTP(w, r)
	return w
}

// bearerRequest and cookieRequest make the GET request a client sends.
func (f *storeFixture) bearerRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+f.bearer)
	return r
}

func (f *storeFixture) cookieRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.AddCookie(f.cookie)
	return r
}

// BenchmarkStores authenticates a bearer token (EdDSA) and a session cookie
// end to end through Gatehouse.Authenticate (httptest) on each backend, with
// parallel clients: clients=2 is one goroutine per core, clients=8 four.
// Besides ns/op (wall time divided by requests) it reports ops/s and the
// median and 99th percentile latency of single requests.
func BenchmarkStores(b *testing.B) {
	for _, be := range storeBackends() {
		b.Run(be.name, func(b *testing.B) {
			f := newStoreFixture(b, be.open(b))
			for _, cred := range []struct {
				name string
				req  func() *http.Request
			}{{"bearer", f.bearerRequest}, {"cookie", f.cookieRequest}} {
				for _, perCPU := range []int{1, 4} {
					clients := perCPU * runtime.GOMAXPROCS(0)
					b.Run(cred.name+"/clients="+strconv.Itoa(clients), func(b *testing.B) {
						b.SetParallelism(perCPU)
						serveParallel(b, f.h, cred.req)
					})
				}
			}
		})
	}
}

// serveParallel serves requests made by newReq through h from parallel
// clients, checks every status and reports ops/s and the p50 and p99
// latency in microseconds.
func serveParallel(b *testing.B, h http.Handler, newReq func() *http.Request) {
	b.ReportAllocs()
	var (
		mu  sync.Mutex
		all []time.Duration
	)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		lat := make([]time.Duration, 0, 1024)
		for pb.Next() {
			r := newReq()
			w := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(w, r)
			lat = append(lat, time.Since(start))
			if w.Code != http.StatusOK {
				b.Errorf("status %d: %s", w.Code, w.Body)
				return
			}
		}
		mu.Lock()
		all = append(all, lat...)
		mu.Unlock()
	})
	b.StopTimer()
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(micros(percentile(all, 50)), "p50-µs")
	b.ReportMetric(micros(percentile(all, 99)), "p99-µs")
}

// percentile returns the p-th percentile of sorted (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(i-1, 0)]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// TestStoreFixtures keeps the fixture of BenchmarkStores honest: on every
// configured backend the token and the cookie authenticate, and a tampered
// token and an unknown cookie do not.
func TestStoreFixtures(t *testing.T) {
	for _, be := range storeBackends() {
		t.Run(be.name, func(t *testing.T) {
			f := newStoreFixture(t, be.open(t))
			for name, r := range map[string]*http.Request{"bearer": f.bearerRequest(), "cookie": f.cookieRequest()} {
				w := httptest.NewRecorder()
				f.h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					t.Errorf("%s: %d %s", name, w.Code, w.Body)
				}
			}
			bad := httptest.NewRequest(http.MethodGet, "/", nil)
			tampered := f.bearer[:len(f.bearer)-2] + "AA"
			if tampered == f.bearer { // the signature ended in "AA" already
				tampered = f.bearer[:len(f.bearer)-2] + "BA"
			}
			bad.Header.Set("Authorization", "Bearer "+tampered)
			bad2 := httptest.NewRequest(http.MethodGet, "/", nil)
			bad2.AddCookie(&http.Cookie{Name: f.cookie.Name, Value: strings.Repeat("A", len(f.cookie.Value))})
			for name, r := range map[string]*http.Request{"tampered token": bad, "unknown cookie": bad2} {
				w := httptest.NewRecorder()
				f.h.ServeHTTP(w, r)
				if w.Code != http.StatusUnauthorized {
					t.Errorf("%s: %d, want 401", name, w.Code)
				}
			}
		})
	}
}
