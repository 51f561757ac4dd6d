package session

import (
	"context"

	"github.com/gatehouse-go/gatehouse/audit"
)

// MethodGroup is the audit method group of the records the manager writes.
const MethodGroup = "AUTH"

// auditAction starts the audit action of operation op by username of
// company, from c; audit completes it.
func (m *Manager) auditAction(op, username, company string, c Client) audit.Action {
	return audit.Action{
		TraceCode:   c.TraceCode,
		Service:     m.cfg.Service,
		OperationID: op,
		MethodGroup: MethodGroup,
		Username:    username,
		Company:     company,
		ClientIP:    c.IP,
	}
}

// audit records a with its outcome and detail through Config.Audit (the
// write-through recorder New makes when that is nil). Actions never hold a
// password, a token, a session id or a hash. A failed write is logged, not
// returned: the audit does not decide whether an operation happened.
func (m *Manager) audit(ctx context.Context, a audit.Action, outcome, detail string) {
	a.Outcome, a.Detail = outcome, detail
	a.Time = m.cfg.Now().UTC()
	if err := m.cfg.Audit.Record(ctx, a); err != nil {
		m.cfg.Logger.WarnContext(ctx, "session: audit write failed", "operation", a.OperationID, "outcome", outcome, "err", err)
	}
}

// RecordDenial audits a refused authorization: a's user asked for target
// (a permission target such as "Customer:delete", or "admin") and was
// denied. Like every audit write it is best effort.
func (m *Manager) RecordDenial(ctx context.Context, a *Auth, target string, c Client) {
	m.audit(ctx, m.auditAction("permission_denied", a.User.Username, a.User.Company, c), "denied", target)
}
