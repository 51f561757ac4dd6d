package gatehouse

import (
	"net/http"

	"github.com/gatehouse-go/gatehouse/session"
)

// serveHealth answers GET /health with {"health": 1} when the store answers
// its ping and {"health": 0} when it does not. The status is 200
// either way: the number is the answer.
func (g *Gatehouse) serveHealth(w http.ResponseWriter, r *http.Request, _ *session.Auth) error {
	return writeJSON(w, http.StatusOK, struct {
		Health float64 `json:"health"`
	}{g.Health(r.Context())})
}

// serveVersion answers GET /version with the configured service version.
func (g *Gatehouse) serveVersion(w http.ResponseWriter, r *http.Request, _ *session.Auth) error {
	return writeJSON(w, http.StatusOK, g.service.Version)
}

// serveJWKS answers GET /.well-known/jwks.json with the public keys of the
// key set (RFC 7517), which clients may cache for a few minutes.
func (g *Gatehouse) serveJWKS(w http.ResponseWriter, r *http.Request, _ *session.Auth) error {
	doc, err := g.keys.JWKS()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/jwk-set+json")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(doc)
	return err
}
