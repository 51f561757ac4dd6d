// Package app is a small server-rendered web application with a login in
// front, built only on gatehouse's public API, for a Go developer to copy
// from. It has no JavaScript: pages are html/template, every change is an
// HTML form, and a little CSS is embedded.
//
// How it is built on gatehouse:
//
//   - gatehouse.Open starts a Gatehouse from a data file (the app's own,
//     webapp.json, embedded; or any data file whose schema declares a
//     Customer entity), and its API is mounted at /auth/ with
//     http.StripPrefix. The login page's form posts to /auth/login, the
//     logout button to /auth/logout: gatehouse checks the password, throttles
//     guessing, sets the session cookie and sends the browser on (to the page
//     first asked for, or back to /login?error=… on a failure, which the login
//     page puts in words). Config.Web names the login page and answers every
//     refusal of gatehouse's middleware with an HTML page of this app.
//   - Pages anyone may see (the home page, the login page) are behind
//     Gatehouse.OptionalAuthenticate; pages and forms behind a login are behind
//     Gatehouse.RequireLogin, which sends a browser that is not logged in to the
//     login page and refuses a form posted from another origin (the session
//     cookie is never enough on its own to change anything).
//   - The customers table is driven by the caller's permissions
//     (session.FromContext → Auth.Set): its columns are the schema's Customer
//     attributes the user may read (Set.Attribute, and Set.FilterRecord on every
//     row), the edit forms appear only for a user who may update customers
//     (Set.Can) and hold only the attributes the user may modify. The server
//     does not trust the form: an edit needs Customer:update
//     (Gatehouse.RequireEntity) and every attribute written must be modifiable
//     (Set.CheckWrite), or it is refused with 403 and nothing changes.
//   - The account page changes the password (Sessions().ChangePassword, then
//     Gatehouse.SetSessionCookie with the new session: every other session
//     ends), the name, e-mail address and phone (Sessions().UpdateAccount), and
//     lists the user's sessions with "log out" per session and "log out
//     everywhere else" (Manage().Sessions, RevokeSession, RevokeOtherSessions).
//     It also enrols a TOTP second factor (Sessions().BeginTOTP, ConfirmTOTP,
//     which shows the recovery codes once) and removes it (DisableTOTP); the
//     login form then takes the one-time code in its otp field.
//   - The admin page, for users with the specific permission users_manage, lists,
//     creates, blocks and unblocks users, resets passwords and assigns roles
//     through Manage() with the caller as the actor (manage.Caller), so that
//     package manage's rules decide: own company only, no granting roles one
//     does not hold, nobody blocks or demotes itself. Its refusals are shown in
//     words.
//
// Customers are the application's own data: an in-memory map, seeded with c1,
// c2 and c3. Everything gatehouse keeps (users, roles, sessions) is in the store
// of Options.Store.
package app

import (
	"context"
	"crypto/rand"
	_ "embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Entity is the schema entity whose records the customers table shows.
const Entity = "Customer"

// The app's pages, as gatehouse's browser flows need to know them.
const (
	// LoginPage is where RequireLogin sends a browser that is not logged
	// in, and where a failed form login comes back to.
	LoginPage = "/login"
	// HomePage is where a login or logout without a next goes.
	HomePage = "/"
)

//go:embed webapp.json
var ownData []byte

// DataFile returns the app's own data file (webapp.json, embedded): the
// schema with its Customer entity, the roles viewer, sales and manager, and
// the users alice, bob and carol with their passwords.
func DataFile() (*datafile.File, error) {
	return datafile.Parse(ownData)
}

// Options configures New. The zero value serves the app's own data file over
// an in-memory store.
type Options struct {
	// Data is the data file to start from; nil means the app's own
	// (DataFile). Its schema must declare the Customer entity.
	Data *datafile.File
	// Store keeps users, roles and sessions; nil means a new in-memory store,
	// which Close closes. A store passed in is the caller's to close.
	Store storage.Store
	// Logger receives gatehouse's log records; nil means slog.Default().
	Logger *slog.Logger
	// InsecureCookie drops the Secure attribute of the session cookie, so
	// that a browser sends it over plain HTTP: for the example and the
	// tests only. Serve the app over HTTPS and leave it false.
	InsecureCookie bool
	// TrustedOrigins are other origins ("scheme://host[:port]") whose form
	// posts with the session cookie are accepted (gatehouse.Config's
	// CrossOrigin.TrustedOrigins): the public origin when a proxy rewrites
	// Host, say. Every other cross-origin form is refused.
	TrustedOrigins []string
	// Hasher hashes and checks passwords; nil means gatehouse's default
	// (bcrypt, cost 12). Tests pass gatehousetest.Hasher() to be fast.
	Hasher user.Hasher
	// MFAKey encrypts the users' TOTP secrets at rest (session.MFAConfig.Key,
	// 32 bytes); nil means 32 random bytes made by New.
	//
	// A real application keeps its key apart from the database (a secret
	// store, an environment variable, a file the database backups do not
	// hold) and stable across restarts: a new key at every start, as this
	// example makes without MFAKey, makes every enrolled secret unreadable
	// after a restart, so that those users can log in only with a recovery
	// code.
	MFAKey []byte
}

// App is the web application: its gatehouse, its customers and its pages.
// Serve its Handler.
type App struct {
	g         *gatehouse.Gatehouse
	log       *slog.Logger
	attrs     []string // the Customer attributes of the schema, in order
	customers *customers
	pages     map[string]*template.Template
	handler   http.Handler
}

// New starts the app: it opens a Gatehouse from the data file (applying it to
// the store, which is safe on every start) and builds the routes. A data file
// without a Customer entity is an error.
func New(ctx context.Context, o Options) (*App, error) {
	data := o.Data
	if data == nil {
		var err error
		if data, err = DataFile(); err != nil {
			return nil, fmt.Errorf("the app's data file: %w", err)
		}
	}
	attrs := data.Schema[Entity]
	if len(attrs) == 0 {
		return nil, fmt.Errorf("data file: schema: declares no %s entity with attributes, which the customers table shows", Entity)
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	mfaKey := o.MFAKey
	if mfaKey == nil {
		// For the example only: see Options.MFAKey.
		mfaKey = make([]byte, 32)
		if _, err := rand.Read(mfaKey); err != nil {
			return nil, fmt.Errorf("the TOTP key: %w", err)
		}
	}
	a := &App{log: log, attrs: attrs, customers: newCustomers(attrs), pages: pages}
	g, err := gatehouse.Open(ctx, gatehouse.Config{
		Store:          o.Store,
		Logger:         log,
		InsecureCookie: o.InsecureCookie,
		Session: session.Config{
			Hasher: o.Hasher,
			// The key that seals the TOTP secrets in the store.
			MFA: session.MFAConfig{Key: mfaKey},
		},
		Web: gatehouse.WebConfig{
			LoginPage:       LoginPage,
			DefaultRedirect: HomePage,
			// Refusals of RequireLogin and RequireEntity/RequireSpecific
			// (a form posted without a session or from another origin, a
			// permission missing) as an HTML page instead of JSON.
			Refused: a.refused,
		},
		CrossOrigin: gatehouse.CrossOriginConfig{TrustedOrigins: o.TrustedOrigins},
	}, data)
	if err != nil {
		return nil, err
	}
	a.g = g
	a.handler = a.routes()
	return a, nil
}

// routes builds the app's mux.
func (a *App) routes() http.Handler {
	g := a.g
	mux := http.NewServeMux()
	// gatehouse's API: POST /auth/login and /auth/logout for the forms, and
	// the JSON API for any other client.
	mux.Handle("/auth/", http.StripPrefix("/auth", g.Handler()))
	mux.Handle("GET /static/", http.FileServerFS(staticFS))

	// Anyone: the page changes for a logged-in user.
	mux.Handle("GET /{$}", g.OptionalAuthenticate(http.HandlerFunc(a.home)))
	mux.Handle("GET /login", g.OptionalAuthenticate(http.HandlerFunc(a.loginPage)))

	// Behind a login. RequireLogin also refuses a form from another origin.
	login := g.RequireLogin
	mux.Handle("POST /customers/{id}", login(g.RequireEntity(Entity, permissions.OpUpdate)(http.HandlerFunc(a.editCustomer))))

	mux.Handle("GET /account", login(http.HandlerFunc(a.account)))
	// The caller's own credentials: a read-only user may change them too.
	own := g.RequireLoginOwnCredentials
	mux.Handle("POST /account/password", own(http.HandlerFunc(a.changePassword)))
	mux.Handle("POST /account/profile", login(http.HandlerFunc(a.updateProfile)))
	mux.Handle("POST /account/sessions/{id}/revoke", own(http.HandlerFunc(a.revokeSession)))
	mux.Handle("POST /account/sessions/revoke-others", own(http.HandlerFunc(a.revokeOthers)))
	// The second factor is the user's own credential too.
	mux.Handle("POST /account/totp", own(http.HandlerFunc(a.beginTOTP)))
	mux.Handle("POST /account/totp/confirm", own(http.HandlerFunc(a.confirmTOTP)))
	mux.Handle("POST /account/totp/disable", own(http.HandlerFunc(a.disableTOTP)))

	// The admin page needs users_manage; package manage checks every change
	// again with its own rules.
	admin := func(h http.HandlerFunc) http.Handler { return login(g.RequireSpecific(permUsers)(h)) }
	mux.Handle("GET /admin", admin(a.admin))
	mux.Handle("POST /admin/users", admin(a.createUser))
	mux.Handle("POST /admin/users/{username}/password", admin(a.resetPassword))
	mux.Handle("POST /admin/users/{username}/block", admin(a.blockUser))
	mux.Handle("POST /admin/users/{username}/unblock", admin(a.unblockUser))
	mux.Handle("POST /admin/users/{username}/roles", admin(a.setRoles))
	return securityHeaders(mux)
}

// Handler returns the app's HTTP handler: the pages, and gatehouse's API
// under /auth/.
func (a *App) Handler() http.Handler { return a.handler }

// Gatehouse returns the app's Gatehouse.
func (a *App) Gatehouse() *gatehouse.Gatehouse { return a.g }

// Close closes the Gatehouse (and the in-memory store it made when
// Options.Store was nil).
func (a *App) Close() error {
	return a.g.Close()
}

// securityHeaders adds the headers every answer carries: no framing, no
// content sniffing, no script at all, forms only to this origin.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// errNoAuth is a page behind RequireLogin reached without a session: a
// wiring mistake.
var errNoAuth = errors.New("no session in the request context")
