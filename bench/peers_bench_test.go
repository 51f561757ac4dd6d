package bench_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alexedwards/scs/pgxstore"
	scsredis "github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	redigo "github.com/gomodule/redigo/redis"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
)

// BenchmarkSessionPeers serves a cookie GET /session, one request after
// the other, through gatehouse on PostgreSQL and on PostgreSQL with
// sessions in Redis, each in the strict and the cached mode, and on the
// memory store, and the same request through alexedwards/scs
// (LoadAndSave) on its PostgreSQL store (pgxstore) and its Redis store,
// whose handler writes the bytes gatehouse's document has: the store
// round trips of one authenticated request, side by side.
func BenchmarkSessionPeers(b *testing.B) {
	for _, be := range storeBackends() {
		if be.name == "sqlite" {
			continue
		}
		b.Run("gatehouse/"+be.name, func(b *testing.B) {
			f := newStoreFixture(b, be.open(b))
			h := f.g.Handler()
			serveLoop(b, h, f.sessionRequest)
		})
		if be.name == "memory" {
			continue // the yardstick of the cached mode
		}
		b.Run("gatehouse/"+be.name+"+cache", func(b *testing.B) {
			f := newStoreFixture(b, be.open(b), withCache)
			h := f.g.Handler()
			serveLoop(b, h, f.sessionRequest)
		})
	}
	b.Run("scs/pgxstore", func(b *testing.B) {
		body := peerBody(b)
		pool, err := pgxpool.New(context.Background(), benchSchema(b))
		check(b, err)
		b.Cleanup(pool.Close)
		_, err = pool.Exec(context.Background(), `CREATE TABLE sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL);
			CREATE INDEX sessions_expiry_idx ON sessions (expiry)`)
		check(b, err)
		benchSCSPeer(b, pgxstore.NewWithCleanupInterval(pool, 0), body)
	})
	b.Run("scs/redisstore", func(b *testing.B) {
		body := peerBody(b)
		url := envOrSkip(b, "GATEHOUSE_TEST_REDIS", "redis://127.0.0.1:6379/0")
		pool := &redigo.Pool{MaxIdle: 16, Dial: func() (redigo.Conn, error) { return redigo.DialURL(url) }}
		b.Cleanup(func() { pool.Close() })
		prefix := benchPrefix(b)
		benchSCSPeer(b, scsredis.NewWithPrefix(pool, prefix), body)
	})
}

// withCache turns on the cached mode (gatehouse.Config.Cache).
func withCache(cfg *gatehouse.Config) { cfg.Cache = &cachestore.Config{} }

// sessionRequest is the GET /session a browser sends.
func (f *storeFixture) sessionRequest() *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/session", nil)
	r.AddCookie(f.cookie)
	return r
}

// peerBody returns the bytes of gatehouse's GET /session document for the
// fixture's user, on the memory store: what the peers' handlers write.
func peerBody(b *testing.B) []byte {
	b.Helper()
	be := storeBackends()[0]
	f := newStoreFixture(b, be.open(b))
	w := httptest.NewRecorder()
	f.g.Handler().ServeHTTP(w, f.sessionRequest())
	if w.Code != http.StatusOK {
		b.Fatalf("GET /session: %d %s", w.Code, w.Body)
	}
	return w.Body.Bytes()
}

// benchSCSPeer serves the cookie request of an existing scs session in
// store through LoadAndSave to a handler that reads the username from the
// session and writes body.
func benchSCSPeer(b *testing.B, store scs.Store, body []byte) {
	sm := scs.New()
	sm.Store = store
	ctx, err := sm.Load(context.Background(), "")
	check(b, err)
	sm.Put(ctx, "username", authUser.Username)
	tok, _, err := sm.Commit(ctx)
	check(b, err)
	cookie := &http.Cookie{Name: sm.Cookie.Name, Value: tok}
	h := sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sm.GetString(r.Context(), "username") != authUser.Username {
			b.Error("no session data in the context")
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	serveLoop(b, h, func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/session", nil)
		r.AddCookie(cookie)
		return r
	})
}
