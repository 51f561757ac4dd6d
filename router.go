package gatehouse

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gatehouse-go/gatehouse/internal/randid"
)

// handlerFunc is a gatehouse endpoint: it writes a success response itself
// and returns an error (usually an *Error) for anything else.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// router builds the API's ServeMux: every route gets an operation name, a
// trace code and seed-004 error bodies; an unknown path gets 404 and a known
// path with another method 405, both with the error body.
type router struct {
	g       *Gatehouse
	mux     *http.ServeMux
	methods map[string][]string // path → methods registered for it
}

func newRouter(g *Gatehouse) *router {
	return &router{g: g, mux: http.NewServeMux(), methods: make(map[string][]string)}
}

// handle registers h for pattern ("METHOD /path") under an operation name.
func (rt *router) handle(pattern, operation string, h handlerFunc) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		panic("gatehouse: route pattern without a method: " + pattern)
	}
	rt.methods[path] = append(rt.methods[path], method)
	rt.mux.HandleFunc(pattern, rt.wrap(operation, h))
}

func (rt *router) wrap(operation string, h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).operation = operation
		if err := h(w, r); err != nil {
			rt.g.writeError(w, r, err)
		}
	}
}

// finish registers the 404 and 405 fallbacks and returns the handler.
func (rt *router) finish() http.Handler {
	for path, methods := range rt.methods {
		allow := slices.Clone(methods)
		if slices.Contains(allow, http.MethodGet) && !slices.Contains(allow, http.MethodHead) {
			allow = append(allow, http.MethodHead)
		}
		slices.Sort(allow)
		allowed := strings.Join(allow, ", ")
		rt.mux.HandleFunc(path, rt.wrap("method_not_allowed", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Allow", allowed)
			return errorf(http.StatusMethodNotAllowed, "method %s not allowed; allowed: %s", r.Method, allowed)
		}))
	}
	rt.mux.HandleFunc("/", rt.wrap("not_found", func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "no such endpoint")
	}))
	return http.HandlerFunc(rt.serve)
}

// serve assigns the trace code, caps the body and dispatches.
func (rt *router) serve(w http.ResponseWriter, r *http.Request) {
	g := rt.g
	trace, err := randid.UUID()
	ri := &requestInfo{trace: trace, start: g.now()}
	r = r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, ri))
	if err != nil {
		g.writeError(w, r, &Error{Status: http.StatusServiceUnavailable, Message: "service unavailable", Err: err})
		return
	}
	w.Header().Set("X-Trace-Code", trace)
	if r.ContentLength > g.maxBody {
		ri.operation = "request_too_large"
		g.writeError(w, r, errBodyTooLarge(g.maxBody))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, g.maxBody)
	rt.mux.ServeHTTP(w, r)
}
