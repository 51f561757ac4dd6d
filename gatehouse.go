package gatehouse

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/cachestore"
	"github.com/gatehouse-go/gatehouse/token"
)

// Version is a service version, as GET /version reports it (the account
// service's): Major 1..100, Minor 0..111, Build 1..64 characters.
type Version struct {
	Major int    `json:"major"`
	Minor int    `json:"minor"`
	Build string `json:"build"`
}

// Validate checks the account service's limits of a version: Major
// 1..100, Minor 0..111, Build 1..64 characters.
func (v Version) Validate() error {
	if err := datafile.Version(v).Validate(); err != nil {
		return fmt.Errorf("gatehouse: %w", err)
	}
	return nil
}

// Service describes the service gatehouse runs in. Its names appear in the
// tracedata of every error body and in the audit.
type Service struct {
	// Name is the service name (tracedata "service"); default "gatehouse".
	Name string `json:"name"`
	// Server names this instance (tracedata "server"); default the host name.
	Server string `json:"server"`
	// Version is served by GET /version; default {1, 0, "dev"}.
	Version Version `json:"version"`
}

// Config configures a [Gatehouse]. Its zero value is usable: an in-memory
// store, the default logger and the real clock.
type Config struct {
	// Store keeps users, roles, sessions and counters. Nil means a new
	// in-memory store (memstore), which Close closes.
	Store storage.Store
	// Cache turns on the cached mode: sessions, their users and the
	// store's versions are kept in process (package cachestore) in front
	// of Store, so that an authenticated request with a warm cache makes
	// no round trip, and every write that ends or narrows access is seen
	// here as soon as Store's change feed delivers it (PostgreSQL
	// LISTEN/NOTIFY, Redis pub/sub). New refuses a store without a feed
	// (SQLite). Nil, the default, is the strict mode: every request
	// reads the store. Its Now and Logger default to the ones below.
	Cache *cachestore.Config
	// Service names the service and its version.
	Service Service
	// Keys signs and verifies access tokens; its public keys are served at
	// /.well-known/jwks.json. Nil means a new set with one generated Ed25519
	// key, which lives as long as the process: tokens die with it and
	// instances do not share it, so production deployments load a key (see
	// token.LoadKeyFile).
	Keys *token.KeySet
	// Logger receives one record per error response, with its trace code.
	// Nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxBodyBytes caps JSON request bodies; larger bodies get 413. Zero
	// means 1 MiB.
	MaxBodyBytes int64
	// HealthTimeout bounds the store ping of GET /health. Zero means 2s.
	HealthTimeout time.Duration

	// Session configures logins, sessions, tokens and the brute-force
	// throttle (see package session). Its Now and Logger default to the
	// ones above, its Service and Server to Service's, and its token
	// issuer and audience to Service.Name.
	Session session.Config
	// CookieName names the session cookie; empty means "SID" (the EDI API's).
	// HostCookieName ("__Host-SID") is recommended where the API is
	// served over HTTPS at the root of its host: browsers then refuse the
	// cookie unless it is Secure, has Path=/ and no Domain. A request that
	// carries the session cookie more than once is not authenticated.
	CookieName string
	// InsecureCookie drops the Secure attribute of the session cookie, for
	// development over plain HTTP only. The zero value sends Secure.
	InsecureCookie bool
	// TrustedProxies lists the proxies whose X-Forwarded-For is believed.
	// The client address (per-address throttle, audit, session record) is
	// the connection's peer unless that peer is in one of these prefixes;
	// then it is the rightmost X-Forwarded-For address that is not. Empty
	// means X-Forwarded-For is ignored.
	TrustedProxies []netip.Prefix
	// SessionSections are the host's sections of the session document
	// (GET /session, the CRM's), by top-level key: "alerts", "events",
	// "quick_actions", "domain" or any other name but the four gatehouse
	// fills (sessioninfo, session_roles, session_role_params,
	// session_parameters), which New refuses.
	SessionSections map[string]SessionSection
	// Specifics declares specific permissions of the deployment beside the
	// names its roles grant, as a data file's "specifics" does: the
	// /permissions document and the session document's
	// bp_process_roles_list enumerate every declared or granted name (an
	// admin or a "*" grant has each of them), so a UI can ask about a
	// name no role grants yet. Names follow the rules of role grants.
	Specifics []string
	// Web configures the browser flows: the redirects of form logins and
	// logouts, the login page of RequireLogin, and hooks to answer
	// refusals in HTML. JSON clients are not affected.
	Web WebConfig
	// CrossOrigin configures the cross-origin check of cookie-authenticated
	// unsafe requests: trusted origins (a single-page app on a sibling
	// origin, a proxy that rewrites Host) and bypass patterns.
	CrossOrigin CrossOriginConfig
	// DefaultLocale is the locale of users without one, in /userInfo and
	// the session document's lang; empty means DefaultLocale ("en").
	DefaultLocale string

	// Audit configures the recorder of actions (see package audit): write
	// through by default, or a bounded buffer. Its Server, Now and Logger
	// default to the ones above.
	Audit audit.Config
	// ReportWriter renders GET /statistics/report. Nil means the endpoint
	// answers 501: the XLSX writer lives in the nested module
	// github.com/gatehouse-go/gatehouse/report/xlsx (xlsx.New()), so that
	// the core module does not depend on an XLSX library.
	ReportWriter audit.ReportWriter
	// Quota configures the quota enforcer of Gatehouse.RequireQuota. Its
	// Now defaults to the one above.
	Quota quota.Config

	// Observer is told what happens, for metrics and traces (see package
	// observe; the nested module github.com/gatehouse-go/gatehouse/otel
	// implements it with OpenTelemetry): logins and authentications with
	// their outcomes, lockouts, quota refusals and lost audit actions. New
	// passes it to Session.Observer, Quota.Observer and Audit.Observer
	// where those are nil. Nil, the default, costs one comparison per
	// call. Store calls are observed by wrapping Store instead.
	Observer observe.Observer
}

// DefaultMaxBodyBytes is the request body limit when Config.MaxBodyBytes is
// zero: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// Gatehouse is the facade of the library: it holds the store and the
// configuration, and serves the HTTP API with [Gatehouse.Handler]. It is
// safe for concurrent use.
type Gatehouse struct {
	store     storage.Store
	ownsStore bool
	cache     *cachestore.Store // Config.Cache's, wrapping the store; nil in strict mode
	keys      *token.KeySet
	service   Service
	log       *slog.Logger
	now       func() time.Time
	maxBody   int64
	healthTTL time.Duration

	sessions     *session.Manager
	cookieName   string
	cookieSecure bool
	proxies      []netip.Prefix
	csrf         *http.CrossOriginProtection
	observer     observe.Observer // Config.Observer, or nil

	// The browser flows (Config.Web).
	loginPage       *url.URL
	defaultRedirect string
	loginFailed     func(http.ResponseWriter, *http.Request, LoginFailure)
	refused         func(http.ResponseWriter, *http.Request, *Error)

	// configSpecifics are Config.Specifics; specifics the whole declared
	// catalogue (those and the data file's), replaced by ApplyDataFile.
	configSpecifics []string
	specifics       atomic.Pointer[[]string]

	sections      map[string]SessionSection
	sectionNames  []string
	defaultLocale string

	recorder *audit.Recorder
	report   audit.ReportWriter
	quotas   *quota.Enforcer
	manage   *manage.Manager
}

// Store returns the store gatehouse uses.
func (g *Gatehouse) Store() storage.Store { return g.store }

// Keys returns the key set that signs and verifies tokens.
func (g *Gatehouse) Keys() *token.KeySet { return g.keys }

// Service returns the service description, with defaults filled in.
func (g *Gatehouse) Service() Service { return g.service }

// Sessions returns the session manager, for hosts that log users in or
// revoke sessions from their own code.
func (g *Gatehouse) Sessions() *session.Manager { return g.sessions }

// Manage returns the manager of users, roles and sessions: the API that
// owns every run-time change (see package manage).
func (g *Gatehouse) Manage() *manage.Manager { return g.manage }

// Audit returns the recorder of actions, for hosts that record their own
// (see package audit). Stamp an action with the request's trace code
// (TraceCode) and the caller's Username and Company (session.FromContext)
// so that GET /audit shows it to them and to their company.
func (g *Gatehouse) Audit() *audit.Recorder { return g.recorder }

// Cache returns the cache of the cached mode (Config.Cache), for its
// Stats; nil in the strict mode.
func (g *Gatehouse) Cache() *cachestore.Store { return g.cache }

// Quotas returns the quota enforcer, for hosts that charge quotas from
// their own code rather than with RequireQuota.
func (g *Gatehouse) Quotas() *quota.Enforcer { return g.quotas }

// Close waits for the password reset deliveries under way
// (session.Manager.WaitPasswordResets), writes the audit records still
// buffered (Config.Audit.Buffer), stops the cache's feed (Config.Cache),
// then closes the store if New created it; a store passed in Config is the
// caller's to close.
func (g *Gatehouse) Close() error {
	g.sessions.WaitPasswordResets()
	err := g.recorder.Close()
	return errors.Join(err, g.releaseStore())
}

// Health pings the store within the health timeout and returns 1 when it
// answers and 0 when it does not.
func (g *Gatehouse) Health(ctx context.Context) float64 {
	ctx, cancel := context.WithTimeout(ctx, g.healthTTL)
	defer cancel()
	if err := g.store.Ping(ctx); err != nil {
		g.log.WarnContext(ctx, "gatehouse: store ping failed", "err", err)
		return 0
	}
	return 1
}
