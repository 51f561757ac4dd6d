package audit_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/stretchr/testify/require"
)

func newAuditStore(t *testing.T) storage.AuditStore {
	t.Helper()
	s := memstore.New(memstore.Config{})
	t.Cleanup(func() { _ = s.Close() })
	return s.Audit()
}

// gatedStore blocks every AppendAudit until gate is closed, so tests can
// fill a recorder's buffer deterministically.
type gatedStore struct {
	storage.AuditStore
	gate    chan struct{}
	entered chan struct{}
}

func (g *gatedStore) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	g.entered <- struct{}{}
	<-g.gate
	return g.AuditStore.AppendAudit(ctx, r)
}

// failingStore fails the first n AppendAudit calls (all when n < 0).
type failingStore struct {
	storage.AuditStore
	n     int64
	calls atomic.Int64
	err   error
}

var errStoreDown = errors.New("store down")

func (f *failingStore) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	c := f.calls.Add(1)
	if f.n < 0 || c <= f.n {
		if f.err != nil {
			return f.err
		}
		return errStoreDown
	}
	return f.AuditStore.AppendAudit(ctx, r)
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(buf, nil))
}

func noBackoff(int) time.Duration { return 0 }

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, s)
	require.NoError(t, err)
	return tm
}
