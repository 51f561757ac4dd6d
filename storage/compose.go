package storage

import (
	"context"
	"errors"
)

// Parts are the concerns that [Compose] takes from elsewhere than its base
// store. A nil field keeps the base store's concern.
type Parts struct {
	Users      UserStore
	Roles      RoleStore
	Parameters ParameterStore
	Sessions   SessionStore
	Audit      AuditStore
	Counters   CounterStore
	// Backends are the stores the parts come from (a Redis store, say).
	// The composed store's Ping pings each of them after the base store,
	// and its Close closes each of them after the base store.
	Backends []Backend
}

// Backend is a store that can be pinged and closed: every [Store], and the
// stores that keep only some concerns (such as redisstore's).
type Backend interface {
	// Ping reports whether the backend answers.
	Ping(ctx context.Context) error
	// Close releases the backend's resources.
	Close() error
}

// Compose returns a [Store] that keeps each concern in parts where parts
// sets it, and in base otherwise: users and roles in PostgreSQL with
// sessions and counters in Redis, for instance:
//
//	sql, _ := sqlstore.Open(ctx, dsn, sqlstore.Config{})
//	hot := redisstore.New(client, redisstore.Config{})
//	s := storage.Compose(sql, storage.Parts{
//		Sessions: hot.Sessions(), Counters: hot.Counters(),
//		Backends: []storage.Backend{hot},
//	})
//
// The composed store is as safe for concurrent use as its parts, and each
// call goes to exactly one of them: nothing spans two backends, so there is
// no transaction across them (none of the storage contracts needs one).
// Ping fails if base or any of parts.Backends fails; Close closes base,
// then every backend, and returns their errors joined.
func Compose(base Store, parts Parts) Store {
	c := &composed{base: base, backends: append([]Backend(nil), parts.Backends...)}
	c.users = pick(parts.Users, base.Users())
	c.roles = pick(parts.Roles, base.Roles())
	c.params = pick(parts.Parameters, base.Parameters())
	c.sessions = pick(parts.Sessions, base.Sessions())
	c.audit = pick(parts.Audit, base.Audit())
	c.counters = pick(parts.Counters, base.Counters())
	return c
}

// pick returns override unless it is nil.
func pick[T comparable](override, base T) T {
	var zero T
	if override != zero {
		return override
	}
	return base
}

// composed is the Store that Compose returns.
type composed struct {
	base     Store
	backends []Backend
	users    UserStore
	roles    RoleStore
	params   ParameterStore
	sessions SessionStore
	audit    AuditStore
	counters CounterStore
}

func (c *composed) Users() UserStore           { return c.users }
func (c *composed) Roles() RoleStore           { return c.roles }
func (c *composed) Parameters() ParameterStore { return c.params }
func (c *composed) Sessions() SessionStore     { return c.sessions }
func (c *composed) Audit() AuditStore          { return c.audit }
func (c *composed) Counters() CounterStore     { return c.counters }

func (c *composed) Ping(ctx context.Context) error {
	if err := c.base.Ping(ctx); err != nil {
		return err
	}
	for _, b := range c.backends {
		if err := b.Ping(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (c *composed) Close() error {
	errs := []error{c.base.Close()}
	for _, b := range c.backends {
		errs = append(errs, b.Close())
	}
	return errors.Join(errs...)
}
