package gatehouse

import (
	"net/http"

	"github.com/gatehouse-go/gatehouse/session"
)

// ExportErrorHandler returns a handler, routed like the API's own, that
// fails with err: for testing the error path.
func ExportErrorHandler(g *Gatehouse, err error) http.Handler {
	rt := newRouter(g)
	rt.handle(route{pattern: "GET /fail", operation: "test", serve: func(w http.ResponseWriter, r *http.Request, _ *session.Auth) error { return err }})
	return rt.finish()
}

// ExportDecodeHandler returns a handler that decodes a JSON body into a
// fresh value of T and echoes it.
func ExportDecodeHandler[T any](g *Gatehouse) http.Handler {
	rt := newRouter(g)
	rt.handle(route{pattern: "POST /echo", operation: "echo", serve: func(w http.ResponseWriter, r *http.Request, _ *session.Auth) error {
		var v T
		if err := g.decodeJSON(r, &v); err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, v)
	}})
	return rt.finish()
}
