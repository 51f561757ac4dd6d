package storage

import (
	"context"
	"errors"
	"fmt"
	"sync"
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
	APIKeys    APIKeyStore
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
//
// The composed store implements [AuthReader] and [UserAuthReader] over
// base's: when base keeps users, roles and parameters (parts sets none of
// them) and implements UserAuthReader, ReadUserAuth is base's, and
// ReadAuth is base's own when base keeps sessions too, or else one
// GetSession from parts.Sessions followed by base's ReadUserAuth — one
// round trip to each backend. Otherwise both return an error wrapping
// errors.ErrUnsupported, having read nothing, and callers make the plain
// calls.
//
// The composed store implements [ChangeFeed] by merging base's feed with
// the feed of every backend: it listens once all of them listen, and is
// lost when any of them is. Its WatchChanges returns an error wrapping
// errors.ErrUnsupported when base has no feed, when a backend has none,
// when parts sets sessions, users, roles or parameters but names no
// backend, or when it sets users, roles or parameters that are not
// themselves a ChangeFeed (a backend's feed may not cover them; sessions
// kept in a backend are covered by that backend's feed).
func Compose(base Store, parts Parts) Store {
	c := &composed{base: base, backends: append([]Backend(nil), parts.Backends...)}
	c.moved = parts.Users != nil || parts.Roles != nil || parts.Parameters != nil || parts.Sessions != nil
	for _, p := range []any{parts.Users, parts.Roles, parts.Parameters} {
		if p != nil {
			c.watched = append(c.watched, p)
		}
	}
	if parts.Users == nil && parts.Roles == nil && parts.Parameters == nil {
		c.userAuth, _ = base.(UserAuthReader)
		if ar, ok := base.(AuthReader); ok && parts.Sessions == nil {
			c.auth = ar
		}
	}
	c.users = pick(parts.Users, base.Users())
	c.roles = pick(parts.Roles, base.Roles())
	c.params = pick(parts.Parameters, base.Parameters())
	c.sessions = pick(parts.Sessions, base.Sessions())
	c.audit = pick(parts.Audit, base.Audit())
	c.counters = pick(parts.Counters, base.Counters())
	c.apiKeys = pick(parts.APIKeys, base.APIKeys())
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
	apiKeys  APIKeyStore

	// auth and userAuth are base's capabilities, when base keeps what
	// they read (see Compose); nil otherwise.
	auth     AuthReader
	userAuth UserAuthReader
	// moved is whether parts took a concern a change feed reports, and
	// watched the users, roles and parameters parts it took.
	moved   bool
	watched []any
}

// errAuthReadUnsupported is what the composed store's ReadAuth and
// ReadUserAuth return when base cannot serve them.
var errAuthReadUnsupported = fmt.Errorf("storage: composed store: read auth: %w", errors.ErrUnsupported)

// ReadAuth implements [AuthReader] as Compose describes.
func (c *composed) ReadAuth(ctx context.Context, idHash string) (AuthRead, error) {
	if c.auth != nil {
		return c.auth.ReadAuth(ctx, idHash)
	}
	if c.userAuth == nil {
		return AuthRead{}, errAuthReadUnsupported
	}
	s, err := c.sessions.GetSession(ctx, idHash)
	if err != nil {
		return AuthRead{}, err
	}
	u, err := c.userAuth.ReadUserAuth(ctx, s.UserID)
	if err != nil {
		return AuthRead{}, err
	}
	return AuthRead{Session: s, UserAuthRead: u}, nil
}

// ReadUserAuth implements [UserAuthReader] as Compose describes.
func (c *composed) ReadUserAuth(ctx context.Context, userID string) (UserAuthRead, error) {
	if c.userAuth == nil {
		return UserAuthRead{}, errAuthReadUnsupported
	}
	return c.userAuth.ReadUserAuth(ctx, userID)
}

func (c *composed) Users() UserStore           { return c.users }
func (c *composed) Roles() RoleStore           { return c.roles }
func (c *composed) Parameters() ParameterStore { return c.params }
func (c *composed) Sessions() SessionStore     { return c.sessions }
func (c *composed) Audit() AuditStore          { return c.audit }
func (c *composed) Counters() CounterStore     { return c.counters }
func (c *composed) APIKeys() APIKeyStore       { return c.apiKeys }

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

// WatchChanges implements [ChangeFeed] as Compose describes.
func (c *composed) WatchChanges(h ChangeHandler) (stop func(), err error) {
	feeds := []ChangeFeed{}
	for _, b := range append([]any{c.base}, anys(c.backends)...) {
		f, ok := b.(ChangeFeed)
		if !ok {
			return nil, fmt.Errorf("storage: composed store: watch changes: %T has no change feed: %w", b, errors.ErrUnsupported)
		}
		feeds = append(feeds, f)
	}
	if c.moved && len(c.backends) == 0 {
		return nil, fmt.Errorf("storage: composed store: watch changes: parts kept elsewhere, with no backend to watch: %w", errors.ErrUnsupported)
	}
	// Users, roles and parameters kept elsewhere are watched only when
	// the part itself is a feed: a backend's feed may not cover them.
	for _, p := range c.watched {
		f, ok := p.(ChangeFeed)
		if !ok {
			return nil, fmt.Errorf("storage: composed store: watch changes: %T is kept apart from base and has no change feed: %w", p, errors.ErrUnsupported)
		}
		feeds = append(feeds, f)
	}
	m := &mergedHandler{h: h, up: make([]bool, len(feeds))}
	var stops []func()
	stopAll := func() {
		for _, s := range stops {
			s()
		}
	}
	for i, f := range feeds {
		s, err := f.WatchChanges(partHandler{m, i})
		if err != nil {
			stopAll()
			return nil, fmt.Errorf("storage: composed store: watch changes: %w", err)
		}
		stops = append(stops, s)
	}
	return stopAll, nil
}

func anys[T any](s []T) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// mergedHandler turns the feeds of a composed store's parts into one:
// listening when all of them listen, lost when any of them is. It passes
// calls on to h one at a time.
type mergedHandler struct {
	mu        sync.Mutex
	h         ChangeHandler
	up        []bool
	listening bool
}

// partHandler is the handler given to part i's feed.
type partHandler struct {
	m *mergedHandler
	i int
}

func (p partHandler) Changed(c Change) {
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	p.m.h.Changed(c)
}

func (p partHandler) Subscribed() {
	m := p.m
	m.mu.Lock()
	defer m.mu.Unlock()
	m.up[p.i] = true
	for _, up := range m.up {
		if !up {
			return
		}
	}
	m.listening = true
	m.h.Subscribed()
}

func (p partHandler) Lost(err error) {
	m := p.m
	m.mu.Lock()
	defer m.mu.Unlock()
	m.up[p.i] = false
	if m.listening {
		m.listening = false
		m.h.Lost(err)
	}
}
