package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

// sessionStore keeps sessions by IDHash. A session whose ExpiresAt is at or
// before the store's clock is treated as absent (ErrNotFound, left out of
// lists) until DeleteExpiredSessions removes it.
type sessionStore struct {
	s        *Store
	mu       sync.RWMutex
	sessions map[string]storage.Session
}

// live returns the session if it is stored and not expired at now.
func (ss *sessionStore) live(idHash string, now time.Time) (storage.Session, bool) {
	x, ok := ss.sessions[idHash]
	if !ok || !x.ExpiresAt.After(now) {
		return storage.Session{}, false
	}
	return x, true
}

func (ss *sessionStore) CreateSession(ctx context.Context, x storage.Session) error {
	if err := ss.s.check(ctx); err != nil {
		return err
	}
	if x.IDHash == "" || x.UserID == "" {
		return fmt.Errorf("memstore: create session: empty id hash or user id: %w", storage.ErrInvalid)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	// An expired session still holds its key until it is deleted: a
	// collision of hashes is a bug worth reporting either way.
	if _, ok := ss.sessions[x.IDHash]; ok {
		return fmt.Errorf("memstore: create session: id hash in use: %w", storage.ErrConflict)
	}
	if ss.sessions == nil {
		ss.sessions = make(map[string]storage.Session)
	}
	ss.sessions[x.IDHash] = x
	return nil
}

func (ss *sessionStore) GetSession(ctx context.Context, idHash string) (storage.Session, error) {
	if err := ss.s.check(ctx); err != nil {
		return storage.Session{}, err
	}
	now := ss.s.clock()
	ss.mu.RLock()
	defer ss.mu.RUnlock()
	x, ok := ss.live(idHash, now)
	if !ok {
		return storage.Session{}, fmt.Errorf("memstore: session: %w", storage.ErrNotFound)
	}
	return x, nil
}

func (ss *sessionStore) TouchSession(ctx context.Context, idHash string, lastSeen time.Time) error {
	if err := ss.s.check(ctx); err != nil {
		return err
	}
	now := ss.s.clock()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	x, ok := ss.live(idHash, now)
	if !ok {
		return fmt.Errorf("memstore: touch session: %w", storage.ErrNotFound)
	}
	if lastSeen.After(x.LastSeenAt) {
		x.LastSeenAt = lastSeen
		ss.sessions[idHash] = x
	}
	return nil
}

func (ss *sessionStore) RevokeSession(ctx context.Context, idHash string) error {
	if err := ss.s.check(ctx); err != nil {
		return err
	}
	now := ss.s.clock()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	x, ok := ss.live(idHash, now)
	if !ok {
		return fmt.Errorf("memstore: revoke session: %w", storage.ErrNotFound)
	}
	x.Revoked = true
	ss.sessions[idHash] = x
	ss.s.feed.publish(storage.Change{Kind: storage.ChangeSession, Key: idHash})
	return nil
}

func (ss *sessionStore) ListSessions(ctx context.Context, userID string) ([]storage.Session, error) {
	if err := ss.s.check(ctx); err != nil {
		return nil, err
	}
	now := ss.s.clock()
	ss.mu.RLock()
	var out []storage.Session
	for _, x := range ss.sessions {
		if x.UserID == userID && x.ExpiresAt.After(now) {
			out = append(out, x)
		}
	}
	ss.mu.RUnlock()
	slices.SortFunc(out, func(a, b storage.Session) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.IDHash, b.IDHash))
	})
	return out, nil
}

func (ss *sessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	if err := ss.s.check(ctx); err != nil {
		return 0, err
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	n, clock := 0, ss.s.clock()
	for h, x := range ss.sessions {
		if !x.ExpiresAt.After(now) {
			delete(ss.sessions, h)
			n++
			if x.ExpiresAt.After(clock) && !x.Revoked {
				// Deleted while live by the store's clock.
				ss.s.feed.publish(storage.Change{Kind: storage.ChangeSession, Key: h})
			}
		}
	}
	return n, nil
}
