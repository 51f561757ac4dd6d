package gatehouse

import "net/http"

// ExportErrorHandler returns a handler, routed like the API's own, that
// fails with err: for testing the error path.
func ExportErrorHandler(g *Gatehouse, err error) http.Handler {
	rt := newRouter(g)
	rt.handle("GET /fail", "test", func(w http.ResponseWriter, r *http.Request) error { return err })
	return rt.finish()
}

// ExportDecodeHandler returns a handler that decodes a JSON body into a
// fresh value of T and echoes it.
func ExportDecodeHandler[T any](g *Gatehouse) http.Handler {
	rt := newRouter(g)
	rt.handle("POST /echo", "echo", func(w http.ResponseWriter, r *http.Request) error {
		var v T
		if err := g.decodeJSON(r, &v); err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, v)
		return nil
	})
	return rt.finish()
}
