package gatehouse_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// A server-rendered web application: a login page of the host's, the
// API's form login mounted at /auth/, a home page anyone may see and an
// account page behind a login.
func ExampleGatehouse_RequireLogin() {
	ctx := context.Background()
	hasher, _ := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: user.MinBcryptCost}})
	g, err := gatehouse.New(gatehouse.Config{
		Session:        session.Config{Hasher: hasher},
		Web:            gatehouse.WebConfig{LoginPage: "/login", DefaultRedirect: "/"},
		InsecureCookie: true, // plain HTTP in this example only
	})
	if err != nil {
		panic(err)
	}
	defer g.Close()
	_, _ = g.Manage().CreateUser(ctx, manage.System, manage.NewUser{
		Username: "alice", Password: "s3cret-password", Company: "acme"})

	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", g.Handler()))
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		// A real page renders a template; next goes in a hidden field.
		fmt.Fprintf(w, `<form method="post" action="/auth/login">… error=%q`, r.URL.Query().Get("error"))
	})
	mux.Handle("GET /{$}", g.OptionalAuthenticate(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, ok := session.FromContext(r.Context()); ok {
			fmt.Fprintf(w, "Hello, %s", a.User.Username)
			return
		}
		fmt.Fprintf(w, `<a href="%s">Log in</a>`, g.LoginURL("/"))
	})))
	mux.Handle("GET /account", g.RequireLogin(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, _ := session.FromContext(r.Context())
		fmt.Fprintf(w, "account of %s", a.User.Username)
	})))

	// The browser asks for the account page and is sent to log in.
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/account", nil)
	req.Header.Set("Accept", "text/html")
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	// A wrong password goes back to the login page, saying why.
	post := func(form url.Values) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/auth/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Mode", "navigate") // a browser submitting the form
		mux.ServeHTTP(rec, req)
		return rec
	}
	rec = post(url.Values{"username": {"alice"}, "password": {"guess"}, "next": {"/account"}})
	fmt.Println(rec.Code, rec.Header().Get("Location"))

	// The right one lands on the page first asked for, with the cookie.
	rec = post(url.Values{"username": {"alice"}, "password": {"s3cret-password"}, "next": {"/account"}, "submit": {"Log in"}})
	fmt.Println(rec.Code, rec.Header().Get("Location"))
	cookie := rec.Result().Cookies()[0]

	rec = httptest.NewRecorder()
	req = httptest.NewRequest("GET", "/account", nil)
	req.AddCookie(cookie)
	mux.ServeHTTP(rec, req)
	fmt.Println(rec.Code, rec.Body.String())
	// Output:
	// 303 /login?next=%2Faccount
	// 303 /login?error=invalid&next=%2Faccount
	// 303 /account
	// 200 account of alice
}
