package gatehouse_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
)

// FuzzAuthenticateCredentials sends arbitrary Authorization and Cookie
// headers through Authenticate: it must never panic, never answer 5xx for a
// bad credential, and let a request through only when it carries the one
// live token or session id issued in the setup.
func FuzzAuthenticateCredentials(f *testing.F) {
	store := memstore.New(memstore.Config{})
	g, err := gatehouse.New(gatehouse.Config{
		Store:   store,
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Session: session.Config{Hasher: plainHasher},
	})
	if err != nil {
		f.Fatal(err)
	}
	defer g.Close()
	if _, err := store.Users().CreateUser(context.Background(), user.User{ID: "u1", Username: "alice", Company: "acme", PasswordHash: testHash("password1")}); err != nil {
		f.Fatal(err)
	}
	api := g.Handler()
	post := func(path string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(`{"username":"alice","password":"password1"}`))
		r.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, r)
		return rec
	}
	var tok string
	if err := json.Unmarshal(post("/token").Body.Bytes(), &tok); err != nil || tok == "" {
		f.Fatalf("no token: %v", err)
	}
	var sid string
	for _, c := range post("/login").Result().Cookies() {
		if c.Name == gatehouse.DefaultCookieName {
			sid = c.Value
		}
	}
	if sid == "" {
		f.Fatal("no session cookie")
	}

	f.Add("Bearer "+tok, "")
	f.Add("", "SID="+sid)
	f.Add("Bearer "+tok[:len(tok)-1]+"A", "SID="+sid[:len(sid)-1])
	f.Add("Basic YWxpY2U6cGFzc3dvcmQx", "SID=; SID="+sid+"x")
	f.Add("Bearer "+strings.Repeat(".", 10000), "SID="+strings.Repeat("A", 4096))
	f.Add("bearer  "+tok+" ", "sid="+sid)

	var passed bool
	protected := g.Authenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		passed = true
		w.WriteHeader(http.StatusNoContent)
	}))
	f.Fuzz(func(t *testing.T, authorization, cookie string) {
		r := httptest.NewRequest(http.MethodGet, "/protected", nil)
		r.Header.Set("Authorization", authorization)
		r.Header.Set("Cookie", cookie)
		rec := httptest.NewRecorder()
		passed = false
		protected.ServeHTTP(rec, r)
		if passed && !strings.Contains(authorization, tok) && !strings.Contains(cookie, sid) {
			t.Fatalf("authenticated without the issued credential: Authorization %q, Cookie %q", authorization, cookie)
		}
		if !passed && rec.Code != http.StatusUnauthorized {
			t.Fatalf("a refused credential answered %d, want 401", rec.Code)
		}
	})
}
