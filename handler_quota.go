package gatehouse

import (
	"net/http"

	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/session"
)

// serveQuotas answers GET /quotas: the caller's effective quotas, each the
// most generous of their roles per service and method group.
func (g *Gatehouse) serveQuotas(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, quota.NewDocument(a.Set.Quotas()))
}
