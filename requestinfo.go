package gatehouse

import (
	"context"
	"net/http"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/randid"
)

// requestInfo is what gatehouse knows about a request in flight: its trace
// code, the operation it is (the tracedata operation) and, once known, the
// caller. The API's router makes one for every request; the host-route
// middleware (Authenticate, Require*, RequireQuota) use the one in the
// context, or make one when they are the first.
type requestInfo struct {
	trace     string
	operation string
	// company and username name the caller once known (tracedata client).
	company, username string
	start             time.Time
}

// client is the tracedata client, "<company>_|_<username>", or "" while
// the caller is unknown. It is built only when an error is written.
func (ri *requestInfo) client() string {
	if ri.company == "" && ri.username == "" {
		return ""
	}
	return ri.company + "_|_" + ri.username
}

// ensureTrace gives ri a trace code, if it has none yet, and sends it as
// X-Trace-Code. A trace code is made only when needed (an error response,
// an audit action): a host request that passes Authenticate costs no
// random read.
func (ri *requestInfo) ensureTrace(w http.ResponseWriter) error {
	if ri.trace != "" {
		return nil
	}
	t, err := randid.UUID()
	if err != nil {
		return err
	}
	ri.trace = t
	w.Header().Set("X-Trace-Code", t)
	return nil
}

type requestInfoKey struct{}

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

// infoFor returns the requestInfo of ctx and ctx itself when it has one
// (the API's router, or middleware in front, made it); otherwise a new
// requestInfo for operation and the context that carries it.
func (g *Gatehouse) infoFor(ctx context.Context, operation string) (*requestInfo, context.Context) {
	if ri, ok := ctx.Value(requestInfoKey{}).(*requestInfo); ok {
		return ri, ctx
	}
	ic := &infoContext{Context: ctx, ri: requestInfo{operation: operation, start: g.now()}}
	return &ic.ri, ic
}

// infoFrom returns the requestInfo of ctx, or an empty one outside a
// gatehouse handler or middleware.
func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	if ri == nil {
		return &requestInfo{}
	}
	return ri
}

// TraceCode returns the trace code of the request whose context this is,
// or "" outside a gatehouse handler. Hosts use it to correlate their own
// logs and audit records with gatehouse's.
func TraceCode(ctx context.Context) string {
	return infoFrom(ctx).trace
}
