package gatehouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Error is an HTTP error a handler returns: the status and the message sent
// to the client in the seed-004 error body. Handlers return it (or wrap it);
// any other error is answered 500 with a generic message and logged.
type Error struct {
	// Status is the HTTP status code, 400..599.
	Status int
	// Message is sent to the client. For 400 it names the field and the rule.
	Message string
	// RetryAfter, when positive, is sent as Retry-After (seconds, rounded up).
	RetryAfter time.Duration
	// Err is the cause, logged but never sent.
	Err error

	// invalidToken marks a 401 for a bearer token that was presented and
	// refused: WWW-Authenticate then carries error="invalid_token"
	// (RFC 6750 §3.1), never the reason.
	invalidToken bool
}

// Error returns the status and message.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Message, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func errorf(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// TraceData identifies one request in an error body and in the logs, as
// seed 004's tracedata does.
type TraceData struct {
	// Code is the request's trace code, a UUID, also sent as X-Trace-Code.
	Code string `json:"code"`
	// Client is "<company>_|_<username>" of the caller, or "" when anonymous.
	Client string `json:"client"`
	// Server and Service come from Config.Service.
	Server  string `json:"server"`
	Service string `json:"service"`
	// Operation names the endpoint (e.g. "health").
	Operation string `json:"operation"`
	// Time is when the request arrived, RFC 3339.
	Time string `json:"time"`
}

// ErrorBody is the body of every 4xx and 5xx response (seed 004).
type ErrorBody struct {
	TraceData TraceData `json:"tracedata"`
	Message   string    `json:"message"`
}

// requestInfo is what the router knows about a request in flight.
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

type requestInfoKey struct{}

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

// writeError answers err with the seed-004 error body and logs it once with
// the trace code. Unknown errors become a generic 500.
func (g *Gatehouse) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *Error
	if !errors.As(err, &he) {
		he = &Error{Status: http.StatusInternalServerError, Message: "internal error", Err: err}
	}
	status := he.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	msg := he.Message
	if status >= 500 && msg == "" {
		msg = http.StatusText(status)
	}
	ri := infoFrom(r.Context())
	body := ErrorBody{
		TraceData: TraceData{
			Code:      ri.trace,
			Client:    ri.client(),
			Server:    g.service.Server,
			Service:   g.service.Name,
			Operation: ri.operation,
			Time:      ri.start.Format(time.RFC3339),
		},
		Message: msg,
	}
	h := w.Header()
	if status == http.StatusUnauthorized {
		challenge := `Bearer realm="` + g.service.Name + `"`
		if he.invalidToken {
			challenge += `, error="invalid_token"`
		}
		h.Set("WWW-Authenticate", challenge)
	}
	if he.RetryAfter > 0 {
		h.Set("Retry-After", strconv.FormatInt(int64((he.RetryAfter+time.Second-1)/time.Second), 10))
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := []slog.Attr{
		slog.String("trace", ri.trace),
		slog.Int("status", status),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.String("operation", ri.operation),
		slog.String("message", msg),
	}
	if he.Err != nil {
		attrs = append(attrs, slog.String("err", he.Err.Error()))
	}
	g.log.LogAttrs(r.Context(), level, "gatehouse: request failed", attrs...)
	writeJSON(w, status, body)
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own types reach here; a failure is a bug, answered
		// without leaking it.
		http.Error(w, `{"message":"internal error"}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// ErrNoMeteredAction is returned by AttachData outside a handler behind
// Gatehouse.RequireQuota: there is no audit action to attach data to.
var ErrNoMeteredAction = errors.New("gatehouse: no metered action in this context")
