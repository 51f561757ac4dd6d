package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/alexedwards/scs/pgxstore"
	scsredis "github.com/alexedwards/scs/redisstore"
	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
)

// target is one server of the comparison: start builds and serves it and
// returns the request the load sends.
type target struct {
	name string
	// needs names the servers it needs ("postgres", "redis"), or the
	// cached mode ("cache"); a target whose needs are not met is left out
	// of "all".
	needs []string
	start func(ctx context.Context, e *env) (*request, error)
}

// targets are all the servers the generator knows, in the order of a round.
var targets = []target{
	{name: "bare", start: startBare},
	{name: "scs/memstore", start: startSCSMemory},
	{name: "gatehouse/memory", start: func(ctx context.Context, e *env) (*request, error) {
		return e.gatehouseTarget(ctx, e.memstore(), gatehouseOptions{})
	}},
	{name: "gatehouse/memory/bearer-hs256", start: func(ctx context.Context, e *env) (*request, error) {
		return e.gatehouseTarget(ctx, e.memstore(), gatehouseOptions{hs256: true})
	}},
	{name: "gatehouse/postgres", needs: []string{"postgres"}, start: func(ctx context.Context, e *env) (*request, error) {
		s, err := e.openStore(ctx, "postgres")
		if err != nil {
			return nil, err
		}
		return e.gatehouseTarget(ctx, s, gatehouseOptions{})
	}},
	{name: "scs/pgxstore", needs: []string{"postgres"}, start: startSCSPostgres},
	{name: "gatehouse/postgres+redis", needs: []string{"postgres", "redis"}, start: func(ctx context.Context, e *env) (*request, error) {
		s, err := e.openStore(ctx, "postgres+redis")
		if err != nil {
			return nil, err
		}
		return e.gatehouseTarget(ctx, s, gatehouseOptions{})
	}},
	{name: "scs/redisstore", needs: []string{"redis"}, start: startSCSRedis},
	{name: "gatehouse/postgres+cache", needs: []string{"postgres", "cache"}, start: func(ctx context.Context, e *env) (*request, error) {
		s, err := e.openStore(ctx, "postgres")
		if err != nil {
			return nil, err
		}
		return e.gatehouseTarget(ctx, s, gatehouseOptions{configure: withCache})
	}},
	{name: "gatehouse/postgres+redis+cache", needs: []string{"postgres", "redis", "cache"}, start: func(ctx context.Context, e *env) (*request, error) {
		s, err := e.openStore(ctx, "postgres+redis")
		if err != nil {
			return nil, err
		}
		return e.gatehouseTarget(ctx, s, gatehouseOptions{configure: withCache})
	}},
}

// memstore returns a new memory store, closed on close.
func (e *env) memstore() storage.Store {
	s := memstore.New(memstore.Config{})
	e.defer_(func() { s.Close() })
	return s
}

// openStore opens a store of one kind on a schema and a key prefix of its
// own, closed on close: "postgres" (sqlstore) or "postgres+redis"
// (sqlstore with sessions and counters in redisstore, storage.Compose, as
// bench's storeBackends).
func (e *env) openStore(ctx context.Context, kind string) (storage.Store, error) {
	dsn, err := e.schema(ctx)
	if err != nil {
		return nil, err
	}
	var prefix string
	if kind == "postgres+redis" {
		if prefix, err = e.redisPrefix(); err != nil {
			return nil, err
		}
	}
	return e.openShared(ctx, kind, dsn, prefix)
}

// openShared opens a store of kind on an existing schema (dsn) and key
// prefix: two calls with the same arguments are two instances sharing
// their data.
func (e *env) openShared(ctx context.Context, kind, dsn, prefix string) (storage.Store, error) {
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Config{MaxOpenConns: e.pgConns})
	if err != nil {
		return nil, err
	}
	e.defer_(func() { db.Close() })
	switch kind {
	case "postgres":
		return db, nil
	case "postgres+redis":
		rc, err := e.redisClient()
		if err != nil {
			return nil, err
		}
		hot := redisstore.New(rc, redisstore.Config{Prefix: prefix})
		e.defer_(func() { hot.Close() })
		return storage.Compose(db, storage.Parts{
			Sessions: hot.Sessions(), Counters: hot.Counters(), Backends: []storage.Backend{hot},
		}), nil
	}
	return nil, fmt.Errorf("unknown store kind %q", kind)
}

// reference is gatehouse's answer to a cookie GET /session on the memory
// store: what the bare handler and the scs peers write.
type reference struct {
	body   []byte
	header http.Header
}

// reference returns the env's reference answer, made on first use.
func (e *env) reference(ctx context.Context) (*reference, error) {
	if e.ref != nil {
		return e.ref, nil
	}
	store := e.memstore()
	g, addr, err := e.newGatehouse(store, gatehouseOptions{})
	if err != nil {
		return nil, err
	}
	if err := seed(ctx, store); err != nil {
		return nil, err
	}
	cred, err := login(ctx, addr, g.CookieName())
	if err != nil {
		return nil, err
	}
	status, body, header, err := fetch(ctx, http.MethodGet, addr, "/session", cred)
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("reference GET /session: %d %s", status, body)
	}
	header.Del("Date")
	header.Del("Content-Length")
	e.ref = &reference{body: body, header: header}
	return e.ref, nil
}

// startBare serves a net/http handler with no authentication that writes
// gatehouse's answer: its header fields and body.
func startBare(ctx context.Context, e *env) (*request, error) {
	ref, err := e.reference(ctx)
	if err != nil {
		return nil, err
	}
	addr, err := e.listen(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for k, v := range ref.header {
			h[k] = v
		}
		_, _ = w.Write(ref.body)
	}))
	if err != nil {
		return nil, err
	}
	return newRequest(addr, "/session", nil, http.StatusOK, ref.body), nil
}

// startSCS serves, through alexedwards/scs's LoadAndSave on store, a
// handler that reads the username from the session and writes the
// reference body, and returns the cookie request of a session made for it
// (as bench's benchSCSPeer).
func startSCS(ctx context.Context, e *env, store scs.Store) (*request, error) {
	ref, err := e.reference(ctx)
	if err != nil {
		return nil, err
	}
	sm := scs.New()
	sm.Store = store
	sctx, err := sm.Load(ctx, "")
	if err != nil {
		return nil, err
	}
	sm.Put(sctx, "username", loadUser.Username)
	tok, _, err := sm.Commit(sctx)
	if err != nil {
		return nil, err
	}
	h := sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sm.GetString(r.Context(), "username") != loadUser.Username {
			http.Error(w, "no session data in the context", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(ref.body)
	}))
	addr, err := e.listen(h)
	if err != nil {
		return nil, err
	}
	cookie := "Cookie: " + sm.Cookie.Name + "=" + tok
	return newRequest(addr, "/session", []string{cookie}, http.StatusOK, ref.body), nil
}

func startSCSMemory(ctx context.Context, e *env) (*request, error) {
	store := scsmem.New()
	e.defer_(store.StopCleanup)
	return startSCS(ctx, e, store)
}

func startSCSPostgres(ctx context.Context, e *env) (*request, error) {
	dsn, err := e.schema(ctx)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	if e.pgConns > 0 {
		cfg.MaxConns = int32(e.pgConns)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	e.defer_(pool.Close)
	_, err = pool.Exec(ctx, `CREATE TABLE sessions (token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL);
		CREATE INDEX sessions_expiry_idx ON sessions (expiry)`)
	if err != nil {
		return nil, err
	}
	return startSCS(ctx, e, pgxstore.NewWithCleanupInterval(pool, 0))
}

func startSCSRedis(ctx context.Context, e *env) (*request, error) {
	prefix, err := e.redisPrefix()
	if err != nil {
		return nil, err
	}
	pool, err := e.redigoPool(64)
	if err != nil {
		return nil, err
	}
	return startSCS(ctx, e, scsredis.NewWithPrefix(pool, prefix))
}

// targetNames lists the names of ts.
func targetNames(ts []target) string {
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.name
	}
	return strings.Join(names, ", ")
}
