package gatehouse

import (
	"errors"
	"net/http"

	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// Authenticate is middleware for the host's own routes. It accepts a
// bearer token (Authorization: Bearer) or the session cookie, applies the
// live-session rule (see package session) and calls next with the
// *session.Auth in the request context (session.FromContext). Otherwise it
// answers with the account service's error body:
//
//   - 401 with WWW-Authenticate: Bearer when there is no live session
//     (also for an Authorization header of another scheme, and for a
//     request carrying the session cookie more than once); a bearer token
//     that was presented and refused adds error="invalid_token" (RFC 6750
//     §3.1), without saying why;
//   - 403 for a cookie-authenticated unsafe request that
//     http.CrossOriginProtection refuses (a cross-site form or fetch); a
//     bearer token is no ambient credential and skips that check;
//   - 403 for a read_only user's request with a method other than GET,
//     HEAD and OPTIONS (read_only as the telephony API has it);
//     X-HTTP-Method-Override is ignored;
//   - 503 when the store fails (nobody is authenticated then).
//
// The error's tracedata client is "<company>_|_<username>" once the caller
// is known. A trace code is made only for an error response (X-Trace-Code);
// inside the API's own handler it is the request's.
func (g *Gatehouse) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri, ctx := g.infoFor(r.Context(), operationAuthenticate)
		a, err := g.authenticate(r, ri, liveSession)
		if err != nil {
			g.failHost(w, r.WithContext(ctx), ri, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(session.NewContext(ctx, a)))
	})
}

// failHost answers the refusal of a host-route middleware, for a request
// that may not have gone through the API's router: it gives it a trace
// code first, then writes the error body, or calls WebConfig.Refused.
func (g *Gatehouse) failHost(w http.ResponseWriter, r *http.Request, ri *requestInfo, err error) {
	_ = ri.ensureTrace(w) // without one the error is still answered
	if g.refused == nil {
		g.writeError(w, r, err)
		return
	}
	he := asError(err)
	g.logError(r, he)
	g.setErrorHeaders(w.Header(), he)
	g.refused(w, r, he.forHook())
}

// The tracedata operations of the host-route middleware's own errors: the
// authentication (Authenticate) and the permission check (Require*).
const (
	operationAuthenticate = "authenticate"
	operationAuthorize    = "authorize"
)

// RequireEntity returns middleware, to be used behind Authenticate, that
// answers 403 unless the caller's permissions allow op on entity. The 403
// body and the audit record name the target as "Entity:op" (for example
// "forbidden: Customer:update"), and the tracedata operation is
// "authorize".
func (g *Gatehouse) RequireEntity(entity string, op permissions.Op) func(http.Handler) http.Handler {
	target := entity + ":" + op.String()
	return g.require(target, func(a *session.Auth) bool { return a.Set.Can(entity, op) })
}

// RequireSpecific returns middleware, to be used behind Authenticate, that
// answers 403 unless the caller may run the specific permission name.
func (g *Gatehouse) RequireSpecific(name string) func(http.Handler) http.Handler {
	return g.require(name, func(a *session.Auth) bool { return a.Set.Specific(name) })
}

// RequireAdmin returns middleware, to be used behind Authenticate, that
// answers 403 unless the caller is an admin user.
func (g *Gatehouse) RequireAdmin() func(http.Handler) http.Handler {
	return g.require("admin", func(a *session.Auth) bool { return a.User.Admin && !a.User.Blocked })
}

// require builds a permission middleware. Without an *Auth in the context
// (Authenticate missing in front) it answers 401: it never allows by
// default. Denials are audited.
func (g *Gatehouse) require(target string, allowed func(*session.Auth) bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ri, ctx := g.infoFor(r.Context(), operationAuthorize)
			r = r.WithContext(ctx)
			a, ok := session.FromContext(ctx)
			if !ok {
				g.failHost(w, r, ri, errorf(http.StatusUnauthorized, "not authenticated"))
				return
			}
			if !allowed(a) {
				if ri.operation == operationAuthenticate {
					// The caller is known; what failed is the authorization.
					ri.operation = operationAuthorize
				}
				g.failHost(w, r, ri, &Error{Status: http.StatusForbidden, Message: "forbidden: " + target, Reason: RefusedForbidden})
				g.sessions.RecordDenial(r.Context(), a, target, g.client(r))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// errNotAuthenticated is the 401 of a request without a credential: a new
// value each time, since a host's hook or a handler may change it.
func errNotAuthenticated() *Error {
	return &Error{Status: http.StatusUnauthorized, Message: "not authenticated"}
}

// authenticate resolves the request's caller as acc asks (liveSession or
// ownCredentials: the latter lets a read_only user make an unsafe request
// about their own credentials) and names the caller in ri.
func (g *Gatehouse) authenticate(r *http.Request, ri *requestInfo, acc access) (*session.Auth, error) {
	cred, ok := g.credential(r)
	if !ok {
		g.observeRefusal(r, observe.CredentialNone, observe.AuthReasonNoCredential)
		return nil, errNotAuthenticated()
	}
	if cred.SessionID != "" {
		// Only the cookie is ambient: tokens and API keys need no
		// cross-origin check.
		if err := g.csrf.Check(r); err != nil {
			g.observeRefusal(r, observe.CredentialCookie, observe.AuthReasonCrossOrigin)
			return nil, errCrossOrigin(err)
		}
	}
	a, err := g.sessions.Authenticate(r.Context(), cred)
	if err != nil {
		if errors.Is(err, session.ErrStore) {
			return nil, errUnavailable(err)
		}
		var locked *session.LockedError
		if errors.As(err, &locked) {
			return nil, &Error{Status: http.StatusTooManyRequests, Message: "too many attempts; retry later", RetryAfter: locked.RetryAfter, Err: err}
		}
		return nil, &Error{Status: http.StatusUnauthorized, Message: "not authenticated", Err: err, invalidToken: cred.Bearer != "" || cred.APIKey != ""}
	}
	if a.APIKey != nil && acc == ownCredentials {
		// A key acts for its user but never manages its credentials:
		// password, sessions, logout and API keys need a login.
		return nil, &Error{Status: http.StatusForbidden, Message: "an API key cannot manage credentials; log in", Err: session.ErrAPIKeyCaller}
	}
	ri.company, ri.username = a.User.Company, a.User.Username
	if acc != ownCredentials && a.User.EffectiveAccess() == user.AccessReadOnly && !safeMethod(r.Method) {
		return nil, &Error{Status: http.StatusForbidden, Message: "read-only access: only GET, HEAD and OPTIONS are allowed", Reason: RefusedReadOnly}
	}
	return a, nil
}

// observeRefusal tells Config.Observer of an authentication the HTTP layer
// refused before the session manager was asked.
func (g *Gatehouse) observeRefusal(r *http.Request, kind observe.Credential, reason observe.AuthReason) {
	if g.observer == nil {
		return
	}
	ctx := g.observer.AuthenticateStart(r.Context(), kind)
	g.observer.AuthenticateDone(ctx, observe.Authentication{Credential: kind, Outcome: observe.AuthRefused, Reason: reason})
}

// errCrossOrigin is the 403 of a request CrossOriginProtection refuses.
func errCrossOrigin(err error) *Error {
	return &Error{Status: http.StatusForbidden, Message: "cross-origin request refused", Err: err, Reason: RefusedCrossOrigin}
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
