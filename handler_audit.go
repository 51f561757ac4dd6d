package gatehouse

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/session"
)

// viewer returns who reads the audit.
func viewer(a *session.Auth) (audit.Viewer, error) {
	v, err := audit.NewViewer(a.User, a.Set)
	if err != nil {
		return v, errInternal(err)
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
	return errUnavailable(err)
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
	return writeJSON(w, http.StatusOK, audit.NewPageDocument(page, v.Location))
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
	return writeJSON(w, http.StatusOK, stats)
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
		return errInternal(err)
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
