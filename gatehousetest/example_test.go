package gatehousetest_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// exampleT stands in for the *testing.T a real test passes.
type exampleT struct{ cleanups []func() }

func (t *exampleT) Helper()                        {}
func (t *exampleT) Cleanup(f func())               { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Fatalf(format string, a ...any) { panic(fmt.Sprintf(format, a...)) }
func (t *exampleT) done() {
	for _, f := range t.cleanups {
		f()
	}
}

// The host's handler under test reads the caller from the context.
func greet(w http.ResponseWriter, r *http.Request) {
	a, ok := session.FromContext(r.Context())
	if !ok {
		http.Error(w, "no session", http.StatusUnauthorized)
		return
	}
	_, _ = fmt.Fprintf(w, "hello %s of %s", a.User.Name, a.User.Company)
}

func Example() {
	t := &exampleT{} // in a test: the *testing.T
	defer t.done()

	env := gatehousetest.New(t)
	env.AddUser(t, user.User{Username: "ann", Name: "Ann Lee", Company: "acme"}, "")

	// Through the middleware, with a bearer token.
	h := env.G.Authenticate(http.HandlerFunc(greet))
	r := env.Authorize(t, httptest.NewRequest("GET", "/hello", nil), "ann")
	rec := env.Serve(h, r)
	fmt.Println(rec.Code, rec.Body.String())

	// Without a session.
	rec = env.Serve(h, httptest.NewRequest("GET", "/hello", nil))
	fmt.Println(rec.Code)

	// A unit test of the handler alone, with a session in the context.
	r = httptest.NewRequest("GET", "/hello", nil)
	r = r.WithContext(env.Context(t, context.Background(), "ann"))
	rec = httptest.NewRecorder()
	greet(rec, r)
	body, _ := io.ReadAll(rec.Body)
	fmt.Println(string(body))

	// The gatehouse API itself.
	rec = env.Serve(nil, env.Authorize(t, httptest.NewRequest("GET", "/userInfo", nil), "ann"))
	fmt.Print(rec.Body.String())
	// Output:
	// 200 hello Ann Lee of acme
	// 401
	// hello Ann Lee of acme
	// {"username":"ann","locale":"en"}
}
