package gatehousetest

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// TB is the part of testing.TB the helpers use; a *testing.T or
// *testing.B is one. Every helper fails the test with Fatalf on any error,
// so tests need not check one.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// DefaultCompany is the company of a user added without one.
const DefaultCompany = "test_company"

// Env is a ready gatehouse for a test: a Gatehouse over a fresh in-memory
// store (unless WithConfig gives another), the test Hasher and a Clock.
// Its methods are safe for concurrent use.
type Env struct {
	// G is the Gatehouse; mount G.Handler() or wrap handlers with
	// G.Authenticate as the application does.
	G *gatehouse.Gatehouse
	// Handler is G.Handler(), built once.
	Handler http.Handler
	// Store is G's store, for arranging and inspecting state.
	Store storage.Store
	// Clock is G's and the store's clock.
	Clock *Clock

	mu        sync.Mutex
	passwords map[string]string // storage.FoldUsername(username) → password, for LoginAs
}

type options struct {
	configure []func(*gatehouse.Config)
	data      []*datafile.File
	paths     []string
	clock     *Clock
}

// Option configures New.
type Option func(*options)

// WithConfig lets the test change the gatehouse.Config before New uses it
// (its Store, Now, Logger, Keys and Session.Hasher are filled in already).
func WithConfig(f func(*gatehouse.Config)) Option {
	return func(o *options) { o.configure = append(o.configure, f) }
}

// WithDataFile applies the gatehouse data file at path (roles, parameters,
// schema, users). The passwords it gives are remembered for LoginAs.
func WithDataFile(path string) Option {
	return func(o *options) { o.paths = append(o.paths, path) }
}

// WithData applies a data file built in Go.
func WithData(d *datafile.File) Option {
	return func(o *options) { o.data = append(o.data, d) }
}

// WithClock makes the Env use c instead of a new Clock at StartTime.
func WithClock(c *Clock) Option {
	return func(o *options) { o.clock = c }
}

// New returns an Env, closed when the test ends. By default the Gatehouse
// has a memstore on the Env's clock, a generated Ed25519 key, a logger
// that discards, the test Hasher, Service{Name: "gatehousetest", Server:
// "test"} and cookies without the Secure attribute (httptest speaks plain
// HTTP).
func New(t TB, opts ...Option) *Env {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if o.clock == nil {
		o.clock = NewClock(StartTime())
	}
	key, err := token.GenerateEd25519("")
	if err != nil {
		t.Fatalf("gatehousetest: %v", err)
	}
	keys, err := token.NewKeySet(key)
	if err != nil {
		t.Fatalf("gatehousetest: %v", err)
	}
	cfg := gatehouse.Config{
		Store:          memstore.New(memstore.Config{Now: o.clock.Now}),
		Service:        gatehouse.Service{Name: "gatehousetest", Server: "test"},
		Keys:           keys,
		Logger:         slog.New(slog.DiscardHandler),
		Now:            o.clock.Now,
		InsecureCookie: true,
		Session:        session.Config{Hasher: Hasher()},
	}
	for _, f := range o.configure {
		f(&cfg)
	}
	g, err := gatehouse.New(cfg)
	if err != nil {
		t.Fatalf("gatehousetest: %v", err)
	}
	t.Cleanup(func() { _ = g.Close() })
	e := &Env{G: g, Handler: g.Handler(), Store: g.Store(), Clock: o.clock, passwords: map[string]string{}}
	for _, p := range o.paths {
		d, err := datafile.Read(p)
		if err != nil {
			t.Fatalf("gatehousetest: %v", err)
		}
		o.data = append(o.data, d)
	}
	for _, d := range o.data {
		if _, err := g.ApplyDataFile(context.Background(), d); err != nil {
			t.Fatalf("gatehousetest: %v", err)
		}
		for _, u := range d.Users {
			if u.Password != "" {
				e.remember(u.Username, u.Password)
			}
		}
	}
	return e
}

func (e *Env) remember(username, password string) {
	e.mu.Lock()
	e.passwords[storage.FoldUsername(username)] = password
	e.mu.Unlock()
}

// AddUser stores u with password (hashed with the test Hasher) and returns
// it as stored. Unlike Gatehouse.Manage().CreateUser, which makes the id,
// it keeps the ID the test gives, so that tests and their expected output
// can name users by id; every other change goes through Manage(). An empty ID becomes "id-<username>", an empty Company
// DefaultCompany; an empty password makes one up (LoginAs knows it). The
// user is validated first (user.User.Validate), as a data file's would be.
func (e *Env) AddUser(t TB, u user.User, password string) user.User {
	t.Helper()
	if u.ID == "" {
		u.ID = "id-" + u.Username
	}
	if u.Company == "" {
		u.Company = DefaultCompany
	}
	if err := u.Validate(); err != nil {
		t.Fatalf("gatehousetest: AddUser: %v", err)
	}
	if password == "" {
		password = rand.Text()
	}
	h, err := Hasher().Hash(password)
	if err != nil {
		t.Fatalf("gatehousetest: AddUser: %v", err)
	}
	u.PasswordHash = h
	stored, err := e.Store.Users().CreateUser(context.Background(), u)
	if err != nil {
		t.Fatalf("gatehousetest: AddUser %q: %v", u.Username, err)
	}
	e.remember(u.Username, password)
	return stored
}

// Login is a session opened by LoginAs: its bearer token and its cookie
// carry the same session.
type Login struct {
	// Token is the access token (JWT), for "Authorization: Bearer".
	Token string
	// Cookie is the session cookie, named as the Gatehouse names it.
	Cookie *http.Cookie
	// Result is what session.Manager.Login returned.
	Result *session.Result
}

// LoginAs opens a session for username through the session manager, as
// POST /token and POST /login do (so it is audited and counted like any
// login). The user's password must be known to the Env (AddUser, or a
// data file's "password"); otherwise, for a user imported with a hash,
// LoginAs first gives the user a new random password. Usernames match up
// to case, as at login: LoginAs(t, "Ann") is the user "ann".
func (e *Env) LoginAs(t TB, username string) Login {
	t.Helper()
	ctx := context.Background()
	e.mu.Lock()
	password, ok := e.passwords[storage.FoldUsername(username)]
	e.mu.Unlock()
	if !ok {
		password = e.resetPassword(t, username)
	}
	res, err := e.G.Sessions().Login(ctx, session.LoginRequest{
		Username: username, Password: password, Client: session.Client{IP: "192.0.2.1", UserAgent: "gatehousetest"},
	})
	if err != nil {
		t.Fatalf("gatehousetest: LoginAs %q: %v", username, err)
	}
	return Login{
		Token:  res.Token,
		Cookie: &http.Cookie{Name: e.G.CookieName(), Value: res.SessionID, Path: "/", HttpOnly: true},
		Result: res,
	}
}

func (e *Env) resetPassword(t TB, username string) string {
	t.Helper()
	ctx := context.Background()
	u, err := e.G.Manage().UserByUsername(ctx, manage.System, username)
	if err != nil {
		t.Fatalf("gatehousetest: LoginAs %q: %v", username, err)
	}
	password := rand.Text()
	if err := e.G.Manage().SetPassword(ctx, manage.System, u.ID, password); err != nil {
		t.Fatalf("gatehousetest: LoginAs %q: %v", username, err)
	}
	e.remember(username, password)
	return password
}

// Authorize logs in as username and returns r with its bearer token set
// (r itself is not changed).
func (e *Env) Authorize(t TB, r *http.Request, username string) *http.Request {
	t.Helper()
	l := e.LoginAs(t, username)
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+l.Token)
	return r
}

// WithCookie logs in as username and returns r carrying the session
// cookie (r itself is not changed). An unsafe request with a cookie must
// also pass the cross-origin check: httptest requests have no Origin nor
// Sec-Fetch-Site header and do.
func (e *Env) WithCookie(t TB, r *http.Request, username string) *http.Request {
	t.Helper()
	l := e.LoginAs(t, username)
	r = r.Clone(r.Context())
	r.AddCookie(l.Cookie)
	return r
}

// Auth logs in as username and returns the authenticated caller, exactly
// as Gatehouse.Authenticate would put it in a request's context.
func (e *Env) Auth(t TB, username string) *session.Auth {
	t.Helper()
	l := e.LoginAs(t, username)
	a, err := e.G.Sessions().Authenticate(context.Background(), session.Credential{Bearer: l.Token})
	if err != nil {
		t.Fatalf("gatehousetest: Auth %q: %v", username, err)
	}
	return a
}

// Context returns ctx carrying the session of username (session.NewContext),
// for unit tests of handlers that read session.FromContext without going
// through the middleware.
func (e *Env) Context(t TB, ctx context.Context, username string) context.Context {
	t.Helper()
	return session.NewContext(ctx, e.Auth(t, username))
}

// Serve serves r with h (nil means the Env's Handler, the gatehouse API)
// and returns the recorded response.
func (e *Env) Serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	if h == nil {
		h = e.Handler
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}
