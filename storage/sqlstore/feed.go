package sqlstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gatehouse-go/gatehouse/internal/feedloop"
	"github.com/gatehouse-go/gatehouse/storage"
)

// FeedApplicationName starts the application_name of the change feed's
// connection, as pg_stat_activity shows it; the feed's channel follows.
const FeedApplicationName = "gatehouse feed "

// The feed's health check: after a quiet FeedPingInterval the feed sends
// itself a heartbeat from the store's pool (pg_notify on its channel), and
// a heartbeat that has not come back after FeedPingTimeout loses the feed.
// A reconnection backs off from 50 ms to 2 s (package feedloop).
const (
	FeedPingInterval = time.Second
	FeedPingTimeout  = time.Second
)

// heartbeatPrefix starts the payload of a feed's heartbeat; every feed
// ignores the others'.
const heartbeatPrefix = "h:"

var _ storage.ChangeFeed = (*Store)(nil)

// WatchChanges implements [storage.ChangeFeed] on PostgreSQL: one
// connection of its own, outside the pool, LISTENs to the notifications
// that the schema's triggers send inside every writing transaction
// (revoked, deleted or altered sessions, changed users, roles, parameters,
// schema and versions, truncated tables), whichever process, binary or
// person wrote. The channel is named after the tables' schema. The feed
// reports Subscribed only once a heartbeat it sent itself from another
// session (a connection of the store's pool) has come back, and again
// after every quiet
// [FeedPingInterval] it sends one: a heartbeat not back within
// [FeedPingTimeout], or any connection error, reports Lost. A connection
// that answers but does not deliver (a pooler in transaction mode, say)
// therefore never listens, and the cache reads through. PostgreSQL
// delivers notifications in commit order, so a heartbeat back means every
// change committed before it was sent has been reported. The feed
// reconnects with backoff. On SQLite it returns errors.ErrUnsupported:
// SQLite has no notifications between processes.
func (s *Store) WatchChanges(h storage.ChangeHandler) (stop func(), err error) {
	if s.dsn == "" {
		return nil, fmt.Errorf("sqlstore: watch changes: %s has no notifications between processes: %w", s.d.name, errors.ErrUnsupported)
	}
	return feedloop.Start(h, s.listen, func(err error) {
		s.log.Warn("sqlstore: change feed lost", "err", err)
	}), nil
}

// listen opens a connection, LISTENs, proves delivery with a heartbeat,
// and delivers notifications until the connection fails or a heartbeat
// is late (its error returned) or ctx ends.
func (s *Store) listen(ctx context.Context, h storage.ChangeHandler, subscribed func()) error {
	cfg, err := pgx.ParseConfig(s.dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
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
	var channel string
	if err := conn.QueryRow(ctx, `SELECT 'gh_changes_' || left(md5(n.nspname), 16) FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = 'gh_sessions'::regclass`).Scan(&channel); err != nil {
		return fmt.Errorf("find the channel: %w", err)
	}
	// Named, so that an operator sees which connections are feeds.
	if _, err := conn.Exec(ctx, "SELECT set_config('application_name', $1, false)", FeedApplicationName+channel); err != nil {
		return fmt.Errorf("name the connection: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	var (
		beat      string    // the heartbeat awaited; empty: none
		sent      time.Time // when it was sent
		lastHeard = time.Now()
		seq       int
	)
	nonce := rand.Text()
	sendBeat := func() error {
		seq++
		beat = fmt.Sprintf("%s%s.%d", heartbeatPrefix, nonce, seq)
		sent = time.Now()
		// Sent from another session (the pool), so that its coming back
		// proves that other sessions' notifications reach this one.
		bctx, cancel := context.WithTimeout(ctx, FeedPingTimeout)
		defer cancel()
		if _, err := s.db.ExecContext(bctx, "SELECT pg_notify($1, $2)", channel, beat); err != nil {
			return fmt.Errorf("heartbeat: %w", err)
		}
		return nil
	}
	if err := sendBeat(); err != nil {
		return err
	}
	for {
		wait := FeedPingInterval - time.Since(lastHeard)
		if beat != "" {
			wait = FeedPingTimeout - time.Since(sent)
		}
		wctx, cancel := context.WithTimeout(ctx, max(wait, time.Millisecond))
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			lastHeard = time.Now()
			if strings.HasPrefix(n.Payload, heartbeatPrefix) {
				if n.Payload == beat {
					beat = ""
					subscribed()
				}
				continue // another process's heartbeat
			}
			c, ok := storage.DecodeChange(n.Payload)
			if !ok {
				c = storage.Change{Kind: storage.ChangeAll}
			}
			h.Changed(c)
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case !errors.Is(err, context.DeadlineExceeded) || conn.IsClosed():
			return fmt.Errorf("wait: %w", err)
		}
		switch {
		case beat != "" && time.Since(sent) >= FeedPingTimeout:
			return fmt.Errorf("heartbeat not back after %s", FeedPingTimeout)
		case beat == "" && time.Since(lastHeard) >= FeedPingInterval:
			if err := sendBeat(); err != nil {
				return err
			}
		}
	}
}
