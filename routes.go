package gatehouse

import "net/http"

// access says what a route asks of its caller before its handler runs.
type access uint8

const (
	// anyone: no credential is asked for or checked.
	anyone access = iota
	// liveSession: a live session, by bearer token or cookie, checked as
	// Authenticate checks it (cross-origin check for the cookie); a
	// read_only user may only use GET, HEAD and OPTIONS.
	liveSession
	// ownCredentials: a live session, and a read_only user may make this
	// unsafe request too, since it concerns their own credentials (log
	// out, change the password).
	ownCredentials
)

// route is one endpoint of the API.
type route struct {
	// pattern is the ServeMux pattern, "METHOD /path".
	pattern string
	// operation names the endpoint in tracedata, logs and audit.
	operation string
	access    access
	serve     handlerFunc
	// clearCookieOn401 clears the session cookie when the credential is
	// refused with 401, so that a browser drops a dead cookie — unless the
	// request fails the cross-origin check (a cross-site form carries no
	// SameSite=Lax cookie, and must not clear it).
	clearCookieOn401 bool
	// formRedirectOn401 answers a form post whose credential is refused
	// with 401 by the 303 its success gets (to the form's next or the
	// default destination) instead of the error: a browser logging out
	// without a live session is logged out. A cross-origin form still
	// gets its 403.
	formRedirectOn401 bool
	// browserForm hands the route's refusal of a browser's form submission
	// (a cross-origin form, say) to WebConfig.Refused when the host set
	// it, so that a person sees the host's page rather than the JSON body.
	browserForm bool
}

// routes is the API: every endpoint, with what it asks of its caller, in
// one table. api/openapi.json describes exactly these routes (a test
// compares them).
func (g *Gatehouse) routes(docs *docsFiles) []route {
	return []route{
		// The service.
		{pattern: "GET /health", operation: "health", access: anyone, serve: g.serveHealth},
		{pattern: "GET /version", operation: "version", access: anyone, serve: g.serveVersion},
		{pattern: "GET /.well-known/jwks.json", operation: "jwks", access: anyone, serve: g.serveJWKS},
		{pattern: "GET /docs/{filename}", operation: "docs", access: anyone, serve: docs.serve},
		{pattern: "GET /docs", operation: "docs_index", access: anyone, serve: docsRedirect("docs/" + DocsHTML)},
		{pattern: "GET /docs/{$}", operation: "docs_index", access: anyone, serve: docsRedirect(DocsHTML)},

		// Logging in and out (the account service's tokens, the EDI
		// cookie).
		{pattern: "POST /token", operation: "token", access: anyone, serve: g.serveToken},
		{pattern: "POST /token/check", operation: "token_check", access: anyone, serve: g.serveTokenCheck},
		{pattern: "POST /login", operation: "login", access: anyone, serve: g.serveLogin, browserForm: true},
		{pattern: "POST /password", operation: "password", access: ownCredentials, serve: g.servePassword},
		{pattern: "POST /password/reset", operation: "password_reset_request", access: anyone, serve: g.servePasswordReset},
		{pattern: "POST /password/reset/confirm", operation: "password_reset", access: anyone, serve: g.servePasswordResetConfirm},
		{pattern: "POST /logout", operation: "logout", access: ownCredentials, serve: g.serveLogout, clearCookieOn401: true, formRedirectOn401: true, browserForm: true},
		{pattern: "DELETE /session", operation: "logout", access: ownCredentials, serve: g.serveLogout, clearCookieOn401: true},

		// The caller's live sessions (their own credentials: read-only
		// users may list and end them too).
		{pattern: "GET /sessions", operation: "sessions", access: ownCredentials, serve: g.serveSessions},
		{pattern: "DELETE /sessions/{id}", operation: "session_revoke", access: ownCredentials, serve: g.serveSessionRevoke},
		{pattern: "POST /sessions/revoke-others", operation: "sessions_revoke_others", access: ownCredentials, serve: g.serveSessionsRevokeOthers},

		// The caller's API keys. Making one is a new credential, which a
		// read-only user does not get (liveSession); listing and revoking
		// its own are open to it (revoking takes access away). A caller
		// authenticated by an API key manages no credentials: 403.
		{pattern: "POST /api-keys", operation: "api_key_create", access: liveSession, serve: g.serveAPIKeyCreate},
		{pattern: "GET /api-keys", operation: "api_keys", access: liveSession, serve: g.serveAPIKeys},
		{pattern: "DELETE /api-keys/{id}", operation: "api_key_revoke", access: ownCredentials, serve: g.serveAPIKeyRevoke},

		// The caller's second factor (their own credentials too).
		{pattern: "POST /mfa/totp", operation: "mfa_totp", access: ownCredentials, serve: g.serveTOTPBegin},
		{pattern: "POST /mfa/totp/confirm", operation: "mfa_totp_confirm", access: ownCredentials, serve: g.serveTOTPConfirm},
		{pattern: "DELETE /mfa/totp", operation: "mfa_totp_disable", access: ownCredentials, serve: g.serveTOTPDisable},

		// Who the caller is and what they may do.
		{pattern: "GET /session", operation: "session", access: liveSession, serve: g.serveSession},
		{pattern: "GET /user", operation: "user", access: liveSession, serve: g.serveUser},
		{pattern: "GET /userInfo", operation: "user_info", access: liveSession, serve: g.serveUserInfo},
		{pattern: "GET /permissions", operation: "permissions", access: liveSession, serve: g.servePermissions},
		{pattern: "GET /account", operation: "account", access: liveSession, serve: g.serveAccount},
		{pattern: "PUT /account", operation: "account_update", access: liveSession, serve: g.serveAccountUpdate},

		// What they did, and what they may still do.
		{pattern: "GET /audit", operation: "audit", access: liveSession, serve: g.serveAudit},
		{pattern: "GET /trace/{tracecode}", operation: "trace", access: liveSession, serve: g.serveTrace},
		{pattern: "GET /statistics", operation: "statistics", access: liveSession, serve: g.serveStatistics},
		{pattern: "GET /statistics/report", operation: "statistics_report", access: liveSession, serve: g.serveReport},
		{pattern: "GET /quotas", operation: "quotas", access: liveSession, serve: g.serveQuotas},
	}
}

// Handler returns the HTTP API, to be mounted by the host on its own mux
// (with http.StripPrefix when mounted under a prefix). Every response carries
// an X-Trace-Code header; every error has the account service's error body
// ([ErrorBody], except the 404 of GET /docs/{filename}: [DocsErrorBody], as
// that service documents for the endpoint). GET /docs/openapi.json
// describes every endpoint (OpenAPI 3.1).
func (g *Gatehouse) Handler() http.Handler {
	rt := newRouter(g)
	for _, r := range g.routes(g.docsFiles()) {
		rt.handle(r)
	}
	return rt.finish()
}
