package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gatehouse-go/gatehouse/storage"
)

// auditStore keeps audit records by trace code, indexed by company.
type auditStore struct {
	s         *Store
	mu        sync.RWMutex
	records   map[string]storage.AuditRecord
	byCompany map[string][]string // company → trace codes
}

func (as *auditStore) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	if err := as.s.check(ctx); err != nil {
		return err
	}
	if r.TraceCode == "" {
		return fmt.Errorf("memstore: append audit: empty trace code: %w", storage.ErrInvalid)
	}
	if err := storage.ValidateAttachments(r.Attachments); err != nil {
		return fmt.Errorf("memstore: append audit %q: %w", r.TraceCode, err)
	}
	r = r.Clone()
	r.Time = r.Time.UTC()
	as.mu.Lock()
	defer as.mu.Unlock()
	if _, ok := as.records[r.TraceCode]; ok {
		return fmt.Errorf("memstore: append audit %q: %w", r.TraceCode, storage.ErrConflict)
	}
	if as.records == nil {
		as.records = make(map[string]storage.AuditRecord)
		as.byCompany = make(map[string][]string)
	}
	as.records[r.TraceCode] = r
	as.byCompany[r.Company] = append(as.byCompany[r.Company], r.TraceCode)
	return nil
}

func (as *auditStore) GetAudit(ctx context.Context, traceCode string) (storage.AuditRecord, error) {
	if err := as.s.check(ctx); err != nil {
		return storage.AuditRecord{}, err
	}
	as.mu.RLock()
	defer as.mu.RUnlock()
	r, ok := as.records[traceCode]
	if !ok {
		return storage.AuditRecord{}, fmt.Errorf("memstore: audit %q: %w", traceCode, storage.ErrNotFound)
	}
	return r.Clone(), nil
}

func (as *auditStore) Attachment(ctx context.Context, traceCode string, flow storage.Flow, stage int) (storage.Attachment, error) {
	if err := as.s.check(ctx); err != nil {
		return storage.Attachment{}, err
	}
	as.mu.RLock()
	defer as.mu.RUnlock()
	r, ok := as.records[traceCode]
	if !ok {
		return storage.Attachment{}, fmt.Errorf("memstore: audit %q: %w", traceCode, storage.ErrNotFound)
	}
	for _, a := range r.Attachments {
		if a.Flow == flow && a.Stage == stage {
			a.Data = slices.Clone(a.Data)
			return a, nil
		}
	}
	return storage.Attachment{}, fmt.Errorf("memstore: audit %q: attachment %s/%d: %w", traceCode, flow, stage, storage.ErrNotFound)
}

func (as *auditStore) QueryAudit(ctx context.Context, q storage.AuditQuery) (storage.AuditPage, error) {
	if err := as.s.check(ctx); err != nil {
		return storage.AuditPage{}, err
	}
	if q.Company == "" || q.Limit < 1 || q.Offset < 0 {
		return storage.AuditPage{}, fmt.Errorf("memstore: query audit: company %q, offset %d, limit %d: %w", q.Company, q.Offset, q.Limit, storage.ErrInvalid)
	}
	field := q.SortField
	if field == "" {
		field = storage.SortByTime
	}
	byField, ok := auditOrder(field)
	if !ok {
		return storage.AuditPage{}, fmt.Errorf("memstore: query audit: sort field %q: %w", q.SortField, storage.ErrInvalid)
	}
	var p storage.AuditPage
	var matched []storage.AuditRecord
	as.mu.RLock()
	for _, code := range as.byCompany[q.Company] {
		r := as.records[code]
		if q.Username != "" && r.Username != q.Username {
			continue
		}
		p.Total++
		if matches(&r, &q) {
			matched = append(matched, r) // shares Attachments: stripped below
		}
	}
	as.mu.RUnlock()
	p.Filtered = len(matched)
	slices.SortFunc(matched, func(a, b storage.AuditRecord) int {
		c := cmp.Or(byField(&a, &b), a.Time.Compare(b.Time), cmp.Compare(a.TraceCode, b.TraceCode))
		if q.Descending {
			return -c
		}
		return c
	})
	matched = page(matched, q.Offset, q.Limit)
	p.Records = make([]storage.AuditRecord, len(matched))
	for i, r := range matched {
		r.Attachments = withoutData(r.Attachments)
		p.Records[i] = r
	}
	return p, nil
}

// matches reports whether r passes q's filters other than company and user.
func matches(r *storage.AuditRecord, q *storage.AuditQuery) bool {
	return (q.From.IsZero() || !r.Time.Before(q.From)) &&
		(q.To.IsZero() || !r.Time.After(q.To)) &&
		(q.Service == "" || r.Service == q.Service) &&
		(q.OperationID == "" || r.OperationID == q.OperationID) &&
		(q.MethodGroup == "" || r.MethodGroup == q.MethodGroup)
}

// withoutData copies attachments without their data, as query pages carry
// them.
func withoutData(atts []storage.Attachment) []storage.Attachment {
	if atts == nil {
		return nil
	}
	out := make([]storage.Attachment, len(atts))
	for i, a := range atts {
		a.Data = nil
		out[i] = a
	}
	return out
}

// auditOrder returns the comparison of two records by a sort field, and
// false for an unknown field. QueryAudit breaks its ties by time, then trace
// code.
func auditOrder(f storage.AuditSortField) (func(a, b *storage.AuditRecord) int, bool) {
	switch f {
	case storage.SortByTime:
		return func(a, b *storage.AuditRecord) int { return a.Time.Compare(b.Time) }, true
	case storage.SortByUsername:
		return func(a, b *storage.AuditRecord) int { return strings.Compare(a.Username, b.Username) }, true
	case storage.SortByService:
		return func(a, b *storage.AuditRecord) int { return strings.Compare(a.Service, b.Service) }, true
	case storage.SortByOperationID:
		return func(a, b *storage.AuditRecord) int { return strings.Compare(a.OperationID, b.OperationID) }, true
	case storage.SortByMethodGroup:
		return func(a, b *storage.AuditRecord) int { return strings.Compare(a.MethodGroup, b.MethodGroup) }, true
	case storage.SortByPoints:
		return func(a, b *storage.AuditRecord) int { return cmp.Compare(a.Points, b.Points) }, true
	case storage.SortByDuration:
		return func(a, b *storage.AuditRecord) int { return cmp.Compare(a.Duration, b.Duration) }, true
	}
	return nil, false
}
