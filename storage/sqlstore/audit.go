package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/gatehouse-go/gatehouse/storage"
)

// auditStore keeps audit records in gh_audit and their attachments in
// gh_audit_attachments, written together in one transaction.
type auditStore struct{ s *Store }

const auditColumns = `trace_code, time_us, username, company, server, service, operation_id, method_group,
	points, unique_points, duration_ns, outcome, client_ip, detail`

// auditSortColumns maps each sort field to its column: the only way a
// caller's choice reaches the SQL text.
var auditSortColumns = map[storage.AuditSortField]string{
	storage.SortByTime:        "time_us",
	storage.SortByUsername:    "username",
	storage.SortByService:     "service",
	storage.SortByOperationID: "operation_id",
	storage.SortByMethodGroup: "method_group",
	storage.SortByPoints:      "points",
	storage.SortByDuration:    "duration_ns",
}

func scanAudit(row interface{ Scan(...any) error }) (storage.AuditRecord, error) {
	var r storage.AuditRecord
	var t, d int64
	if err := row.Scan(&r.TraceCode, &t, &r.Username, &r.Company, &r.Server, &r.Service, &r.OperationID,
		&r.MethodGroup, &r.Points, &r.UniquePoints, &d, &r.Outcome, &r.ClientIP, &r.Detail); err != nil {
		return storage.AuditRecord{}, err
	}
	r.Time = fromUS(t)
	r.Duration = durationNS(d)
	return r, nil
}

func (as *auditStore) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	s := as.s
	if err := checkCtx(ctx, "append audit"); err != nil {
		return err
	}
	if r.TraceCode == "" {
		return fmt.Errorf("sqlstore: append audit: empty trace code: %w", storage.ErrInvalid)
	}
	if err := storage.ValidateAttachments(r.Attachments); err != nil {
		return fmt.Errorf("sqlstore: append audit %q: %w", r.TraceCode, err)
	}
	err := s.inTx(ctx, "append audit", func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO gh_audit (`+auditColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`),
			r.TraceCode, toUS(r.Time), r.Username, r.Company, r.Server, r.Service, r.OperationID, r.MethodGroup,
			r.Points, r.UniquePoints, int64(r.Duration), r.Outcome, r.ClientIP, r.Detail)
		if isUniqueViolation(err) {
			return fmt.Errorf("trace code %q: %w", r.TraceCode, storage.ErrConflict)
		}
		if err != nil {
			return err
		}
		for _, a := range r.Attachments {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO gh_audit_attachments (trace_code, flow, stage, content_type, data)
				VALUES ($1, $2, $3, $4, $5)`), r.TraceCode, string(a.Flow), a.Stage, a.ContentType, a.Data); err != nil {
				return err
			}
		}
		return nil
	})
	return err
}

func (as *auditStore) GetAudit(ctx context.Context, traceCode string) (storage.AuditRecord, error) {
	s := as.s
	if err := checkCtx(ctx, "get audit"); err != nil {
		return storage.AuditRecord{}, err
	}
	r, err := scanAudit(s.db.QueryRowContext(ctx, s.q(`SELECT `+auditColumns+` FROM gh_audit WHERE trace_code = $1`), traceCode))
	if errors.Is(err, sql.ErrNoRows) {
		return storage.AuditRecord{}, fmt.Errorf("sqlstore: audit %q: %w", traceCode, storage.ErrNotFound)
	}
	if err != nil {
		return storage.AuditRecord{}, fmt.Errorf("sqlstore: audit %q: %w", traceCode, err)
	}
	if r.Attachments, err = as.attachments(ctx, traceCode); err != nil {
		return storage.AuditRecord{}, fmt.Errorf("sqlstore: audit %q: %w", traceCode, err)
	}
	return r, nil
}

// attachments loads a record's attachments with their data.
func (as *auditStore) attachments(ctx context.Context, traceCode string) ([]storage.Attachment, error) {
	s := as.s
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT flow, stage, content_type, data FROM gh_audit_attachments
		WHERE trace_code = $1 ORDER BY flow, stage`), traceCode)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []storage.Attachment
	for rows.Next() {
		var flow string
		var a storage.Attachment
		if err := rows.Scan(&flow, &a.Stage, &a.ContentType, &a.Data); err != nil {
			return nil, err
		}
		a.Flow = storage.Flow(flow)
		out = append(out, a)
	}
	return out, rows.Err()
}

func (as *auditStore) Attachment(ctx context.Context, traceCode string, flow storage.Flow, stage int) (storage.Attachment, error) {
	s := as.s
	if err := checkCtx(ctx, "attachment"); err != nil {
		return storage.Attachment{}, err
	}
	a := storage.Attachment{Flow: flow, Stage: stage}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT content_type, data FROM gh_audit_attachments
		WHERE trace_code = $1 AND flow = $2 AND stage = $3`), traceCode, string(flow), stage).Scan(&a.ContentType, &a.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return storage.Attachment{}, fmt.Errorf("sqlstore: audit %q: attachment %s/%d: %w", traceCode, flow, stage, storage.ErrNotFound)
	}
	if err != nil {
		return storage.Attachment{}, fmt.Errorf("sqlstore: audit %q: attachment %s/%d: %w", traceCode, flow, stage, err)
	}
	return a, nil
}

func (as *auditStore) QueryAudit(ctx context.Context, q storage.AuditQuery) (storage.AuditPage, error) {
	s := as.s
	if err := checkCtx(ctx, "query audit"); err != nil {
		return storage.AuditPage{}, err
	}
	if q.Company == "" || q.Limit < 1 || q.Offset < 0 {
		return storage.AuditPage{}, fmt.Errorf("sqlstore: query audit: company %q, offset %d, limit %d: %w", q.Company, q.Offset, q.Limit, storage.ErrInvalid)
	}
	field := q.SortField
	if field == "" {
		field = storage.SortByTime
	}
	col, ok := auditSortColumns[field]
	if !ok {
		return storage.AuditPage{}, fmt.Errorf("sqlstore: query audit: sort field %q: %w", q.SortField, storage.ErrInvalid)
	}

	// base selects the company (and user); filter adds the other filters.
	args := []any{q.Company}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	base := "company = $1"
	if q.Username != "" {
		base += " AND username = " + arg(q.Username)
	}
	filter := base
	if !q.From.IsZero() {
		filter += " AND time_us >= " + arg(toUS(q.From))
	}
	if !q.To.IsZero() {
		filter += " AND time_us <= " + arg(toUS(q.To))
	}
	for _, f := range []struct{ col, v string }{
		{"service", q.Service}, {"operation_id", q.OperationID}, {"method_group", q.MethodGroup},
	} {
		if f.v != "" {
			filter += " AND " + f.col + " = " + arg(f.v)
		}
	}
	var p storage.AuditPage
	// One statement counts both, so the two numbers describe one snapshot.
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*), COALESCE(SUM(CASE WHEN `+filter+` THEN 1 ELSE 0 END), 0)
		FROM gh_audit WHERE `+base), args...).Scan(&p.Total, &p.Filtered); err != nil {
		return storage.AuditPage{}, fmt.Errorf("sqlstore: query audit: %w", err)
	}
	dir := " ASC"
	if q.Descending {
		dir = " DESC"
	}
	order := col + dir + ", time_us" + dir + ", trace_code" + dir
	outer := "page." + col + dir + ", page.time_us" + dir + ", page.trace_code" + dir
	// One statement reads the page and its attachments (without data), so
	// both come from one snapshot.
	query := `WITH page AS (SELECT ` + auditColumns + ` FROM gh_audit WHERE ` + filter +
		` ORDER BY ` + order + ` LIMIT ` + arg(q.Limit) + ` OFFSET ` + arg(q.Offset) + `)
		SELECT page.*, a.flow, a.stage, a.content_type FROM page
		LEFT JOIN gh_audit_attachments a ON a.trace_code = page.trace_code
		ORDER BY ` + outer + `, a.flow, a.stage`
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return storage.AuditPage{}, fmt.Errorf("sqlstore: query audit: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r storage.AuditRecord
		var t, d int64
		var flow, contentType sql.NullString
		var stage sql.NullInt64
		if err := rows.Scan(&r.TraceCode, &t, &r.Username, &r.Company, &r.Server, &r.Service, &r.OperationID,
			&r.MethodGroup, &r.Points, &r.UniquePoints, &d, &r.Outcome, &r.ClientIP, &r.Detail,
			&flow, &stage, &contentType); err != nil {
			return storage.AuditPage{}, fmt.Errorf("sqlstore: query audit: %w", err)
		}
		if n := len(p.Records); n == 0 || p.Records[n-1].TraceCode != r.TraceCode {
			r.Time, r.Duration = fromUS(t), durationNS(d)
			p.Records = append(p.Records, r)
		}
		if flow.Valid {
			last := &p.Records[len(p.Records)-1]
			last.Attachments = append(last.Attachments, storage.Attachment{
				Flow: storage.Flow(flow.String), Stage: int(stage.Int64), ContentType: contentType.String})
		}
	}
	if err := rows.Err(); err != nil {
		return storage.AuditPage{}, fmt.Errorf("sqlstore: query audit: %w", err)
	}
	return p, nil
}
