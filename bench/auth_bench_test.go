package bench_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// authUser is the user every authentication benchmark logs in as: two
// roles (one including the other), a few attributes and a parameter, so
// that reading and copying the user is not free.
var authUser = user.User{
	Username: "alice", Name: "Alice Example", Email: "alice@example.com", Company: "acme",
	Roles:      []string{"sales", "viewer"},
	Attributes: map[string]string{"dep_id": "42", "allowFTP": "true", "kind": "7"},
	Parameters: map[string]string{"generate_ddl": "1"},
}

// authRoles are the roles authUser holds.
var authRoles = []permissions.Role{
	{Code: "viewer", Entities: map[string][]permissions.Op{"*": {permissions.OpRead}}},
	{Code: "sales", Base: []string{"viewer"},
		Entities:   map[string][]permissions.Op{"Customer": {permissions.OpCreate, permissions.OpRead, permissions.OpUpdate}},
		Attributes: map[string]map[string]permissions.Access{"Customer": {"*": permissions.Modify}},
		Specifics:  []string{"entity_export_to_file"}},
}

// authEnv is a Gatehouse over a memstore (gatehousetest: fast hasher,
// fixed clock) whose key set has key as its only key, with authUser and
// authRoles stored and one session of authUser open.
func authEnv(b *testing.B, key *token.Key) (*gatehousetest.Env, gatehousetest.Login) {
	b.Helper()
	keys, err := token.NewKeySet(key)
	check(b, err)
	env := gatehousetest.New(b, gatehousetest.WithConfig(func(c *gatehouse.Config) { c.Keys = keys }))
	for _, r := range authRoles {
		check(b, env.Store.Roles().PutRole(context.Background(), r))
	}
	env.AddUser(b, authUser, "")
	return env, env.LoginAs(b, authUser.Username)
}

// serveLoop serves a new GET request (made by newReq, as a client's would
// arrive) through h on every iteration and checks the status.
func serveLoop(b *testing.B, h http.Handler, newReq func() *http.Request) {
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, newReq())
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

// emptyHandler does nothing: the baseline of every request benchmark.
var emptyHandler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})

// authedHandler fails the benchmark unless the middleware put the caller
// in the context.
func authedHandler(b *testing.B) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := session.FromContext(r.Context()); !ok || a.User.Username != authUser.Username {
			b.Error("no caller in the context")
			w.WriteHeader(http.StatusInternalServerError)
		}
	})
}

// BenchmarkAuthenticate measures gatehouse's Authenticate middleware end to
// end with httptest, on a memory store, for a session cookie and for a
// bearer JWT signed with EdDSA and with HS256; next to it, per request
// shape, the same request through a handler that does nothing (so that the
// middleware's own cost is the difference), for a JWT the verification of
// the same token alone, the session manager's Authenticate alone (no
// HTTP), and for the cookie the same request through alexedwards/scs
// LoadAndSave with its memstore plus GetString.
func BenchmarkAuthenticate(b *testing.B) {
	ed, err := token.GenerateEd25519("ed1")
	check(b, err)
	secret := make([]byte, 32)
	_, err = rand.Read(secret)
	check(b, err)
	hs, err := token.NewHMACKey("hs1", secret)
	check(b, err)

	b.Run("cookie", func(b *testing.B) {
		env, login := authEnv(b, ed)
		newReq := func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.AddCookie(login.Cookie)
			return r
		}
		b.Run("empty_handler", func(b *testing.B) { serveLoop(b, emptyHandler, newReq) })
		b.Run("gatehouse_Authenticate", func(b *testing.B) {
			serveLoop(b, env.G.Authenticate(authedHandler(b)), newReq)
		})
		b.Run("session_Authenticate", func(b *testing.B) {
			benchManager(b, env.G.Sessions(), session.Credential{SessionID: login.Cookie.Value})
		})
		b.Run("scs_LoadAndSave", func(b *testing.B) { benchSCS(b) })
	})
	for _, k := range []struct {
		alg string
		key *token.Key
	}{{token.EdDSA, ed}, {token.HS256, hs}} {
		b.Run("bearer_"+k.alg, func(b *testing.B) {
			env, login := authEnv(b, k.key)
			newReq := func() *http.Request {
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.Header.Set("Authorization", "Bearer "+login.Token)
				return r
			}
			b.Run("empty_handler", func(b *testing.B) { serveLoop(b, emptyHandler, newReq) })
			b.Run("gatehouse_Authenticate", func(b *testing.B) {
				serveLoop(b, env.G.Authenticate(authedHandler(b)), newReq)
			})
			b.Run("session_Authenticate", func(b *testing.B) {
				benchManager(b, env.G.Sessions(), session.Credential{Bearer: login.Token})
			})
			b.Run("gatehouse_Verify", func(b *testing.B) {
				ver := env.G.Sessions().Verifier()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := ver.Verify(login.Token); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// benchManager calls the session manager's Authenticate alone, without
// HTTP: the session and permission work (plus verification, for a token).
func benchManager(b *testing.B, m *session.Manager, c session.Credential) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if a, err := m.Authenticate(ctx, c); err != nil || a.User.Username != authUser.Username {
			b.Fatal(err)
		}
	}
}

// benchSCS serves the cookie request of an existing scs session through
// SessionManager.LoadAndSave (memstore) to a handler reading one string
// from the session.
func benchSCS(b *testing.B) {
	store := scsmem.New()
	b.Cleanup(store.StopCleanup)
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
		}
	}))
	serveLoop(b, h, func() *http.Request {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.AddCookie(cookie)
		return r
	})
}
