package memstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// Config holds a [Store]'s knobs. The zero value is ready to use.
type Config struct {
	// Now is the store's clock: it stamps users' CreatedAt and UpdatedAt
	// and decides when counters, slots and sessions expire. Nil means
	// time.Now.
	Now func() time.Time
}

// Store is an in-memory [storage.Store]. Make one with [New]; it is safe for
// concurrent use. Each concern has its own lock, so users, sessions and
// counters do not wait for each other.
type Store struct {
	now    func() time.Time
	closed atomic.Bool

	users    userStore
	roles    roleStore
	params   paramStore
	sessions sessionStore
	audit    auditStore
	counters counterStore
	apiKeys  apiKeyStore

	feed feed
}

var _ storage.Store = (*Store)(nil)

// New returns an empty store.
func New(cfg Config) *Store {
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	s := &Store{now: now}
	s.users.s = s
	s.roles.s = s
	s.params.s = s
	s.sessions.s = s
	s.audit.s = s
	s.counters.s = s
	s.apiKeys.s = s
	return s
}

// Users returns the store's [storage.UserStore].
func (s *Store) Users() storage.UserStore { return &s.users }

// Roles returns the store's [storage.RoleStore].
func (s *Store) Roles() storage.RoleStore { return &s.roles }

// Parameters returns the store's [storage.ParameterStore].
func (s *Store) Parameters() storage.ParameterStore { return &s.params }

// Sessions returns the store's [storage.SessionStore].
func (s *Store) Sessions() storage.SessionStore { return &s.sessions }

// Audit returns the store's [storage.AuditStore].
func (s *Store) Audit() storage.AuditStore { return &s.audit }

// Counters returns the store's [storage.CounterStore].
func (s *Store) Counters() storage.CounterStore { return &s.counters }

// APIKeys returns the store's [storage.APIKeyStore].
func (s *Store) APIKeys() storage.APIKeyStore { return &s.apiKeys }

// Ping reports nil while the store is open, [ErrClosed] after [Store.Close],
// and the context's error when ctx has ended.
func (s *Store) Ping(ctx context.Context) error { return s.check(ctx) }

// Close marks the store closed: every later call returns [ErrClosed]. The
// data is dropped with the store. Closing twice is not an error.
func (s *Store) Close() error {
	s.closed.Store(true)
	return nil
}

// check is the first thing every method does: an ended context or a closed
// store stops the call before it touches any state.
func (s *Store) check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %w", err)
	}
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// clock returns the store's current time without a monotonic reading, so
// stored times compare with == as well as Equal.
func (s *Store) clock() time.Time { return s.now().Round(0) }
