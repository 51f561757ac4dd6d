package bench_test

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse-go/gatehouse/token"
)

// BenchmarkHandler measures the API's own request path: GET /session
// through Gatehouse.Handler() (routing, authentication, the session
// document and its JSON) on the memory store of authEnv, with the logged-in
// session's cookie and with its HS256 bearer token. Every iteration builds
// a new request and recorder and checks for 200 and a body.
func BenchmarkHandler(b *testing.B) {
	b.Run("session_cookie", func(b *testing.B) {
		ed, err := token.GenerateEd25519("ed1")
		check(b, err)
		env, login := authEnv(b, ed)
		benchAPI(b, env.G.Handler(), func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/session", nil)
			r.AddCookie(login.Cookie)
			return r
		})
	})
	b.Run("session_bearer_HS256", func(b *testing.B) {
		secret := make([]byte, 32)
		_, err := rand.Read(secret)
		check(b, err)
		hs, err := token.NewHMACKey("hs1", secret)
		check(b, err)
		env, login := authEnv(b, hs)
		benchAPI(b, env.G.Handler(), func() *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/session", nil)
			r.Header.Set("Authorization", "Bearer "+login.Token)
			return r
		})
	})
}

// benchAPI serves a new request from newReq through h on every iteration
// and checks that the answer is 200 with a body.
func benchAPI(b *testing.B, h http.Handler, newReq func() *http.Request) {
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, newReq())
		if w.Code != http.StatusOK || w.Body.Len() == 0 {
			b.Fatalf("GET /session: status %d: %s", w.Code, w.Body)
		}
	}
}
