package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-go/gatehouse/storage"
)

// feedChannel is the channel the triggers of migration 0007 notify.
const feedChannel = "gatehouse_changes"

// FeedApplicationName is the application_name of the change feed's
// connection, as pg_stat_activity shows it.
const FeedApplicationName = "gatehouse change feed"

// The feed's health check: after a quiet FeedPingInterval the listening
// connection is pinged, and a ping unanswered after FeedPingTimeout loses
// the feed. A reconnection waits from feedRetryMin, doubling to
// feedRetryMax.
const (
	FeedPingInterval = time.Second
	FeedPingTimeout  = time.Second
	feedRetryMin     = 50 * time.Millisecond
	feedRetryMax     = 2 * time.Second
)

var _ storage.ChangeFeed = (*Store)(nil)

// WatchChanges implements [storage.ChangeFeed] on PostgreSQL: one
// connection of its own, outside the pool, LISTENs to the notifications
// that the schema's triggers send inside every writing transaction
// (revoked or deleted sessions, changed users, roles, parameters and
// schema), whichever process or binary wrote. A connection error, or a
// ping unanswered for [FeedPingTimeout] after a quiet [FeedPingInterval],
// reports Lost; the feed reconnects with backoff and reports Subscribed
// when it listens again. On SQLite it returns errors.ErrUnsupported:
// SQLite has no notifications between processes.
func (s *Store) WatchChanges(h storage.ChangeHandler) (stop func(), err error) {
	if s.dsn == "" {
		return nil, fmt.Errorf("sqlstore: watch changes: %s has no notifications between processes: %w", s.d.name, errors.ErrUnsupported)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.watch(ctx, h)
	}()
	return func() { cancel(); <-done }, nil
}

// watch listens until ctx ends, reconnecting after every failure.
func (s *Store) watch(ctx context.Context, h storage.ChangeHandler) {
	listening := false
	wait := feedRetryMin
	for {
		err := s.listen(ctx, h, &listening)
		if ctx.Err() != nil {
			return
		}
		if listening || wait == feedRetryMin {
			// Lost once per outage (and once when the first connection
			// fails), not on every failed retry.
			s.log.Warn("sqlstore: change feed lost", "err", err)
			h.Lost(err)
		}
		if listening {
			listening, wait = false, feedRetryMin
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, feedRetryMax)
	}
}

// listen opens a connection, LISTENs and delivers notifications until the
// connection fails (its error returned) or ctx ends.
func (s *Store) listen(ctx context.Context, h storage.ChangeHandler, listening *bool) error {
	cfg, err := pgx.ParseConfig(s.dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	// Named, so that an operator sees which connections are feeds.
	cfg.RuntimeParams["application_name"] = FeedApplicationName
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+feedChannel); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	*listening = true
	h.Subscribed()
	for {
		wctx, cancel := context.WithTimeout(ctx, FeedPingInterval)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			c, ok := storage.DecodeChange(n.Payload)
			if !ok {
				// A payload this version does not know: Kind 0 makes
				// the handler drop everything.
				c = storage.Change{}
			}
			h.Changed(c)
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case !errors.Is(err, context.DeadlineExceeded) || conn.IsClosed():
			return fmt.Errorf("wait: %w", err)
		}
		// Quiet for an interval: is the connection still there?
		pctx, cancel := context.WithTimeout(ctx, FeedPingTimeout)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return fmt.Errorf("ping: %w", err)
		}
	}
}
