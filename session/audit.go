package session

import (
	"context"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/storage"
)

// MethodGroup is the audit method group of the records the manager writes.
const MethodGroup = "AUTH"

func (m *Manager) auditRecord(op, username, company string, c Client) storage.AuditRecord {
	return storage.AuditRecord{
		TraceCode:   c.TraceCode,
		Username:    username,
		Company:     company,
		Server:      m.cfg.Server,
		Service:     m.cfg.Service,
		OperationID: op,
		MethodGroup: MethodGroup,
		ClientIP:    c.IP,
	}
}

// audit appends rec with its outcome. Records never hold a password, a
// token, a session id or a hash. A failed write is logged, not returned:
// the audit does not decide whether an operation happened.
func (m *Manager) audit(ctx context.Context, rec storage.AuditRecord, outcome, detail string) {
	rec.Outcome, rec.Detail = outcome, detail
	rec.Time = m.cfg.Now().UTC()
	if rec.TraceCode == "" {
		id, err := randid.UUID()
		if err != nil {
			m.cfg.Logger.WarnContext(ctx, "session: audit: no trace code", "err", err)
			return
		}
		rec.TraceCode = id
	}
	if m.cfg.Audit != nil {
		err := m.cfg.Audit.Record(ctx, audit.Action{
			TraceCode: rec.TraceCode, Time: rec.Time, Service: rec.Service,
			OperationID: rec.OperationID, MethodGroup: rec.MethodGroup,
			Outcome: rec.Outcome, Username: rec.Username, Company: rec.Company,
			ClientIP: rec.ClientIP, Detail: rec.Detail,
		})
		if err != nil {
			m.cfg.Logger.WarnContext(ctx, "session: audit write failed", "operation", rec.OperationID, "outcome", outcome, "err", err)
		}
		return
	}
	if err := m.store.Audit().AppendAudit(ctx, rec); err != nil {
		m.cfg.Logger.WarnContext(ctx, "session: audit write failed", "operation", rec.OperationID, "outcome", outcome, "err", err)
	}
}

// RecordDenial audits a refused authorization: a's user asked for target
// (a permission target such as "Customer:delete", or "admin") and was
// denied. Like every audit write it is best effort.
func (m *Manager) RecordDenial(ctx context.Context, a *Auth, target string, c Client) {
	m.audit(ctx, m.auditRecord("permission_denied", a.User.Username, a.User.Company, c), "denied", target)
}
