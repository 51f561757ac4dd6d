package gatehouse

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// Authenticate is middleware for the host's own routes. It accepts a
// bearer token (Authorization: Bearer) or the session cookie, applies the
// live-session rule (see package session) and calls next with the
// *session.Auth in the request context (session.FromContext). Otherwise it
// answers with the seed-004 error body:
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
//     HEAD and OPTIONS (seed 001); X-HTTP-Method-Override is ignored;
//   - 503 when the store fails (nobody is authenticated then).
//
// The error's tracedata client is "<company>_|_<username>" once the caller
// is known. A trace code is made only for an error response (X-Trace-Code);
// inside the API's own handler it is the request's.
func (g *Gatehouse) Authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ri, ok := r.Context().Value(requestInfoKey{}).(*requestInfo)
		ctx := r.Context()
		if !ok {
			ic := &infoContext{Context: ctx, ri: requestInfo{operation: operationAuthenticate, start: g.now()}}
			ri, ctx = &ic.ri, ic
		}
		a, err := g.authenticate(r, ri, false)
		if err != nil {
			g.failHost(w, r.WithContext(ctx), ri, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(session.NewContext(ctx, a)))
	})
}

// infoContext is a context carrying a requestInfo under requestInfoKey, as
// context.WithValue(parent, requestInfoKey{}, &ri) would, in one allocation
// instead of two: Authenticate makes one for every host request.
type infoContext struct {
	context.Context
	ri requestInfo
}

// Value returns the requestInfo for requestInfoKey and asks the parent
// for any other key.
func (c *infoContext) Value(key any) any {
	if _, ok := key.(requestInfoKey); ok {
		return &c.ri
	}
	return c.Context.Value(key)
}

// failHost writes an error for a request that may not have gone through
// the API's router: it gives it a trace code first.
func (g *Gatehouse) failHost(w http.ResponseWriter, r *http.Request, ri *requestInfo, err error) {
	if ri.trace == "" {
		if t, terr := randid.UUID(); terr == nil {
			ri.trace = t
			w.Header().Set("X-Trace-Code", t)
		}
	}
	g.writeError(w, r, err)
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
			ri, ok := r.Context().Value(requestInfoKey{}).(*requestInfo)
			if !ok {
				ri = &requestInfo{operation: operationAuthorize, start: g.now()}
				r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
			}
			a, ok := session.FromContext(r.Context())
			if !ok {
				g.failHost(w, r, ri, errorf(http.StatusUnauthorized, "not authenticated"))
				return
			}
			if !allowed(a) {
				if ri.operation == operationAuthenticate {
					// The caller is known; what failed is the authorization.
					ri.operation = operationAuthorize
				}
				g.failHost(w, r, ri, errorf(http.StatusForbidden, "forbidden: %s", target))
				g.sessions.RecordDenial(r.Context(), a, target, g.client(r))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// credential extracts the caller's credential. An Authorization header of
// another scheme, an empty bearer token, and a request carrying the session
// cookie more than once are credentials nobody holds.
func (g *Gatehouse) credential(r *http.Request) (session.Credential, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
			return session.Credential{}, false
		}
		return session.Credential{Bearer: tok}, true
	}
	cs := r.CookiesNamed(g.cookieName)
	if len(cs) == 1 && cs[0].Value != "" {
		return session.Credential{SessionID: cs[0].Value}, true
	}
	// No cookie, an empty one, or the cookie more than once: a sibling
	// subdomain or an insecure origin can plant a second SID with a
	// narrower Path that the browser sends first, so which one is the
	// caller's cannot be told. Nobody is authenticated.
	return session.Credential{}, false
}

var errNotAuthenticated = &Error{Status: http.StatusUnauthorized, Message: "not authenticated"}

// authenticate resolves the request's caller and names it in ri. ownCreds
// lets a read_only user make an unsafe request (their own credentials:
// change password, log out).
func (g *Gatehouse) authenticate(r *http.Request, ri *requestInfo, ownCreds bool) (*session.Auth, error) {
	cred, ok := g.credential(r)
	if !ok {
		return nil, errNotAuthenticated
	}
	if cred.Bearer == "" {
		if err := g.csrf.Check(r); err != nil {
			return nil, &Error{Status: http.StatusForbidden, Message: "cross-origin request refused", Err: err}
		}
	}
	a, err := g.sessions.Authenticate(r.Context(), cred)
	if err != nil {
		if errors.Is(err, session.ErrStore) {
			return nil, &Error{Status: http.StatusServiceUnavailable, Message: "service unavailable", Err: err}
		}
		return nil, &Error{Status: http.StatusUnauthorized, Message: "not authenticated", Err: err, invalidToken: cred.Bearer != ""}
	}
	ri.company, ri.username = a.User.Company, a.User.Username
	if !ownCreds && a.User.EffectiveAccess() == user.AccessReadOnly && !safeMethod(r.Method) {
		return nil, errorf(http.StatusForbidden, "read-only access: only GET, HEAD and OPTIONS are allowed")
	}
	return a, nil
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
