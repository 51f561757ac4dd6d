package sqlstore_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/redisstore"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/token"
)

// pgCounter is a TCP proxy in front of PostgreSQL that counts round trips:
// the ReadyForQuery messages the server sends, one at the end of every
// statement's exchange (simple or extended protocol), whatever the driver.
type pgCounter struct {
	ln    net.Listener
	ready atomic.Int64
	wg    sync.WaitGroup
}

func newPGCounter(t *testing.T, target string) *pgCounter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &pgCounter{ln: ln}
	var mu sync.Mutex
	var conns []net.Conn
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			p.wg.Go(func() { io.Copy(s, c); s.Close() })
			p.wg.Go(func() { p.count(c, s); c.Close() })
		}
	})
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		p.wg.Wait()
	})
	return p
}

// count copies the server's messages (type byte, int32 length, body: the
// DSN disables TLS, so the stream starts with typed messages) to the
// client, counting ReadyForQuery ('Z').
func (p *pgCounter) count(dst io.Writer, src io.Reader) {
	r := bufio.NewReader(src)
	var head [5]byte
	for {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return
		}
		if head[0] == 'Z' {
			p.ready.Add(1)
		}
		if _, err := dst.Write(head[:]); err != nil {
			return
		}
		if _, err := io.CopyN(dst, r, int64(binary.BigEndian.Uint32(head[1:]))-4); err != nil {
			return
		}
	}
}

// dsn returns dsn with its host replaced by the proxy's.
func (p *pgCounter) dsn(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	u.Host = p.ln.Addr().String()
	return u.String()
}

// redisCounter counts the round trips of a go-redis client: each command
// sent alone, and each pipeline, is one.
type redisCounter struct{ n atomic.Int64 }

func (c *redisCounter) DialHook(next redis.DialHook) redis.DialHook { return next }
func (c *redisCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.n.Add(1); return next(ctx, cmd) }
}
func (c *redisCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.n.Add(1); return next(ctx, cmds) }
}

// plainStore hides every optional capability of the store it holds: only
// the methods of storage.Store are promoted, as from a third-party store.
type plainStore struct{ storage.Store }

// TestAuthenticateRoundTrips counts the round trips of a cookie GET
// /session, after the first request has prepared the statements: one
// statement on PostgreSQL; one Redis command and one statement with
// sessions in Redis; and, for a store without the capabilities, the plain
// calls (session, user, policy version, parameters).
func TestAuthenticateRoundTrips(t *testing.T) {
	for _, c := range []struct {
		name           string
		redis, plain   bool
		wantPG, wantRD int64
	}{
		{name: "postgres", wantPG: 1},
		{name: "postgres plain", plain: true, wantPG: 4},
		{name: "postgres+redis", redis: true, wantPG: 1, wantRD: 1},
		{name: "postgres+redis plain", redis: true, plain: true, wantPG: 3, wantRD: 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			dsn := freshSchema(t, postgresDSN(t))
			u, err := url.Parse(dsn)
			require.NoError(t, err)
			pg := newPGCounter(t, u.Host)
			var store storage.Store = open(t, pg.dsn(t, dsn), sqlstore.Config{})
			rd := &redisCounter{}
			if c.redis {
				client, prefix := redisClient(t)
				client.AddHook(rd)
				hot := redisstore.New(client, redisstore.Config{Prefix: prefix})
				t.Cleanup(func() { hot.Close() })
				store = storage.Compose(store, storage.Parts{
					Sessions: hot.Sessions(), Counters: hot.Counters(), Backends: []storage.Backend{hot},
				})
			}
			if c.plain {
				store = plainStore{store}
			}
			key, err := token.GenerateEd25519("")
			require.NoError(t, err)
			keys, err := token.NewKeySet(key)
			require.NoError(t, err)
			in := newInstance(t, "node-a", store, keys, session.Limit{})
			cl := cluster{a: in}
			require.NoError(t, store.Roles().PutRole(t.Context(), permissions.Role{Code: "viewer", Title: "Viewer"}))
			cl.addUser(t, "alice", "viewer")
			require.NoError(t, store.Parameters().PutParameter(t.Context(), storage.Parameter{Code: "show_header", Title: "Show header", Value: "1"}))
			sid := cookieLogin(t, in)
			require.Equal(t, http.StatusOK, getSession(t, in, sid).Code, "the first GET /session")

			const n = 5
			pg0, rd0 := pg.ready.Load(), rd.n.Load()
			for range n {
				rec := getSession(t, in, sid)
				require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
				require.Contains(t, rec.Body.String(), `"show_header"`)
			}
			assert.Equal(t, c.wantPG, (pg.ready.Load()-pg0)/n, "PostgreSQL round trips per GET /session")
			assert.Equal(t, c.wantRD, (rd.n.Load()-rd0)/n, "Redis round trips per GET /session")
			assert.Zero(t, (pg.ready.Load()-pg0)%n, "the same round trips on every request")
		})
	}
}

// cookieLogin logs alice in through POST /login on in and returns her
// session cookie.
func cookieLogin(t *testing.T, in *instance) *http.Cookie {
	t.Helper()
	rec := in.do(t, http.MethodPost, "/login", "", `{"username":"alice","password":"password1"}`)
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == gatehouse.DefaultCookieName {
			return &http.Cookie{Name: ck.Name, Value: ck.Value}
		}
	}
	t.Fatal("POST /login set no session cookie")
	return nil
}

// getSession sends GET /session with the cookie to in.
func getSession(t *testing.T, in *instance, sid *http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, "/session", nil)
	r.AddCookie(sid)
	w := httptest.NewRecorder()
	in.h.ServeHTTP(w, r)
	return w
}

// On the one-round-trip path (both stores read auth in one call), a logout
// on B is refused on A on the very next request, and a parameter changed
// through B is in A's very next session document, although A keeps the
// parameters it read under their version.
func TestInstancesOneReadSeesLogoutAndParameters(t *testing.T) {
	forEachDeployment(t, session.Limit{}, func(t *testing.T, c cluster) {
		for _, in := range []*instance{c.a, c.b} {
			_, ok := in.store.(storage.AuthReader)
			require.True(t, ok, "%s's store does not read auth in one call", in.name)
		}
		c.addUser(t, "alice")
		ctx := t.Context()
		require.NoError(t, c.b.store.Parameters().PutParameter(ctx, storage.Parameter{Code: "show_header", Title: "Show header", Value: "1"}))
		sid := cookieLogin(t, c.b)
		rec := getSession(t, c.a, sid)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Contains(t, rec.Body.String(), `"value":"1"`)
		require.Equal(t, http.StatusOK, getSession(t, c.a, sid).Code, "A again, from its parameters kept")

		require.NoError(t, c.b.store.Parameters().PutParameter(ctx, storage.Parameter{Code: "show_header", Title: "Show header", Value: "0"}))
		rec = getSession(t, c.a, sid)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Contains(t, rec.Body.String(), `"value":"0"`, "A serves the parameter as it was before B changed it")
		assert.False(t, strings.Contains(rec.Body.String(), `"value":"1"`))

		r := httptest.NewRequest(http.MethodPost, "/logout", nil)
		r.AddCookie(sid)
		w := httptest.NewRecorder()
		c.b.h.ServeHTTP(w, r)
		require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
		assert.Equal(t, http.StatusUnauthorized, getSession(t, c.a, sid).Code, "A accepts a cookie B logged out")
	})
}
