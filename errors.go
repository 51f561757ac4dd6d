package gatehouse

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"
)

// Error is an HTTP error a handler returns: the status and the message sent
// to the client in the account service's error body. Handlers return it (or
// wrap it); any other error is answered 500 with a generic message and
// logged.
type Error struct {
	// Status is the HTTP status code, 400..599.
	Status int
	// Message is sent to the client. For 400 it names the field and the rule.
	Message string
	// RetryAfter, when positive, is sent as Retry-After (seconds, rounded up).
	RetryAfter time.Duration
	// Err is the cause, logged but never sent.
	Err error
	// Reason classifies the refusal of a host-route middleware for a
	// host's hook (WebConfig.Refused): one of the Refused* constants, or
	// "" for an error of the API's own handlers.
	Reason string

	// invalidToken marks a 401 for a bearer token that was presented and
	// refused: WWW-Authenticate then carries error="invalid_token"
	// (RFC 6750 §3.1), never the reason.
	invalidToken bool
	// body, when set, makes the response body from the request's trace
	// data instead of ErrorBody (the documentation's 404).
	body func(TraceData) any
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

// errUnavailable is the 503 of a failing store or random source: the cause
// is logged, never sent.
func errUnavailable(err error) *Error {
	return &Error{Status: http.StatusServiceUnavailable, Message: "service unavailable", Err: err}
}

// errInternal is the 500 of a bug or a broken invariant.
func errInternal(err error) *Error {
	return &Error{Status: http.StatusInternalServerError, Message: "internal error", Err: err}
}

// TraceData identifies one request in an error body and in the logs, as
// the account service's tracedata does.
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

// ErrorBody is the body of every 4xx and 5xx response (the account
// service's error body), but the 404 of GET /docs/{filename}
// ([DocsErrorBody]).
type ErrorBody struct {
	TraceData TraceData `json:"tracedata"`
	Message   string    `json:"message"`
}

// writeError answers err with the error body and logs it once with the
// trace code. Unknown errors become a generic 500. It is the one place an
// error response is written.
func (g *Gatehouse) writeError(w http.ResponseWriter, r *http.Request, err error) {
	he := asError(err)
	td := g.traceData(r)
	var body any = ErrorBody{TraceData: td, Message: he.message()}
	if he.body != nil {
		body = he.body(td)
	}
	g.setErrorHeaders(w.Header(), he)
	g.logError(r, he)
	_ = writeJSON(w, he.status(), body) // our own body types always encode
}

// setErrorHeaders sets the headers of an error answer: WWW-Authenticate
// for a 401 (with error="invalid_token" for a refused bearer token) and
// Retry-After.
func (g *Gatehouse) setErrorHeaders(h http.Header, he *Error) {
	if he.status() == http.StatusUnauthorized {
		challenge := `Bearer realm="` + g.service.Name + `"`
		if he.invalidToken {
			challenge += `, error="invalid_token"`
		}
		h.Set("WWW-Authenticate", challenge)
	}
	setRetryAfter(h, he.RetryAfter)
}

// The reasons of the refusals of the middleware for the host's routes, as
// Error.Reason carries them to WebConfig.Refused.
const (
	// RefusedUnauthenticated: no live session (401).
	RefusedUnauthenticated = "unauthenticated"
	// RefusedCrossOrigin: a cookie-authenticated unsafe request from
	// another origin (403).
	RefusedCrossOrigin = "cross_origin"
	// RefusedReadOnly: a read_only user's unsafe request (403).
	RefusedReadOnly = "read_only"
	// RefusedForbidden: the caller's permissions do not allow it (403;
	// Message names the target, as "forbidden: Customer:update").
	RefusedForbidden = "forbidden"
	// RefusedQuota: the caller's quota is exhausted or missing (429 with
	// RetryAfter, or 403).
	RefusedQuota = "quota"
	// RefusedUnavailable: the store or another dependency failed (503),
	// or a bug (500).
	RefusedUnavailable = "unavailable"
)

// forHook returns a copy of e for a host's hook: what the client would be
// told and why, without the cause. The hook may change it freely.
func (e *Error) forHook() *Error {
	reason := e.Reason
	switch {
	case reason != "":
	case e.status() == http.StatusUnauthorized:
		reason = RefusedUnauthenticated
	case e.status() >= 500:
		reason = RefusedUnavailable
	}
	return &Error{Status: e.status(), Message: e.message(), RetryAfter: e.RetryAfter, Reason: reason}
}

// setRetryAfter sets Retry-After to d in whole seconds, rounded up, when d
// is positive.
func setRetryAfter(h http.Header, d time.Duration) {
	if d > 0 {
		h.Set("Retry-After", strconv.FormatInt(seconds(d), 10))
	}
}

// seconds is d in whole seconds, rounded up.
func seconds(d time.Duration) int64 { return int64((d + time.Second - 1) / time.Second) }

// asError returns err as an *Error; any other error is a generic 500.
func asError(err error) *Error {
	var he *Error
	if !errors.As(err, &he) {
		he = errInternal(err)
	}
	return he
}

// status is the response status of e: 500 unless Status is 400..599.
func (e *Error) status() int {
	if e.Status < 400 || e.Status > 599 {
		return http.StatusInternalServerError
	}
	return e.Status
}

// message is the message sent for e: Message, or the status text of a
// 5xx without one.
func (e *Error) message() string {
	if e.Message == "" && e.status() >= 500 {
		return http.StatusText(e.status())
	}
	return e.Message
}

// traceData is the tracedata of the request whose context r carries.
func (g *Gatehouse) traceData(r *http.Request) TraceData {
	ri := infoFrom(r.Context())
	return TraceData{
		Code:      ri.trace,
		Client:    ri.client(),
		Server:    g.service.Server,
		Service:   g.service.Name,
		Operation: ri.operation,
		Time:      ri.start.Format(time.RFC3339),
	}
}

// logError logs an error answer once, with the request's trace code: at
// error level for a 5xx, info otherwise.
func (g *Gatehouse) logError(r *http.Request, he *Error) {
	ri := infoFrom(r.Context())
	status := he.status()
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
		slog.String("message", he.message()),
	}
	if he.Err != nil {
		attrs = append(attrs, slog.String("err", he.Err.Error()))
	}
	g.log.LogAttrs(r.Context(), level, "gatehouse: request failed", attrs...)
}

// writeJSON writes v as a JSON response with the given status: the one
// JSON writer. A value that does not encode (a bug) is returned as a 500
// error before anything is written.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return errInternal(err)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}
