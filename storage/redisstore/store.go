package redisstore

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gatehouse-go/gatehouse/storage"
)

// DefaultPrefix is the key prefix used when [Config.Prefix] is empty.
const DefaultPrefix = "gatehouse:"

// Config holds a [Store]'s knobs. The zero value is ready to use.
type Config struct {
	// Prefix starts every key the store writes; empty means
	// [DefaultPrefix]. Give each deployment sharing a Redis database its
	// own prefix.
	Prefix string
	// Now is the store's clock: it decides when sessions, counters and
	// slots have expired. Nil means time.Now.
	Now func() time.Time
}

// Store keeps sessions, counters and slots in Redis. It implements
// [storage.SessionStore] (through Sessions) and [storage.CounterStore]
// (through Counters), and [storage.Backend]; make one with [New]. It is
// safe for concurrent use.
type Store struct {
	c        redis.UniversalClient
	prefix   string
	now      func() time.Time
	sessions sessionStore
	counters counterStore
}

var _ storage.Backend = (*Store)(nil)

// New returns a store over client, which it owns from now on: [Store.Close]
// closes it.
func New(client redis.UniversalClient, cfg Config) *Store {
	s := &Store{c: client, prefix: cfg.Prefix, now: cfg.Now}
	if s.prefix == "" {
		s.prefix = DefaultPrefix
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.sessions.s, s.counters.s = s, s
	return s
}

// Sessions returns the store's [storage.SessionStore].
func (s *Store) Sessions() storage.SessionStore { return &s.sessions }

// Counters returns the store's [storage.CounterStore].
func (s *Store) Counters() storage.CounterStore { return &s.counters }

// Ping reports whether Redis answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := checkCtx(ctx, "ping"); err != nil {
		return err
	}
	if err := s.c.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redisstore: ping: %w", err)
	}
	return nil
}

// Close closes the Redis client. Calls after Close fail.
func (s *Store) Close() error {
	if err := s.c.Close(); err != nil && err != redis.ErrClosed {
		return fmt.Errorf("redisstore: close: %w", err)
	}
	return nil
}

// key returns the key of an item in a key space (one letter).
func (s *Store) key(space, item string) string { return s.prefix + space + ":" + item }

// clock returns the store's current time in microseconds since the epoch.
func (s *Store) clock() int64 { return s.now().UnixMicro() }

// expireMS converts an expiry in microseconds to PEXPIREAT's milliseconds,
// rounding up so that Redis never drops a key before its time.
func expireMS(us int64) int64 {
	ms := us / 1000
	if us%1000 > 0 {
		ms++
	}
	return ms
}

// checkCtx returns ctx's error, wrapped for op, if ctx has ended: every
// method calls it first, so that an ended context changes nothing.
func checkCtx(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("redisstore: %s: %w", op, err)
	}
	return nil
}
