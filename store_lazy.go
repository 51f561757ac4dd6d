package gatehouse

import (
	"context"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// lazyAudit and lazyCounters ask the store for its sub-store on every call
// rather than once in New, so that New never calls the store (a wrapper
// may not be ready yet) and a store whose accessors return fresh views is
// honoured.
type lazyAudit struct{ s storage.Store }

func (l lazyAudit) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	return l.s.Audit().AppendAudit(ctx, r)
}
func (l lazyAudit) GetAudit(ctx context.Context, code string) (storage.AuditRecord, error) {
	return l.s.Audit().GetAudit(ctx, code)
}
func (l lazyAudit) QueryAudit(ctx context.Context, q storage.AuditQuery) (storage.AuditPage, error) {
	return l.s.Audit().QueryAudit(ctx, q)
}
func (l lazyAudit) Attachment(ctx context.Context, code string, f storage.Flow, stage int) (storage.Attachment, error) {
	return l.s.Audit().Attachment(ctx, code, f, stage)
}

type lazyCounters struct{ s storage.Store }

func (l lazyCounters) Increment(ctx context.Context, key string, delta int64, ttl time.Duration) (int64, error) {
	return l.s.Counters().Increment(ctx, key, delta, ttl)
}
func (l lazyCounters) Counter(ctx context.Context, key string) (int64, time.Time, error) {
	return l.s.Counters().Counter(ctx, key)
}
func (l lazyCounters) ResetCounter(ctx context.Context, key string) error {
	return l.s.Counters().ResetCounter(ctx, key)
}
func (l lazyCounters) AcquireSlot(ctx context.Context, key, holder string, limit int, ttl time.Duration) (bool, error) {
	return l.s.Counters().AcquireSlot(ctx, key, holder, limit, ttl)
}
func (l lazyCounters) ReleaseSlot(ctx context.Context, key, holder string) error {
	return l.s.Counters().ReleaseSlot(ctx, key, holder)
}
func (l lazyCounters) Slots(ctx context.Context, key string) (int, error) {
	return l.s.Counters().Slots(ctx, key)
}
