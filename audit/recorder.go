package audit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/observe"
	"github.com/gatehouse-go/gatehouse/storage"
)

// Config holds a Recorder's knobs. Its zero value writes through to the
// store, tries each write 3 times, and uses the real clock and slog.Default.
type Config struct {
	// Buffer is how many records may wait for the store. 0 means none: Record
	// writes through and returns the store's error. n > 0 starts one
	// background goroutine (stopped by Close) and makes Record return
	// ErrBufferFull, without waiting, while n records are waiting.
	Buffer int
	// Attempts is how many times a write is tried before the record is
	// counted in Stats.Failed and logged. 0 means 3.
	Attempts int
	// Backoff is the pause before try number attempt (1, 2, ...) after a
	// failed one. Nil means 20ms doubled per attempt.
	Backoff func(attempt int) time.Duration
	// WriteTimeout bounds each try. 0 means 5s.
	WriteTimeout time.Duration
	// Server is stamped on every record (tracedata "server").
	Server string
	// Now is the clock for actions without a Time; nil means time.Now.
	Now func() time.Time
	// NewTraceCode makes trace codes for actions without one; nil means
	// random UUIDs.
	NewTraceCode func() (string, error)
	// Logger receives one record per write that failed for good. Nil means
	// slog.Default().
	Logger *slog.Logger
	// Observer is told of every action lost (see observe.AuditLoss): refused
	// with ErrBufferFull or ErrClosed, or failed for good. Nil, the
	// default, means none. gatehouse.Config.Observer sets it.
	Observer observe.Observer
}

// Stats counts what a Recorder did with the actions it was given.
type Stats struct {
	// Written records are in the store.
	Written uint64
	// Rejected records were refused with ErrBufferFull.
	Rejected uint64
	// Failed records could not be written after every attempt (or were
	// refused by the store as invalid); each was logged.
	Failed uint64
	// Retries counts the extra attempts made.
	Retries uint64
	// Pending records wait in the buffer.
	Pending int
}

// Recorder writes actions to an audit store. It is safe for concurrent use.
// A buffered Recorder must be closed with Close, which writes what is still
// buffered.
type Recorder struct {
	store storage.AuditStore
	cfg   Config

	mu     sync.RWMutex // guards closed and sends on queue
	closed bool
	queue  chan queued
	done   chan struct{}

	written, rejected, failed, retries atomic.Uint64
}

type queued struct {
	ctx context.Context
	rec storage.AuditRecord
}

// New returns a Recorder writing to store. With cfg.Buffer > 0 it starts the
// goroutine that drains the buffer; Close stops it.
func New(store storage.AuditStore, cfg Config) (*Recorder, error) {
	if store == nil {
		return nil, errors.New("audit: nil store")
	}
	switch {
	case cfg.Buffer < 0:
		return nil, errors.New("audit: Buffer must not be negative")
	case cfg.Attempts < 0:
		return nil, errors.New("audit: Attempts must not be negative")
	case cfg.WriteTimeout < 0:
		return nil, errors.New("audit: WriteTimeout must not be negative")
	}
	if cfg.Attempts == 0 {
		cfg.Attempts = 3
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(attempt int) time.Duration { return 20 * time.Millisecond << (attempt - 1) }
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 5 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewTraceCode == nil {
		cfg.NewTraceCode = randid.UUID
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	r := &Recorder{store: store, cfg: cfg}
	if cfg.Buffer > 0 {
		r.queue = make(chan queued, cfg.Buffer)
		r.done = make(chan struct{})
		go r.drain()
	}
	return r, nil
}

// Record stores a. It fills in a missing TraceCode and Time, and refuses an
// invalid action (ErrInvalidAction). Unbuffered, it returns once the store
// has the record, or the store's error after every attempt failed.
// Buffered, it returns at once: nil once the record is queued, ErrBufferFull
// when the buffer is full (the record is counted as rejected, not stored).
// After Close it returns ErrClosed.
func (r *Recorder) Record(ctx context.Context, a Action) error {
	if err := a.validate(); err != nil {
		return err
	}
	if a.TraceCode == "" {
		code, err := r.cfg.NewTraceCode()
		if err != nil {
			return fmt.Errorf("audit: trace code: %w", err)
		}
		a.TraceCode = code
	}
	if a.Time.IsZero() {
		a.Time = r.cfg.Now()
	}
	rec := a.record(r.cfg.Server)
	if r.queue == nil {
		r.mu.RLock()
		closed := r.closed
		r.mu.RUnlock()
		if closed {
			r.lost(ctx, rec.OperationID, observe.AuditClosed)
			return ErrClosed
		}
		return r.write(ctx, rec)
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.lost(ctx, rec.OperationID, observe.AuditClosed)
		return ErrClosed
	}
	select {
	case r.queue <- queued{ctx: context.WithoutCancel(ctx), rec: rec}:
		return nil
	default:
		r.rejected.Add(1)
		r.lost(ctx, rec.OperationID, observe.AuditRejected)
		return ErrBufferFull
	}
}

// lost tells Config.Observer of an action lost.
func (r *Recorder) lost(ctx context.Context, operation string, why observe.AuditLossReason) {
	if r.cfg.Observer != nil {
		r.cfg.Observer.AuditLost(ctx, observe.AuditLoss{Operation: operation, Reason: why})
	}
}

// Stats returns the recorder's counters.
func (r *Recorder) Stats() Stats {
	return Stats{
		Written:  r.written.Load(),
		Rejected: r.rejected.Load(),
		Failed:   r.failed.Load(),
		Retries:  r.retries.Load(),
		Pending:  len(r.queue),
	}
}

// Close stops accepting actions, writes every buffered record (each with
// its attempts), stops the background goroutine and returns. Calling it
// again does nothing. It returns an error only when buffered records failed
// during the flush.
func (r *Recorder) Close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	failedBefore := r.failed.Load()
	if r.queue != nil {
		close(r.queue)
	}
	r.mu.Unlock()
	if r.done != nil {
		<-r.done
	}
	if n := r.failed.Load() - failedBefore; n > 0 {
		return fmt.Errorf("audit: close: %d records failed while flushing", n)
	}
	return nil
}

func (r *Recorder) drain() {
	defer close(r.done)
	for q := range r.queue {
		_ = r.write(q.ctx, q.rec)
	}
}

// write tries the store up to Attempts times. A conflict on a retry means an
// earlier try that reported failure did store the record.
func (r *Recorder) write(ctx context.Context, rec storage.AuditRecord) error {
	var err error
	for attempt := 1; attempt <= r.cfg.Attempts; attempt++ {
		if attempt > 1 {
			r.retries.Add(1)
			if d := r.cfg.Backoff(attempt - 1); d > 0 {
				t := time.NewTimer(d)
				select {
				case <-t.C:
				case <-ctx.Done():
					t.Stop()
				}
			}
			if ctx.Err() != nil {
				err = ctx.Err()
				break
			}
		}
		wctx, cancel := context.WithTimeout(ctx, r.cfg.WriteTimeout)
		err = r.store.AppendAudit(wctx, rec)
		cancel()
		if err == nil || (attempt > 1 && errors.Is(err, storage.ErrConflict)) {
			r.written.Add(1)
			return nil
		}
		if errors.Is(err, storage.ErrInvalid) || errors.Is(err, storage.ErrConflict) {
			break
		}
	}
	r.failed.Add(1)
	r.lost(ctx, rec.OperationID, observe.AuditFailed)
	r.cfg.Logger.LogAttrs(ctx, slog.LevelError, "audit: record not written",
		slog.String("trace", rec.TraceCode),
		slog.String("service", rec.Service),
		slog.String("operation", rec.OperationID),
		slog.String("username", rec.Username),
		slog.String("company", rec.Company),
		slog.String("err", err.Error()))
	return fmt.Errorf("audit: write %s: %w", rec.TraceCode, err)
}
