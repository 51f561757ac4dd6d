package cachestore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Config holds a [Store]'s knobs. The zero value is ready to use.
type Config struct {
	// MaxEntries bounds the sessions kept, and separately the users kept.
	// Each table is split into 32 parts of MaxEntries/32 entries (at least
	// one): when a part is full, keeping one more forgets one of it at
	// random, so a table holds at most max(MaxEntries, 32) and may forget
	// before it is full. Zero means 100,000; negative is refused.
	MaxEntries int
	// TTL is how long an entry is served from memory after it was read
	// from the store, whatever the feed says: the second line of defence
	// behind the feed. Zero means one minute; negative is refused.
	TTL time.Duration
	// Now is the cache's clock for TTL. Nil means time.Now.
	Now func() time.Time
	// Logger receives the feed's losses and recoveries. Nil discards.
	Logger *slog.Logger
}

// Defaults of [Config].
const (
	DefaultMaxEntries = 100_000
	DefaultTTL        = time.Minute
)

// ErrNoFeed is returned by [New] for a store that cannot tell other
// processes of its changes: caching its sessions could accept a session
// that another process logged out.
var ErrNoFeed = errors.New("cachestore: the store has no change feed (storage.ChangeFeed)")

// Store is a [storage.Store] that keeps sessions, users and versions in
// memory in front of another; see the package documentation. Make one
// with [New]. It is safe for concurrent use.
type Store struct {
	base storage.Store
	auth storage.AuthReader // base's, or nil
	cfg  Config
	stop func()
	done atomic.Bool

	gen      generation
	sessions *table[storage.Session]
	users    *table[user.User]
	versions versionsEntry

	usersW    userStore
	rolesW    roleStore
	paramsW   paramStore
	sessionsW sessionStore

	hits, misses, drops, losses atomic.Uint64
}

// versionsEntry is the store's versions as last read, with the time.
type versionsEntry struct {
	mu   sync.Mutex
	ok   bool
	v    storage.Versions
	read time.Time
}

var (
	_ storage.Store      = (*Store)(nil)
	_ storage.AuthReader = (*Store)(nil)
)

// New wraps base and starts watching its [storage.ChangeFeed]. Until the
// feed first listens every read goes to base. It returns [ErrNoFeed]
// (wrapped) when base does not implement storage.ChangeFeed or its
// WatchChanges says it cannot, and an error for a bad Config.
func New(base storage.Store, cfg Config) (*Store, error) {
	switch {
	case cfg.MaxEntries < 0:
		return nil, fmt.Errorf("cachestore: MaxEntries must not be negative, got %d", cfg.MaxEntries)
	case cfg.TTL < 0:
		return nil, fmt.Errorf("cachestore: TTL must not be negative, got %s", cfg.TTL)
	}
	if cfg.MaxEntries == 0 {
		cfg.MaxEntries = DefaultMaxEntries
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	feed, ok := base.(storage.ChangeFeed)
	if !ok {
		return nil, fmt.Errorf("%w: %T", ErrNoFeed, base)
	}
	s := &Store{
		base: base, cfg: cfg,
		sessions: newTable[storage.Session](cfg.MaxEntries),
		users:    newTable[user.User](cfg.MaxEntries),
	}
	s.auth, _ = base.(storage.AuthReader)
	s.usersW = userStore{UserStore: base.Users(), s: s}
	s.rolesW = roleStore{RoleStore: base.Roles(), s: s}
	s.paramsW = paramStore{ParameterStore: base.Parameters(), s: s}
	s.sessionsW = sessionStore{SessionStore: base.Sessions(), s: s}
	stop, err := feed.WatchChanges(handler{s})
	if err != nil {
		if errors.Is(err, errors.ErrUnsupported) {
			return nil, fmt.Errorf("%w: %w", ErrNoFeed, err)
		}
		return nil, fmt.Errorf("cachestore: watch changes: %w", err)
	}
	s.stop = stop
	return s, nil
}

// Users returns base's users; updates and deletes drop the user kept.
func (s *Store) Users() storage.UserStore { return &s.usersW }

// Roles returns base's roles; puts and deletes drop the versions kept.
func (s *Store) Roles() storage.RoleStore { return &s.rolesW }

// Parameters returns base's parameters; every change drops the versions
// kept.
func (s *Store) Parameters() storage.ParameterStore { return &s.paramsW }

// Sessions returns base's sessions; a revoke drops the session kept and
// a touch updates it.
func (s *Store) Sessions() storage.SessionStore { return &s.sessionsW }

// Audit returns base's audit store, unchanged.
func (s *Store) Audit() storage.AuditStore { return s.base.Audit() }

// Counters returns base's counters, unchanged.
func (s *Store) Counters() storage.CounterStore { return s.base.Counters() }

// APIKeys returns base's API keys, unchanged: API keys are read from
// the store on every request.
func (s *Store) APIKeys() storage.APIKeyStore { return s.base.APIKeys() }

// Ping pings base.
func (s *Store) Ping(ctx context.Context) error { return s.base.Ping(ctx) }

// Stop stops watching the feed and drops everything; later reads go to
// base. It does not close base. It is safe to call more than once.
func (s *Store) Stop() {
	if s.done.Swap(true) {
		return
	}
	// Nothing is served from memory from here on, not even while the
	// feed shuts down (which may take a second) and reports nothing.
	s.gen.up.Store(false)
	s.dropAll()
	s.stop()
	// A Subscribed that raced with the first lines may have turned it
	// back on: the feed is quiet now.
	s.gen.up.Store(false)
	s.dropAll()
}

// Close stops the feed, then closes base.
func (s *Store) Close() error {
	s.Stop()
	return s.base.Close()
}

// Base returns the store s wraps.
func (s *Store) Base() storage.Store { return s.base }

// Stats are counts since [New], for tests and metrics.
type Stats struct {
	// Hits are ReadAuth calls answered from memory; Misses went to the
	// store.
	Hits, Misses uint64
	// Drops are entries dropped one at a time (by a write here or a feed
	// message), and Losses the times the feed was lost.
	Drops, Losses uint64
	// Listening is whether the feed listens now.
	Listening bool
	// Sessions and Users are the entries kept now.
	Sessions, Users int
}

// Stats returns the cache's counts.
func (s *Store) Stats() Stats {
	return Stats{
		Hits: s.hits.Load(), Misses: s.misses.Load(),
		Drops: s.drops.Load(), Losses: s.losses.Load(),
		Listening: s.gen.up.Load(),
		Sessions:  s.sessions.len(), Users: s.users.len(),
	}
}

// ReadAuth implements [storage.AuthReader]: from memory when the session,
// its user and the versions are kept and fresh and the feed listens,
// otherwise from base (whose ReadAuth errors, ErrUnsupported included,
// are returned as they are), keeping what it read.
func (s *Store) ReadAuth(ctx context.Context, idHash string) (storage.AuthRead, error) {
	if a, ok := s.lookup(idHash); ok {
		s.hits.Add(1)
		return a, nil
	}
	s.misses.Add(1)
	if s.auth == nil {
		return storage.AuthRead{}, fmt.Errorf("cachestore: read auth: %T has no ReadAuth: %w", s.base, errors.ErrUnsupported)
	}
	// Taken before the read: an entry is never younger than the store's
	// state it holds.
	gen, now := s.gen.n.Load(), s.cfg.Now()
	a, err := s.auth.ReadAuth(ctx, idHash)
	if err != nil {
		return a, err
	}
	if a.UserFound && a.User.ID == a.Session.UserID && !a.Session.Revoked && !s.done.Load() {
		s.sessions.put(&s.gen, gen, idHash, a.Session, now)
		s.users.put(&s.gen, gen, a.User.ID, a.User.Clone(), now)
		s.putVersions(gen, a.Versions, now)
	}
	return a, nil
}

// lookup answers ReadAuth from memory, if it can.
func (s *Store) lookup(idHash string) (storage.AuthRead, bool) {
	if !s.gen.up.Load() {
		return storage.AuthRead{}, false
	}
	now := s.cfg.Now()
	notBefore := now.Add(-s.cfg.TTL)
	x, ok := s.sessions.get(idHash, notBefore, now)
	if !ok {
		return storage.AuthRead{}, false
	}
	u, ok := s.users.get(x.UserID, notBefore, now)
	if !ok {
		return storage.AuthRead{}, false
	}
	v, ok := s.getVersions(notBefore, now)
	if !ok {
		return storage.AuthRead{}, false
	}
	return storage.AuthRead{Session: x, UserAuthRead: storage.UserAuthRead{
		User: u.Clone(), UserFound: true, Versions: v,
	}}, true
}

func (s *Store) getVersions(notBefore, now time.Time) (storage.Versions, bool) {
	e := &s.versions
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.ok || !e.read.After(notBefore) || e.read.After(now) {
		return storage.Versions{}, false
	}
	return e.v, true
}

// putVersions keeps v as table.put keeps a value.
func (s *Store) putVersions(gen uint64, v storage.Versions, read time.Time) {
	e := &s.versions
	e.mu.Lock()
	defer e.mu.Unlock()
	if s.gen.n.Load() != gen || !s.gen.up.Load() {
		return
	}
	if e.ok {
		// Two reads straddling a change, before its message: the
		// versions of a store never move back. (The stamp is the new
		// read's, so that an entry aged out by TTL comes back.)
		v.Policy, v.Parameters = max(v.Policy, e.v.Policy), max(v.Parameters, e.v.Parameters)
	}
	e.ok, e.v, e.read = true, v, read
}

func (s *Store) dropVersions() {
	e := &s.versions
	e.mu.Lock()
	e.ok = false
	s.gen.n.Add(1)
	e.mu.Unlock()
	s.drops.Add(1)
}

func (s *Store) dropSession(idHash string) {
	s.sessions.drop(&s.gen, idHash)
	s.drops.Add(1)
}

func (s *Store) dropUser(id string) {
	s.users.drop(&s.gen, id)
	s.drops.Add(1)
}

// dropAll forgets everything and moves the generation.
func (s *Store) dropAll() {
	s.gen.n.Add(1)
	s.sessions.clear()
	s.users.clear()
	e := &s.versions
	e.mu.Lock()
	e.ok = false
	e.mu.Unlock()
}

// handler receives base's feed.
type handler struct{ s *Store }

func (h handler) Changed(c storage.Change) {
	switch c.Kind {
	case storage.ChangeSession:
		h.s.dropSession(c.Key)
	case storage.ChangeUser:
		h.s.dropUser(c.Key)
	case storage.ChangePolicy, storage.ChangeParameters:
		h.s.dropVersions()
	default:
		// ChangeAll, or a change this version does not know: drop
		// everything rather than keep what it may have changed.
		h.s.dropAll()
		h.s.drops.Add(1)
	}
}

func (h handler) Subscribed() {
	h.s.gen.up.Store(false)
	h.s.dropAll()
	if h.s.done.Load() {
		return
	}
	h.s.gen.up.Store(true)
	h.s.cfg.Logger.Info("cachestore: change feed listening; cache on")
}

func (h handler) Lost(err error) {
	h.s.gen.up.Store(false)
	h.s.dropAll()
	h.s.losses.Add(1)
	h.s.cfg.Logger.Warn("cachestore: change feed lost; reading through to the store until it listens again", "err", err)
}

// userStore is base's UserStore; a write drops the user kept.
type userStore struct {
	storage.UserStore
	s *Store
}

func (us *userStore) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	out, err := us.UserStore.UpdateUser(ctx, u)
	us.s.dropUser(u.ID)
	return out, err
}

func (us *userStore) DeleteUser(ctx context.Context, id string) error {
	err := us.UserStore.DeleteUser(ctx, id)
	us.s.dropUser(id)
	return err
}

// roleStore is base's RoleStore; a write drops the versions kept.
type roleStore struct {
	storage.RoleStore
	s *Store
}

func (rs *roleStore) PutRole(ctx context.Context, r permissions.Role) error {
	err := rs.RoleStore.PutRole(ctx, r)
	rs.s.dropVersions()
	return err
}

func (rs *roleStore) DeleteRole(ctx context.Context, code string) error {
	err := rs.RoleStore.DeleteRole(ctx, code)
	rs.s.dropVersions()
	return err
}

// paramStore is base's ParameterStore; a write drops the versions kept.
type paramStore struct {
	storage.ParameterStore
	s *Store
}

func (ps *paramStore) PutParameter(ctx context.Context, p storage.Parameter) error {
	err := ps.ParameterStore.PutParameter(ctx, p)
	ps.s.dropVersions()
	return err
}

func (ps *paramStore) DeleteParameter(ctx context.Context, code string) error {
	err := ps.ParameterStore.DeleteParameter(ctx, code)
	ps.s.dropVersions()
	return err
}

func (ps *paramStore) PutSchema(ctx context.Context, sc storage.Schema) error {
	err := ps.ParameterStore.PutSchema(ctx, sc)
	ps.s.dropVersions()
	return err
}

// sessionStore is base's SessionStore; a revoke drops the session kept, a
// touch moves its LastSeenAt.
type sessionStore struct {
	storage.SessionStore
	s *Store
}

func (ss *sessionStore) RevokeSession(ctx context.Context, idHash string) error {
	err := ss.SessionStore.RevokeSession(ctx, idHash)
	ss.s.dropSession(idHash)
	return err
}

func (ss *sessionStore) TouchSession(ctx context.Context, idHash string, lastSeen time.Time) error {
	err := ss.SessionStore.TouchSession(ctx, idHash, lastSeen)
	if err != nil {
		ss.s.dropSession(idHash)
		return err
	}
	ss.s.sessions.update(idHash, func(x *storage.Session) {
		if lastSeen.After(x.LastSeenAt) {
			x.LastSeenAt = lastSeen
		}
	})
	return nil
}

func (ss *sessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	n, err := ss.SessionStore.DeleteExpiredSessions(ctx, now)
	ss.s.sessions.dropIf(&ss.s.gen, func(x storage.Session) bool { return !x.ExpiresAt.After(now) })
	return n, err
}
