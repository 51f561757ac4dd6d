package gatehouse

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-go/gatehouse/session"
)

// handlerFunc is a gatehouse endpoint: it writes a success response itself
// and returns an error (usually an *Error) for anything else. a is the
// authenticated caller, nil on a route open to anyone.
type handlerFunc func(w http.ResponseWriter, r *http.Request, a *session.Auth) error

// router builds the API's ServeMux from the route table: every route gets
// its operation name, a trace code, the authentication its access asks
// for and the error body; an unknown path gets 404 and a known path with
// another method 405, both with the error body.
type router struct {
	g       *Gatehouse
	mux     *http.ServeMux
	methods map[string][]string // path → methods registered for it
}

func newRouter(g *Gatehouse) *router {
	return &router{g: g, mux: http.NewServeMux(), methods: make(map[string][]string)}
}

// handle registers a route.
func (rt *router) handle(r route) {
	method, path, ok := strings.Cut(r.pattern, " ")
	if !ok {
		panic("gatehouse: route pattern without a method: " + r.pattern)
	}
	rt.methods[path] = append(rt.methods[path], method)
	rt.mux.HandleFunc(r.pattern, rt.wrap(r))
}

// wrap authenticates the caller as the route's access asks, then runs its
// handler and answers its error.
func (rt *router) wrap(rte route) http.HandlerFunc {
	g := rt.g
	return func(w http.ResponseWriter, r *http.Request) {
		ri := infoFrom(r.Context())
		ri.operation = rte.operation
		var a *session.Auth
		if rte.access != anyone {
			var err error
			if a, err = g.authenticate(r, ri, rte.access); err != nil {
				var he *Error
				if errors.As(err, &he) && he.Status == http.StatusUnauthorized && g.csrf.Check(r) == nil {
					if rte.clearCookieOn401 {
						g.clearCookie(w)
					}
					if rte.formRedirectOn401 && isFormSubmission(r) {
						g.logError(r, he)
						g.redirectAfterForm(w, r)
						return
					}
				}
				rt.fail(w, r, rte, err)
				return
			}
		}
		if err := rte.serve(w, r, a); err != nil {
			rt.fail(w, r, rte, err)
		}
	}
}

// fail answers a route's error: with the error body, or through
// WebConfig.Refused for a browser's form submission to a browserForm
// route.
func (rt *router) fail(w http.ResponseWriter, r *http.Request, rte route, err error) {
	g := rt.g
	if rte.browserForm && g.refused != nil && isFormSubmission(r) {
		he := asError(err)
		g.logError(r, he)
		g.setErrorHeaders(w.Header(), he)
		g.refused(w, r, he.forHook())
		return
	}
	g.writeError(w, r, err)
}

// finish registers the 404 and 405 fallbacks and returns the handler.
//
// The 405 fallback of a path is registered for every method. Where that
// would conflict in the ServeMux with a route of another method whose path
// overlaps (the fallback of "/sessions/revoke-others", POST only, against
// "DELETE /sessions/{id}"), it is registered once per standard method the
// path does not serve instead; another method then gets the 404.
func (rt *router) finish() http.Handler {
	for path, methods := range rt.methods {
		allow := slices.Clone(methods)
		if slices.Contains(allow, http.MethodGet) && !slices.Contains(allow, http.MethodHead) {
			allow = append(allow, http.MethodHead)
		}
		slices.Sort(allow)
		allowed := strings.Join(allow, ", ")
		h := rt.wrap(route{operation: "method_not_allowed", serve: func(w http.ResponseWriter, r *http.Request, _ *session.Auth) error {
			w.Header().Set("Allow", allowed)
			return errorf(http.StatusMethodNotAllowed, "method %s not allowed; allowed: %s", r.Method, allowed)
		}})
		if !rt.overlapsOtherMethods(path, allow) {
			rt.mux.HandleFunc(path, h)
			continue
		}
		for _, m := range standardMethods {
			if !slices.Contains(allow, m) {
				rt.mux.HandleFunc(m+" "+path, h)
			}
		}
	}
	rt.mux.HandleFunc("/", rt.wrap(route{operation: "not_found", serve: func(http.ResponseWriter, *http.Request, *session.Auth) error {
		return errorf(http.StatusNotFound, "no such endpoint")
	}}))
	return http.HandlerFunc(rt.serve)
}

// serve gives the request its requestInfo and trace code, caps the body
// and dispatches.
func (rt *router) serve(w http.ResponseWriter, r *http.Request) {
	g := rt.g
	ri := &requestInfo{start: g.now()}
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
	if err := ri.ensureTrace(w); err != nil {
		g.writeError(w, r, errUnavailable(err))
		return
	}
	if r.ContentLength > g.maxBody {
		ri.operation = "request_too_large"
		g.writeError(w, r, errBodyTooLarge(g.maxBody))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, g.maxBody)
	rt.mux.ServeHTTP(w, r)
}

// standardMethods are the methods of RFC 9110 (and PATCH) but HEAD, which a
// GET pattern matches too.
var standardMethods = []string{
	http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodConnect, http.MethodOptions, http.MethodTrace,
}

// overlapsOtherMethods reports whether a route of another path that may
// match the same requests as path serves a method not in allow.
func (rt *router) overlapsOtherMethods(path string, allow []string) bool {
	for other, methods := range rt.methods {
		if other == path || !pathsOverlap(path, other) {
			continue
		}
		for _, m := range methods {
			if !slices.Contains(allow, m) {
				return true
			}
		}
	}
	return false
}

// pathsOverlap reports whether two ServeMux path patterns may match one
// path: segment by segment, equal or either a wildcard ("{x}", or "{x...}"
// for the rest). It errs towards true.
func pathsOverlap(p, q string) bool {
	ps, qs := strings.Split(p, "/"), strings.Split(q, "/")
	for i := 0; i < len(ps) && i < len(qs); i++ {
		a, b := ps[i], qs[i]
		if strings.HasSuffix(a, "...}") || strings.HasSuffix(b, "...}") {
			return true
		}
		wild := func(s string) bool { return strings.HasPrefix(s, "{") && s != "{$}" }
		if a != b && !wild(a) && !wild(b) {
			return false
		}
	}
	return len(ps) == len(qs)
}
