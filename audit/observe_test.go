package audit_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type losses struct {
	observe.Nop
	mu  sync.Mutex
	got []observe.AuditLoss
}

func (l *losses) AuditLost(_ context.Context, e observe.AuditLoss) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.got = append(l.got, e)
}

func (l *losses) all() []observe.AuditLoss {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]observe.AuditLoss(nil), l.got...)
}

func TestObserverAuditLost(t *testing.T) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	action := audit.Action{Service: "svc", OperationID: "run_plan", MethodGroup: "PLAN", Username: "alice", Company: "acme"}

	t.Run("failed", func(t *testing.T) {
		obs := &losses{}
		r, err := audit.New(&failingStore{AuditStore: newAuditStore(t), n: -1}, audit.Config{Attempts: 2, Backoff: noBackoff, Logger: quiet, Observer: obs})
		require.NoError(t, err)
		require.Error(t, r.Record(context.Background(), action))
		assert.Equal(t, []observe.AuditLoss{{Operation: "run_plan", Reason: observe.AuditFailed}}, obs.all())
	})
	t.Run("written", func(t *testing.T) {
		obs := &losses{}
		r, err := audit.New(newAuditStore(t), audit.Config{Observer: obs})
		require.NoError(t, err)
		require.NoError(t, r.Record(context.Background(), action))
		assert.Empty(t, obs.all())
	})
	t.Run("rejected and closed", func(t *testing.T) {
		obs := &losses{}
		g := &gatedStore{AuditStore: newAuditStore(t), gate: make(chan struct{}), entered: make(chan struct{}, 8)}
		r, err := audit.New(g, audit.Config{Buffer: 1, Observer: obs})
		require.NoError(t, err)
		require.NoError(t, r.Record(context.Background(), action)) // taken by the writer
		<-g.entered
		require.NoError(t, r.Record(context.Background(), action)) // fills the buffer
		require.ErrorIs(t, r.Record(context.Background(), action), audit.ErrBufferFull)
		close(g.gate)
		require.NoError(t, r.Close())
		require.ErrorIs(t, r.Record(context.Background(), action), audit.ErrClosed)
		assert.Equal(t, []observe.AuditLoss{
			{Operation: "run_plan", Reason: observe.AuditRejected},
			{Operation: "run_plan", Reason: observe.AuditClosed},
		}, obs.all())
	})
}
