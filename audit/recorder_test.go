package audit_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecordWriteThrough(t *testing.T) {
	store := newAuditStore(t)
	now := mustTime(t, "2024-02-21T06:30:00Z")
	rec, err := audit.New(store, audit.Config{Server: "node-1", Now: func() time.Time { return now }})
	require.NoError(t, err)
	a := audit.Action{
		Service: "UNIVERSAL", OperationID: "run_plan_calculation", MethodGroup: "PLAN",
		Points: 1500, UniquePoints: 10, Duration: 3 * time.Second, Outcome: "ok",
		Username: "alice", Company: "acme", ClientIP: "192.0.2.1",
		Attachments: []storage.Attachment{{Flow: storage.FlowInput, Stage: 0, ContentType: "application/json", Data: []byte(`{}`)}},
	}
	require.NoError(t, rec.Record(context.Background(), a))
	page, err := store.QueryAudit(context.Background(), storage.AuditQuery{Company: "acme", Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	got := page.Records[0]
	assert.Len(t, got.TraceCode, 36, "a trace code is generated")
	assert.Equal(t, now, got.Time)
	assert.Equal(t, "node-1", got.Server)
	assert.Equal(t, int64(1500), got.Points)
	assert.Equal(t, audit.Stats{Written: 1}, rec.Stats())
	require.NoError(t, rec.Close())
	assert.ErrorIs(t, rec.Record(context.Background(), a), audit.ErrClosed)
}

func TestRecordRefusesInvalidActions(t *testing.T) {
	ok := audit.Action{OperationID: "op"}
	cases := []struct {
		name   string
		mutate func(*audit.Action)
	}{
		{"no operation id", func(a *audit.Action) { a.OperationID = "" }},
		{"negative points", func(a *audit.Action) { a.Points = -1 }},
		{"negative unique points", func(a *audit.Action) { a.UniquePoints = -1 }},
		{"negative duration", func(a *audit.Action) { a.Duration = -time.Second }},
		{"bad flow", func(a *audit.Action) { a.Attachments = []storage.Attachment{{Flow: "SIDEWAYS"}} }},
		{"stage below 0", func(a *audit.Action) { a.Attachments = []storage.Attachment{{Flow: storage.FlowInput, Stage: -1}} }},
		{"stage above 3", func(a *audit.Action) { a.Attachments = []storage.Attachment{{Flow: storage.FlowInput, Stage: 4}} }},
		{"flow and stage twice", func(a *audit.Action) {
			a.Attachments = []storage.Attachment{{Flow: storage.FlowOutput, Stage: 3}, {Flow: storage.FlowOutput, Stage: 3}}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := audit.New(newAuditStore(t), audit.Config{})
			require.NoError(t, err)
			a := ok
			tc.mutate(&a)
			assert.ErrorIs(t, rec.Record(context.Background(), a), audit.ErrInvalidAction)
			assert.Equal(t, audit.Stats{}, rec.Stats())
		})
	}
	t.Run("stage 3 of each flow is fine", func(t *testing.T) {
		rec, err := audit.New(newAuditStore(t), audit.Config{})
		require.NoError(t, err)
		a := ok
		a.Attachments = []storage.Attachment{{Flow: storage.FlowInput, Stage: 3}, {Flow: storage.FlowOutput, Stage: 3}}
		assert.NoError(t, rec.Record(context.Background(), a))
	})
}

func TestNewRefusesBadConfig(t *testing.T) {
	store := newAuditStore(t)
	for _, cfg := range []audit.Config{{Buffer: -1}, {Attempts: -1}, {WriteTimeout: -1}} {
		_, err := audit.New(store, cfg)
		assert.Error(t, err, "%+v", cfg)
	}
	_, err := audit.New(nil, audit.Config{})
	assert.Error(t, err)
}

func TestBufferFullIsRefusedAndCounted(t *testing.T) {
	inner := newAuditStore(t)
	g := &gatedStore{AuditStore: inner, gate: make(chan struct{}), entered: make(chan struct{}, 10)}
	rec, err := audit.New(g, audit.Config{Buffer: 2})
	require.NoError(t, err)
	ctx := context.Background()
	a := audit.Action{OperationID: "op", Company: "acme", Username: "alice"}

	require.NoError(t, rec.Record(ctx, a)) // taken by the writer, blocked in the store
	<-g.entered
	require.NoError(t, rec.Record(ctx, a)) // buffered
	require.NoError(t, rec.Record(ctx, a)) // buffered: the buffer is full
	start := time.Now()
	err = rec.Record(ctx, a)
	assert.ErrorIs(t, err, audit.ErrBufferFull)
	assert.Less(t, time.Since(start), time.Second, "Record must not wait for the store")
	st := rec.Stats()
	assert.Equal(t, uint64(1), st.Rejected)
	assert.Equal(t, 2, st.Pending)

	close(g.gate) // the store answers again
	require.NoError(t, rec.Close())
	st = rec.Stats()
	assert.Equal(t, uint64(3), st.Written, "Close flushes the buffer")
	assert.Equal(t, 0, st.Pending)
	page, err := inner.QueryAudit(ctx, storage.AuditQuery{Company: "acme", Limit: 10})
	require.NoError(t, err)
	assert.Equal(t, 3, page.Total)
	assert.ErrorIs(t, rec.Record(ctx, a), audit.ErrClosed)
	assert.NoError(t, rec.Close(), "a second Close does nothing")
}

func TestStoreFailureIsRetriedCountedAndLogged(t *testing.T) {
	for _, buffer := range []int{0, 4} {
		t.Run(fmt.Sprintf("buffer %d", buffer), func(t *testing.T) {
			var logs syncBuffer
			fs := &failingStore{AuditStore: newAuditStore(t), n: -1}
			rec, err := audit.New(fs, audit.Config{Buffer: buffer, Attempts: 3, Backoff: noBackoff, Logger: newLogger(&logs)})
			require.NoError(t, err)
			a := audit.Action{TraceCode: "11111111-2222-3333-4444-555555555555", OperationID: "op", Company: "acme"}
			err = rec.Record(context.Background(), a)
			if buffer == 0 {
				assert.ErrorIs(t, err, errStoreDown)
			} else {
				assert.NoError(t, err)
			}
			closeErr := rec.Close()
			if buffer > 0 {
				assert.Error(t, closeErr, "Close reports records that failed while flushing")
			}
			st := rec.Stats()
			assert.Equal(t, uint64(1), st.Failed)
			assert.Equal(t, uint64(2), st.Retries)
			assert.Equal(t, uint64(0), st.Written)
			assert.Equal(t, int64(3), fs.calls.Load())
			assert.Contains(t, logs.String(), "audit: record not written")
			assert.Contains(t, logs.String(), "11111111-2222-3333-4444-555555555555")
		})
	}
}

func TestRetrySucceeds(t *testing.T) {
	fs := &failingStore{AuditStore: newAuditStore(t), n: 2}
	rec, err := audit.New(fs, audit.Config{Attempts: 3, Backoff: noBackoff})
	require.NoError(t, err)
	require.NoError(t, rec.Record(context.Background(), audit.Action{OperationID: "op"}))
	assert.Equal(t, audit.Stats{Written: 1, Retries: 2}, rec.Stats())
}

func TestInvalidIsNotRetried(t *testing.T) {
	fs := &failingStore{AuditStore: newAuditStore(t), n: -1, err: fmt.Errorf("bad: %w", storage.ErrInvalid)}
	rec, err := audit.New(fs, audit.Config{Attempts: 3, Backoff: noBackoff, Logger: newLogger(&syncBuffer{})})
	require.NoError(t, err)
	assert.ErrorIs(t, rec.Record(context.Background(), audit.Action{OperationID: "op"}), storage.ErrInvalid)
	assert.Equal(t, int64(1), fs.calls.Load())
	assert.Equal(t, uint64(1), rec.Stats().Failed)
}

func TestConflictOnRetryMeansWritten(t *testing.T) {
	inner := newAuditStore(t)
	// The first call stores the record but reports a failure, as a timeout
	// after the commit would.
	ls := &lyingStore{AuditStore: inner}
	rec, err := audit.New(ls, audit.Config{Attempts: 2, Backoff: noBackoff})
	require.NoError(t, err)
	require.NoError(t, rec.Record(context.Background(), audit.Action{OperationID: "op"}))
	assert.Equal(t, audit.Stats{Written: 1, Retries: 1}, rec.Stats())
}

type lyingStore struct {
	storage.AuditStore
	lied bool
}

func (l *lyingStore) AppendAudit(ctx context.Context, r storage.AuditRecord) error {
	err := l.AuditStore.AppendAudit(ctx, r)
	if !l.lied {
		l.lied = true
		return errStoreDown
	}
	return err
}

func TestRecordConcurrentWithClose(t *testing.T) {
	rec, err := audit.New(newAuditStore(t), audit.Config{Buffer: 8})
	require.NoError(t, err)
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				_ = rec.Record(context.Background(), audit.Action{OperationID: "op", Company: "acme"})
			}
		}()
	}
	require.NoError(t, rec.Close())
	for range 8 {
		<-done
	}
	st := rec.Stats()
	assert.Equal(t, 0, st.Pending)
	assert.Zero(t, st.Failed)
}
