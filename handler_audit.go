package gatehouse

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/quota"
	"github.com/gatehouse-go/gatehouse/session"
)

// initMetering builds the audit recorder and the quota enforcer over the
// store's audit and counter stores, taken once: a store's accessors are
// stable for its lifetime (storage.Store).
func (g *Gatehouse) initMetering(cfg Config) error {
	ac := cfg.Audit
	if ac.Server == "" {
		ac.Server = g.service.Server
	}
	if ac.Now == nil {
		ac.Now = g.now
	}
	if ac.Logger == nil {
		ac.Logger = g.log
	}
	rec, err := audit.New(g.store.Audit(), ac)
	if err != nil {
		return fmt.Errorf("gatehouse: %w", err)
	}
	qc := cfg.Quota
	if qc.Now == nil {
		qc.Now = g.now
	}
	enf, err := quota.New(g.store.Counters(), qc)
	if err != nil {
		_ = rec.Close()
		return fmt.Errorf("gatehouse: %w", err)
	}
	g.recorder, g.quotas, g.report = rec, enf, cfg.ReportWriter
	return nil
}

// Audit returns the recorder of actions, for hosts that record their own
// (see package audit). Stamp an action with the request's trace code
// (TraceCode) and the caller's Username and Company (session.FromContext)
// so that GET /audit shows it to them and to their company.
func (g *Gatehouse) Audit() *audit.Recorder { return g.recorder }

// auditRoutes registers the audit, trace and statistics endpoints (seed
// 004). All of them need a live session; read_only users may call them.
func (g *Gatehouse) auditRoutes(r *router) {
	r.handle("GET /audit", "audit", g.authed(g.serveAudit))
	r.handle("GET /trace/{tracecode}", "trace", g.authed(g.serveTrace))
	r.handle("GET /statistics", "statistics", g.authed(g.serveStatistics))
	r.handle("GET /statistics/report", "statistics_report", g.authed(g.serveReport))
}

// authed turns a handler of an authenticated caller into a handlerFunc
// that authenticates first (as Authenticate does).
func (g *Gatehouse) authed(h func(w http.ResponseWriter, r *http.Request, a *session.Auth) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		a, err := g.authenticate(r, infoFrom(r.Context()), false)
		if err != nil {
			return err
		}
		return h(w, r.WithContext(session.NewContext(r.Context(), a)), a)
	}
}

// viewer returns who reads the audit.
func viewer(a *session.Auth) (audit.Viewer, error) {
	v, err := audit.NewViewer(a.User, a.Set)
	if err != nil {
		return v, &Error{Status: http.StatusInternalServerError, Message: "internal error", Err: err}
	}
	return v, nil
}

// auditError maps the errors of package audit: a parameter error is a 400
// naming the parameter, a missing or invisible action a 404, a viewer
// without a company a 403, anything else (the store) a 503.
func auditError(err error) error {
	var pe *audit.ParamError
	switch {
	case errors.As(err, &pe):
		return errorf(http.StatusBadRequest, "%s: %s", pe.Param, pe.Reason)
	case errors.Is(err, audit.ErrNotFound):
		return errorf(http.StatusNotFound, "no such trace data")
	case errors.Is(err, audit.ErrNoCompany):
		return errorf(http.StatusForbidden, "the user belongs to no company")
	}
	return &Error{Status: http.StatusServiceUnavailable, Message: "service unavailable", Err: err}
}

// serveAudit answers GET /audit: a page of the actions the caller may see
// (their own; their company's with audit_read_all or as admin) and the
// totals.
func (g *Gatehouse) serveAudit(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	v, err := viewer(a)
	if err != nil {
		return err
	}
	q, err := audit.ParseQuery(r.URL.Query(), v, g.now())
	if err != nil {
		return auditError(err)
	}
	page, err := g.store.Audit().QueryAudit(r.Context(), q)
	if err != nil {
		return auditError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, audit.NewPageDocument(page, v.Location))
	return nil
}

// serveTrace answers GET /trace/{tracecode}: the data attached to a
// visible action for a flow and stage, as stored, with its content type.
// The data is the host's, so it is sent as a download that a browser
// neither sniffs nor runs (nosniff, a sandboxing CSP, attachment).
func (g *Gatehouse) serveTrace(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	v, err := viewer(a)
	if err != nil {
		return err
	}
	tr, err := audit.ParseTraceRequest(r.PathValue("tracecode"), r.URL.Query())
	if err != nil {
		return auditError(err)
	}
	_, att, err := audit.Trace(r.Context(), g.store.Audit(), v, tr)
	if err != nil {
		return auditError(err)
	}
	ct := att.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(att.Data)))
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=trace_%s_%s_%d", tr.TraceCode, tr.Flow, tr.Stage))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(att.Data)
	return nil
}

// serveStatistics answers GET /statistics?from&to: the caller's usage per
// day, service and method group, days cut in the caller's time zone.
func (g *Gatehouse) serveStatistics(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	v, err := viewer(a)
	if err != nil {
		return err
	}
	p, err := audit.StatisticsPeriod(r.URL.Query(), g.now(), v.Location)
	if err != nil {
		return auditError(err)
	}
	stats, err := audit.CollectStatistics(r.Context(), g.store.Audit(), v, p)
	if err != nil {
		return auditError(err)
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, stats)
	return nil
}

// serveReport answers GET /statistics/report?from&to: the statistics as a
// file written by Config.ReportWriter (an XLSX workbook with report/xlsx),
// or 501 when none is configured.
func (g *Gatehouse) serveReport(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	if g.report == nil {
		return errorf(http.StatusNotImplemented, "statistics report not configured: set gatehouse.Config.ReportWriter, e.g. to xlsx.New() of github.com/gatehouse-go/gatehouse/report/xlsx")
	}
	v, err := viewer(a)
	if err != nil {
		return err
	}
	p, err := audit.ReportPeriod(r.URL.Query(), g.now(), v.Location)
	if err != nil {
		return auditError(err)
	}
	stats, err := audit.CollectStatistics(r.Context(), g.store.Audit(), v, p)
	if err != nil {
		return auditError(err)
	}
	var buf bytes.Buffer
	if err := g.report.Write(&buf, stats); err != nil {
		return &Error{Status: http.StatusInternalServerError, Message: "internal error", Err: err}
	}
	h := w.Header()
	h.Set("Content-Type", audit.ReportContentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Content-Disposition", "attachment; filename="+audit.ReportFileName(a.User.Username, p))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}
