// Package gatehouse is an embeddable library for session and permission
// logic: who the caller is (login, tokens, sessions), what they may do
// (roles, CRUD and attribute permissions, specific operations, quotas) and
// what they did (audit).
//
// An application creates one [Gatehouse] with [New], keeps its state in a
// [storage.Store] (in memory by default), and mounts [Gatehouse.Handler] on
// its own mux for the ready-made HTTP API:
//
//	g, err := gatehouse.New(gatehouse.Config{})
//	if err != nil { ... }
//	defer g.Close()
//	mux := http.NewServeMux()
//	mux.Handle("/auth/", http.StripPrefix("/auth", g.Handler()))
//
// # Architecture
//
// The logic lives in small packages that never import net/http; this root
// package is the HTTP face and the facade that wires them:
//
//	gatehouse (the facade, HTTP handlers, middleware, error bodies)
//	  └─ datafile     the data file: read, validate, apply to a store
//	  └─ manage       run-time changes of users, roles and sessions
//	  └─ session      login, live-session authentication, logout, password
//	                  change, revocation, brute-force throttle
//	  └─ token        JWT issue and verification, key sets, JWKS
//	  └─ user         User, field validation, password hashing
//	  └─ permissions  roles and grants
//	  └─ audit        action recorder, audit queries, trace data, statistics
//	  └─ quota        quota enforcement over the store's atomic counters
//	  └─ observe      hooks for metrics and traces (Config.Observer)
//	  └─ storage      one interface per concern; memstore, storagetest,
//	                  cachestore (the cached mode, Config.Cache)
//
// Dependencies point one way: the root package uses session, audit and
// quota, which use storage; storage carries the value types of user
// (User) and permissions (Role), which depend on nothing of gatehouse's; the
// domain packages never import net/http (only the root and the test helpers
// of gatehousetest do). The core module's code needs only golang-jwt and
// golang.org/x/crypto (and x/sys under it), the conformance suite included;
// deps_test.go checks it.
//
// In this package, each file holds one job: gatehouse.go the Config and
// the Gatehouse's accessors; new.go all of the setup ([New]); open.go
// starting from a data file ([Open], [Gatehouse.ApplyDataFile]); routes.go
// the route table, which says of every endpoint whether it is open to
// anyone, needs a live session, or concerns the caller's own credentials
// (which a read-only user may still change), and admin_routes.go the admin
// API's ([Gatehouse.AdminHandler]); router.go the plumbing that
// applies it; requestinfo.go the request's trace code and caller;
// errors.go the one error writer and the one JSON writer; web.go the
// browser flows; middleware.go, cookie.go, client.go, decode.go,
// documents.go and metering.go what their names say; handler_*.go the
// handlers, grouped by what they serve.
//
// # Authentication
//
// POST /token returns a JWT as a JSON string; POST /login sets the
// session cookie (SID by default: HttpOnly, SameSite=Lax, Path=/, Secure
// unless Config.InsecureCookie); POST /token/check answers {valid, roles}
// and never an error status; POST /password changes the password, ending
// every older session and token of the user, and returns a new JWT;
// POST /logout and DELETE /session revoke the caller's session. The host's
// own routes use [Gatehouse.Authenticate] (bearer token or cookie; the
// *session.Auth goes in the context, read it with session.FromContext),
// then [Gatehouse.RequireEntity], [Gatehouse.RequireSpecific] or
// [Gatehouse.RequireAdmin]. Read-only users get 403 on every method but GET,
// HEAD and OPTIONS, except on their own credentials; cookie-authenticated
// unsafe requests pass net/http's CrossOriginProtection. See package session
// for the live-session rule and the login throttle.
//
// POST /api-keys makes a personal API key of the caller (ghk_…, shown once,
// kept as its SHA-256), GET /api-keys lists the caller's live keys and
// DELETE /api-keys/{id} revokes one. Authorization: Bearer ghk_… then
// authenticates through the same Authenticate, with the user's current
// permissions narrowed to the key's roles; a key dies when revoked or
// expired, when its user is blocked or deleted, and on a password change
// or revoke-all; it has no idle timeout and, not being ambient, no
// cross-origin check. A key manages no credentials (403), and read-only
// users list and revoke theirs but make none.
//
// # Two-factor login and password reset
//
// POST /mfa/totp gives the caller a pending TOTP secret ({secret,
// otpauth_uri}), POST /mfa/totp/confirm {code} enables it and returns ten
// recovery codes once, DELETE /mfa/totp {password} removes it; read-only
// users may do all three. POST /token and POST /login then need otp (or
// recovery_code): without one the answer is 401 "one-time code required".
// The secrets are sealed with Config.Session.MFA.Key (32 bytes); without
// it the enrolment answers 501. POST /password/reset {username} answers 202
// with one body for every username and hands a single-use token to
// Config.Session.PasswordReset.Sender (a hook the host implements; 501
// without one) after the answer; POST /password/reset/confirm {token,
// new_password} sets the password and ends every session. See package
// session for the rules.
//
// # Web applications
//
// The same endpoints serve HTML forms. A form a browser submits to /login
// (username, password, and an optional next; any other field, such as a
// submit button's name, is ignored) is answered 303 See Other: to next when
// it is a local path ([IsLocalPath]: "//evil.example", "/\evil.example",
// "/.//evil.example" and "https://evil.example" never are), else to
// [WebConfig].DefaultRedirect;
// a failed one back to [WebConfig].LoginPage with error=invalid,
// error=locked&retry_after=<seconds> or error=unavailable in the query (or
// to the host's [WebConfig].LoginFailed hook). A form posted to /logout
// goes to its next too. JSON clients, and scripts posting form-encoded
// bodies (Sec-Fetch-Mode other than navigate), keep their answers.
//
// For the host's pages, [Gatehouse.RequireLogin] sends a browser that is
// not logged in to the login page with next set to the page it asked for
// (an API call still gets the JSON 401), and
// [Gatehouse.OptionalAuthenticate] passes anonymous visitors through, so
// that one page can greet a logged-in user and invite the others to log in.
// [WebConfig].Refused renders the middleware's refusals (401, 403) as the
// host's own pages. [Gatehouse.SetSessionCookie] and [Gatehouse.Client]
// serve a host that logs a user in, or changes a password, from its own
// handler.
//
//	g, err := gatehouse.New(gatehouse.Config{
//		Web: gatehouse.WebConfig{LoginPage: "/login", DefaultRedirect: "/"},
//	})
//	mux.Handle("/auth/", http.StripPrefix("/auth", g.Handler())) // <form action="/auth/login">
//	mux.Handle("GET /login", loginPage)
//	mux.Handle("GET /{$}", g.OptionalAuthenticate(home))
//	mux.Handle("/account", g.RequireLogin(account))
//
// Cookie-authenticated unsafe requests, and every login, pass net/http's
// CrossOriginProtection: a request from another origin gets 403 and the
// cookie stays. [CrossOriginConfig] trusts the origins of a single-page app
// on a sibling origin, or of a proxy that rewrites Host, and names the
// routes that skip the check. examples/webapp is a complete server-rendered
// application built this way.
//
// # Who am I
//
// The documents and the error body have the shapes of five existing APIs:
// the CRM session document, the telephony and EDI "current user"
// endpoints, Jmix's /userInfo and /permissions, and the account service.
// docs/compatible-apis.md in the repository says which endpoint serves
// each, in which shape, and where it is tested.
//
// GET /session serves the CRM session document ([SessionDocument];
// the host adds its own sections through Config.SessionSections, see
// [SessionSection]), GET /user the [UserDocument], GET /userInfo and GET
// /permissions Jmix's documents, GET and PUT /account the account service's
// [AccountDocument] (PUT changes only name, email and phone; see
// [TimezoneOffset] for its timezone). A host serving them at its own paths
// or in its own shapes calls [Gatehouse.SessionDocument],
// [Gatehouse.PermissionsDocument], [NewUserDocument] or
// [NewAccountDocument] behind [Gatehouse.Authenticate]; examples/seeds does
// so for all five APIs. Package gatehousetest helps test such handlers.
//
// # Managing users, roles and sessions
//
// [Gatehouse.Manage] returns the one API for run-time changes (package
// manage): create, update, block and delete users, set passwords and
// roles, put and delete roles (validated against the catalogue and the
// schema), list and revoke live sessions; every change audited with its
// actor and target. GET /sessions, DELETE /sessions/{id} and POST
// /sessions/revoke-others let every caller manage its own sessions;
// [Gatehouse.AdminHandler] is the admin API over the same rules, which the
// host mounts where it wants; it also lists and revokes a user's API keys
// (manage's APIKeys and RevokeAPIKey).
//
// # Audit and quotas
//
// GET /audit, GET /trace/{tracecode}, GET /statistics, GET
// /statistics/report and GET /quotas need a session. A user sees
// their own actions, their company's with the specific permission
// audit_read_all or as admin, never another company's (package audit). The
// report is written by Config.ReportWriter, 501 without one; the XLSX writer
// is the nested module report/xlsx. Host routes behind
// Gatehouse.RequireQuota are charged to the caller's quota (package quota;
// 429 with Retry-After when a limit would be exceeded) and audited, with data
// added by AttachData; Gatehouse.Audit records any other action.
//
// # Errors
//
// Every 4xx and 5xx answer has the body of the account service, see
// [ErrorBody]: a tracedata object whose code is the request's trace code,
// also sent as the X-Trace-Code header and logged with log/slog, and a
// message that names the field and the rule for a 400. 5xx bodies never carry
// internals. JSON request bodies over 1 MiB get 413, a wrong Content-Type
// 415, malformed JSON and unknown fields 400; so do invalid UTF-8 (never
// replaced by U+FFFD) and a member name given twice in one object, exactly
// or up to case (encoding/json would match it case-insensitively and keep
// the last: {"username":"x","USERNAME":"alice"} must not log in as alice).
//
// # The data file
//
// A deployment declares its service, schema, session parameters, roles and
// first users in one JSON file, which package datafile reads and validates
// (errors name the place, such as users[3].email). [Open] starts a
// Gatehouse from it, its service section included; [Gatehouse.ApplyDataFile]
// writes one to the store, idempotently, hashing passwords with the hasher
// the sessions verify with and keeping the file's declared specific
// permissions (see [Config.Specifics]). See examples/server/demo.json.
//
// # API description
//
// GET /docs/openapi.json, /docs/openapi.yaml and /docs/file_en.html describe
// every endpoint (OpenAPI 3.1). All three are embedded from the api
// directory, where api/openapi.json is the one source: api/openapi.yaml and
// api/file_en.html are generated from it at build time by the tools/docsgen
// module, and committed. Edit api/openapi.json with the handler, then run
// `go generate .` in the repository root (or `make docs`) and commit the
// three files. A test of this package fails when a route is missing from the
// description, a test of tools/docsgen fails when the generated files are
// out of date, and the apitest module validates real requests and responses
// of every route against the description.
//
// # Implementing a store
//
// A store implements [storage.Store]: one small interface per concern, each
// method's contract on the method. Run the conformance suite from its tests:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store { return mystore.New(...) })
//	}
//
// Pass a constructor that takes now func() time.Time to run the suite on a
// clock it advances. A backend of some concerns, combined with others by
// storage.Compose, runs exactly those: storagetest.RunSessions,
// RunCounters, RunAPIKeys, … and RunBackend for Ping and Close (see
// storage/redisstore's test).
//
// Package storage/memstore is the reference implementation. The optional
// capabilities storage.AuthReader and storage.UserAuthReader save round
// trips (one read per authentication), and storage.ChangeFeed lets the
// cached mode keep a store's sessions in process; the suite checks each
// capability a store implements.
//
// # Strict and cached mode
//
// By default every authenticated request reads its session, user and the
// store's versions from the store (one statement on sqlstore), so a write
// by any instance is seen by every instance on its next request. Setting
// Config.Cache keeps them in process (package storage/cachestore) for a
// store with a change feed — PostgreSQL LISTEN/NOTIFY, Redis pub/sub — so
// a warm request makes no round trip and another instance's logout,
// block or role change is seen as soon as its notification arrives (a few
// milliseconds); a lost feed serves nothing from memory. See
// docs/cached-mode.md in the repository.
package gatehouse
