package gatehouse

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse-go/gatehouse/session"
)

// WebConfig configures the browser flows: where an HTML form login or
// logout sends the browser, the login page that RequireLogin sends a
// browser to, and the hooks that answer refusals in HTML instead of the
// JSON error body. Its zero value is usable: the login page is "/login"
// and the default destination "/". JSON clients are not affected by any
// of it.
type WebConfig struct {
	// LoginPage is the host's login page, a local path (see IsLocalPath)
	// that may carry a query. A failed form login is sent back to it with
	// the reason in the query (see LoginFailure), and RequireLogin sends a
	// browser without a live session to it with next set to the page it
	// asked for. Empty means "/login".
	LoginPage string
	// DefaultRedirect is where a form login or logout sends the browser
	// when the form carries no next, or one that is not a local path.
	// Empty means "/".
	DefaultRedirect string
	// LoginFailed, when set, answers a failed form login instead of the
	// 303 to LoginPage: to render the login page in place, say. It is not
	// called for a cross-origin form, which is refused with 403.
	LoginFailed func(w http.ResponseWriter, r *http.Request, f LoginFailure)
	// Refused, when set, answers the refusals of the middleware for the
	// host's own routes (Authenticate, RequireLogin, RequireEntity,
	// RequireSpecific, RequireAdmin, RequireQuota) instead of the JSON
	// error body, as http.CrossOriginProtection.SetDenyHandler does: an
	// HTML error page, say. refusal is the host's own copy of the JSON
	// answer: Status (401, 403, 429 or 503), Message and RetryAfter; its
	// cause (refusal.Err) is nil, since it may say why a credential was
	// refused or what failed inside, and is logged instead. The headers
	// X-Trace-Code, WWW-Authenticate (for a 401) and Retry-After are
	// already set, and the refusal is logged as a JSON error is. Of the
	// API's own handler (Handler), it answers only a browser's form
	// submission to POST /login or POST /logout that is refused (a form
	// from another origin: 403, with Reason RefusedCrossOrigin); every
	// other request to the API keeps the JSON body.
	Refused func(w http.ResponseWriter, r *http.Request, refusal *Error)
}

// The codes of a failed form login, as LoginFailure.Code and the login
// page's "error" query parameter carry them.
const (
	// LoginInvalid: a wrong username or password (or one that breaks a
	// rule, such as an empty field), an unknown or blocked user — one
	// answer for all, as for JSON clients.
	LoginInvalid = "invalid"
	// LoginLocked: too many failed attempts; "retry_after" gives the
	// seconds to wait.
	LoginLocked = "locked"
	// LoginUnavailable: the store failed or is busy; try again later.
	LoginUnavailable = "unavailable"
)

// LoginFailure is why a form login failed. By default the browser is sent
// (303) to the login page with the reason in its query:
//
//	/login?error=invalid&next=%2Forders
//	/login?error=locked&next=%2Forders&retry_after=900
//
// where next is the form's next if it is a local path. A host that sets
// WebConfig.LoginFailed gets it instead.
type LoginFailure struct {
	// Code is LoginInvalid, LoginLocked or LoginUnavailable.
	Code string
	// RetryAfter is how long a locked login waits (LoginLocked only).
	RetryAfter time.Duration
	// Next is the form's next when it is a local path, else "".
	Next string
	// Err is what a JSON client would have been answered: its status,
	// message and retry time. Its cause (Err.Err) is nil: it is logged,
	// never shown.
	Err *Error
}

// CrossOriginConfig configures the cross-origin check that every unsafe
// request authenticated by the session cookie passes (and POST /login,
// with or without a cookie), done by net/http's CrossOriginProtection. By
// default a request is refused (403, the cookie kept) when the browser
// says it comes from another origin (Sec-Fetch-Site), or when its Origin
// header names another host than its Host header. Bearer-token requests
// are not checked: a token is no ambient credential.
type CrossOriginConfig struct {
	// TrustedOrigins are origins ("scheme://host[:port]") whose requests
	// are allowed although they are cross-origin: a single-page app
	// served from a sibling origin (https://app.example.com calling
	// https://api.example.com with credentials), or the public origin of
	// an app behind a proxy that rewrites Host (the browser's Origin is
	// then https://www.example.com while the request reaches the server
	// with Host: backend:8080). New refuses a value that is not an origin.
	TrustedOrigins []string
	// InsecureBypassPatterns are ServeMux patterns ("POST /webhooks/",
	// "/hooks/{name}") whose requests skip the check entirely. As the name
	// says, a route listed here is open to cross-site requests with the
	// user's cookie; list only routes that authenticate otherwise. The
	// patterns match the request as the gatehouse handler or middleware
	// sees it (after http.StripPrefix). New refuses an invalid pattern or
	// two that conflict.
	InsecureBypassPatterns []string
}

// newCrossOrigin builds the cross-origin check of cfg, returning an error
// (where net/http would panic) for a bad pattern.
func newCrossOrigin(cfg CrossOriginConfig) (c *http.CrossOriginProtection, err error) {
	c = http.NewCrossOriginProtection()
	for i, o := range cfg.TrustedOrigins {
		if err := c.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("gatehouse: CrossOrigin.TrustedOrigins[%d]: %w", i, err)
		}
	}
	for i, p := range cfg.InsecureBypassPatterns {
		if err := addBypass(c, p); err != nil {
			return nil, fmt.Errorf("gatehouse: CrossOrigin.InsecureBypassPatterns[%d]: %w", i, err)
		}
	}
	return c, nil
}

// addBypass adds a bypass pattern, turning net/http's panic for an invalid
// or conflicting pattern into an error.
func addBypass(c *http.CrossOriginProtection, pattern string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%q: %v", pattern, p)
		}
	}()
	if strings.TrimSpace(pattern) == "" {
		return errors.New("empty pattern")
	}
	c.AddInsecureBypassPattern(pattern)
	return nil
}

// maxLocalPath bounds a redirect target; longer ones are not followed.
const maxLocalPath = 2048

// IsLocalPath reports whether s may be the target of a redirect after a
// login or logout: a path on this origin, with an optional query and
// fragment. It must start with exactly one "/" ("//evil.example" and
// "/\evil.example" name another host to a browser), hold no backslash, no
// control character, no scheme and no host, be valid UTF-8 and at most
// 2048 bytes. Its path, percent-escapes decoded, must hold no empty
// segment, no "." or ".." segment and no backslash either: a browser
// removes dot segments, so "/.//evil.example" and "/%2e//evil.example"
// would ask the app for "//evil.example", which a handler that redirects
// to its own path (adding a trailing slash, say) would send off-site. A
// form field "%2F%2Fevil" (decoded once by the form parser) does not start
// with "/".
func IsLocalPath(s string) bool {
	if len(s) == 0 || len(s) > maxLocalPath || s[0] != '/' || !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f || c == '\\' || (c >= 0x80 && c < 0xa0) {
			return false
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return false
	}
	path, _, _ := strings.Cut(s, "?")
	path, _, _ = strings.Cut(path, "#")
	path, err = url.PathUnescape(path)
	if err != nil || strings.ContainsAny(path, "\\\x00") {
		return false
	}
	segments := strings.Split(path[1:], "/")
	for i, seg := range segments {
		if seg == "." || seg == ".." || (seg == "" && i < len(segments)-1) {
			return false
		}
	}
	return true
}

// LoginURL returns the login page (WebConfig.LoginPage) with next in its
// query when next is a local path: the link a page shows to a visitor who
// is not logged in.
func (g *Gatehouse) LoginURL(next string) string {
	q := url.Values{}
	if IsLocalPath(next) {
		q.Set("next", next)
	}
	return g.loginPageWith(q)
}

// loginPageWith returns the login page with q added to its own query.
func (g *Gatehouse) loginPageWith(q url.Values) string {
	u := *g.loginPage
	own := u.Query()
	for k, vs := range q {
		own[k] = vs
	}
	u.RawQuery = own.Encode()
	return u.String()
}

// initWeb checks and keeps the browser flows' and the cross-origin
// settings.
func (g *Gatehouse) initWeb(cfg Config) error {
	page := cfg.Web.LoginPage
	if page == "" {
		page = "/login"
	}
	if !IsLocalPath(page) {
		return fmt.Errorf("gatehouse: Web.LoginPage %q is not a local path", page)
	}
	u, err := url.Parse(page)
	if err != nil { // IsLocalPath parsed it already
		return fmt.Errorf("gatehouse: Web.LoginPage: %w", err)
	}
	u.Fragment, u.RawFragment = "", ""
	g.loginPage = u
	g.defaultRedirect = cfg.Web.DefaultRedirect
	if g.defaultRedirect == "" {
		g.defaultRedirect = "/"
	}
	if !IsLocalPath(g.defaultRedirect) {
		return fmt.Errorf("gatehouse: Web.DefaultRedirect %q is not a local path", g.defaultRedirect)
	}
	g.loginFailed = cfg.Web.LoginFailed
	g.refused = cfg.Web.Refused
	g.csrf, err = newCrossOrigin(cfg.CrossOrigin)
	return err
}

// isForm reports whether the request body is an HTML form
// (application/x-www-form-urlencoded or multipart/form-data).
func isForm(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data"
}

// isFormSubmission reports whether r is a browser submitting an HTML form
// (a POST with a form body that loads the answer as a page): its
// Sec-Fetch-Mode is "navigate", or, from a browser that sends no
// Sec-Fetch-Mode, its Accept names text/html. Such a request is answered
// with redirects; a script's or a tool's form-encoded POST (fetch with
// URLSearchParams, jQuery's $.post, curl -d) keeps the JSON client's
// answers, so that a failed login never looks like a followed redirect.
func isFormSubmission(r *http.Request) bool {
	if r.Method != http.MethodPost || !isForm(r) {
		return false
	}
	if m := r.Header.Get("Sec-Fetch-Mode"); m != "" {
		return m == "navigate"
	}
	return acceptsHTML(r.Header.Values("Accept"))
}

// parseForm parses a form body (and the query) into r.PostForm and r.Form,
// answering 413 for a body over the limit and 400 for a malformed one. A
// multipart form is held in memory: its size is capped by the body limit.
func (g *Gatehouse) parseForm(r *http.Request) error {
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(g.maxBody)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errBodyTooLarge(tooBig.Limit)
		}
		return errorf(http.StatusBadRequest, "body: malformed form")
	}
	return nil
}

// formNext returns the next of a form post, its body's field or else its
// query's, when it is a local path; else "". Call it after parseForm.
func formNext(r *http.Request) string {
	for _, vs := range [][]string{r.PostForm["next"], r.URL.Query()["next"]} {
		if len(vs) == 1 && vs[0] != "" {
			if IsLocalPath(vs[0]) {
				return vs[0]
			}
			return ""
		}
	}
	return ""
}

// redirectLocal answers 303 See Other to next, or to the default
// destination when next is not a local path.
func (g *Gatehouse) redirectLocal(w http.ResponseWriter, next string) {
	if !IsLocalPath(next) {
		next = g.defaultRedirect
	}
	seeOther(w, next)
}

// seeOther answers 303 to a target already known to be local.
func seeOther(w http.ResponseWriter, target string) {
	h := w.Header()
	h.Set("Location", target)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusSeeOther)
}

// failFormLogin answers a form login that failed with err (after the
// cross-origin check): through WebConfig.LoginFailed, or a 303 to the login
// page with the reason.
func (g *Gatehouse) failFormLogin(w http.ResponseWriter, r *http.Request, next string, err error) {
	he := asError(err)
	f := LoginFailure{Code: LoginInvalid, Next: next, Err: he.forHook()}
	switch {
	case he.Status == http.StatusTooManyRequests:
		f.Code, f.RetryAfter = LoginLocked, he.RetryAfter
	case he.Status >= 500:
		f.Code = LoginUnavailable
	}
	g.logError(r, he)
	if g.loginFailed != nil {
		g.loginFailed(w, r, f)
		return
	}
	q := url.Values{"error": {f.Code}}
	if f.Next != "" {
		q.Set("next", f.Next)
	}
	if f.RetryAfter > 0 {
		q.Set("retry_after", strconv.FormatInt(seconds(f.RetryAfter), 10))
	}
	seeOther(w, g.loginPageWith(q))
}

// RequireLogin is Authenticate for the host's pages. A browser's
// navigation (GET or HEAD, Accept naming text/html, and Sec-Fetch-Mode,
// when sent, "navigate") that has no live session is sent (303) to the
// login page with next set to the page it asked for, so that a form login
// comes back to it; every other refusal — an API call's 401, a read-only
// user's unsafe request, a cross-origin form — is answered as Authenticate
// answers it (or by WebConfig.Refused).
func (g *Gatehouse) RequireLogin(next http.Handler) http.Handler {
	return g.requireLogin(next, liveSession)
}

// RequireLoginOwnCredentials is RequireLogin for the pages where callers
// manage their own credentials — change their password, end their own
// sessions — as POST /password and the /sessions routes do: a read_only
// user may make unsafe requests there too (it is the one cap it lifts;
// the cross-origin check stays). The handler must change nothing but the
// caller's own credentials: session.Manager.ChangePassword,
// manage.Manager.RevokeSession and RevokeOtherSessions on the caller's own
// sessions.
func (g *Gatehouse) RequireLoginOwnCredentials(next http.Handler) http.Handler {
	return g.requireLogin(next, ownCredentials)
}

// requireLogin is RequireLogin with the access acc asks for.
func (g *Gatehouse) requireLogin(next http.Handler, acc access) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri, ctx := g.infoFor(r.Context(), operationAuthenticate)
		r = r.WithContext(ctx)
		a, err := g.authenticate(r, ri, acc)
		if err != nil {
			if asError(err).Status == http.StatusUnauthorized && isNavigation(r) {
				seeOther(w, g.LoginURL(requestPath(r)))
				return
			}
			g.failHost(w, r, ri, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(session.NewContext(ctx, a)))
	})
}

// OptionalAuthenticate is middleware for pages that anyone may see but
// that change for a logged-in user (a home page that greets them). A
// request with a live session is passed on with the *session.Auth in its
// context, as Authenticate does; any other request is passed on without
// one: no credential, a refused one (expired, revoked, forged), a
// cross-origin unsafe request with the cookie, a read-only user's unsafe
// request, and a failing store alike (that last one is logged). It never
// answers an error itself; the handler tells the cases apart with
// session.FromContext.
func (g *Gatehouse) OptionalAuthenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := g.credential(r); !ok {
			next.ServeHTTP(w, r)
			return
		}
		ri, ctx := g.infoFor(r.Context(), operationAuthenticate)
		r = r.WithContext(ctx)
		a, err := g.authenticate(r, ri, liveSession)
		if err != nil {
			if he := asError(err); he.Status >= 500 {
				g.logError(r, he)
			}
			ri.company, ri.username = "", ""
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(session.NewContext(ctx, a)))
	})
}

// isNavigation reports whether r is a browser loading a page: GET or HEAD,
// text/html acceptable, and not a fetch() or subresource when the browser
// says so.
func isNavigation(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	if m := r.Header.Get("Sec-Fetch-Mode"); m != "" && m != "navigate" {
		return false
	}
	return acceptsHTML(r.Header.Values("Accept"))
}

// acceptsHTML reports whether an Accept header names text/html with a
// non-zero quality. A wildcard alone (curl's */*) does not count: API
// clients keep the JSON 401.
func acceptsHTML(accept []string) bool {
	for _, line := range accept {
		for _, part := range strings.Split(line, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil || mt != "text/html" {
				continue
			}
			if q, ok := params["q"]; ok {
				if v, err := strconv.ParseFloat(q, 64); err != nil || v <= 0 {
					continue
				}
			}
			return true
		}
	}
	return false
}

// requestPath is the path and query the browser asked for, before any
// http.StripPrefix: the original request target when it is a local path,
// else the URL's.
func requestPath(r *http.Request) string {
	if IsLocalPath(r.RequestURI) {
		return r.RequestURI
	}
	return r.URL.RequestURI()
}

// SetSessionCookie sets the session cookie of res on w, as POST /login
// does: for a host that logs a browser in from its own handler
// (Sessions().Login) or gives it the new session of a password change
// (Sessions().ChangePassword).
func (g *Gatehouse) SetSessionCookie(w http.ResponseWriter, res *session.Result) {
	g.setCookie(w, res)
}

// ClearSessionCookie tells the browser to drop the session cookie (after
// the host ended the session itself).
func (g *Gatehouse) ClearSessionCookie(w http.ResponseWriter) {
	g.clearCookie(w)
}

// Client returns what gatehouse records about the caller of r — its
// address (Config.TrustedProxies applied), its user agent and the
// request's trace code — for the session and manage calls a host makes
// from its own handlers.
func (g *Gatehouse) Client(r *http.Request) session.Client {
	return g.client(r)
}
