package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// userStore keeps users by ID, with an index by folded Username, so that
// usernames equal up to case are one key (storage.FoldUsername).
type userStore struct {
	s          *Store
	mu         sync.RWMutex
	byID       map[string]user.User
	byUsername map[string]string // storage.FoldUsername(username) → ID
}

func (us *userStore) CreateUser(ctx context.Context, u user.User) (user.User, error) {
	if err := us.s.check(ctx); err != nil {
		return user.User{}, err
	}
	if u.ID == "" || u.Username == "" {
		return user.User{}, fmt.Errorf("memstore: create user: empty id or username: %w", storage.ErrInvalid)
	}
	us.mu.Lock()
	defer us.mu.Unlock()
	if _, ok := us.byID[u.ID]; ok {
		return user.User{}, fmt.Errorf("memstore: create user %q: id in use: %w", u.ID, storage.ErrConflict)
	}
	if id, ok := us.byUsername[storage.FoldUsername(u.Username)]; ok {
		return user.User{}, fmt.Errorf("memstore: create user %q: username %q in use (as %q): %w", u.ID, u.Username, us.byID[id].Username, storage.ErrConflict)
	}
	u = u.Clone()
	now := us.s.clock()
	u.Version, u.CreatedAt, u.UpdatedAt = 1, now, now
	if us.byID == nil {
		us.byID = make(map[string]user.User)
		us.byUsername = make(map[string]string)
	}
	us.byID[u.ID] = u
	us.byUsername[storage.FoldUsername(u.Username)] = u.ID
	return u.Clone(), nil
}

func (us *userStore) GetUser(ctx context.Context, id string) (user.User, error) {
	if err := us.s.check(ctx); err != nil {
		return user.User{}, err
	}
	us.mu.RLock()
	defer us.mu.RUnlock()
	u, ok := us.byID[id]
	if !ok {
		return user.User{}, fmt.Errorf("memstore: user %q: %w", id, storage.ErrNotFound)
	}
	return u.Clone(), nil
}

func (us *userStore) GetUserByUsername(ctx context.Context, username string) (user.User, error) {
	if err := us.s.check(ctx); err != nil {
		return user.User{}, err
	}
	us.mu.RLock()
	defer us.mu.RUnlock()
	id, ok := us.byUsername[storage.FoldUsername(username)]
	if !ok {
		return user.User{}, fmt.Errorf("memstore: username %q: %w", username, storage.ErrNotFound)
	}
	return us.byID[id].Clone(), nil
}

func (us *userStore) UpdateUser(ctx context.Context, u user.User) (user.User, error) {
	if err := us.s.check(ctx); err != nil {
		return user.User{}, err
	}
	if u.ID == "" || u.Username == "" {
		return user.User{}, fmt.Errorf("memstore: update user: empty id or username: %w", storage.ErrInvalid)
	}
	us.mu.Lock()
	defer us.mu.Unlock()
	old, ok := us.byID[u.ID]
	if !ok {
		return user.User{}, fmt.Errorf("memstore: update user %q: %w", u.ID, storage.ErrNotFound)
	}
	if u.Version != old.Version {
		return user.User{}, fmt.Errorf("memstore: update user %q: version %d, stored %d: %w", u.ID, u.Version, old.Version, storage.ErrConflict)
	}
	if id, taken := us.byUsername[storage.FoldUsername(u.Username)]; taken && id != u.ID {
		return user.User{}, fmt.Errorf("memstore: update user %q: username %q in use (as %q): %w", u.ID, u.Username, us.byID[id].Username, storage.ErrConflict)
	}
	u = u.Clone()
	u.Version = old.Version + 1
	u.CreatedAt = old.CreatedAt
	u.UpdatedAt = us.s.clock()
	delete(us.byUsername, storage.FoldUsername(old.Username))
	us.byUsername[storage.FoldUsername(u.Username)] = u.ID
	us.byID[u.ID] = u
	us.s.feed.publish(storage.Change{Kind: storage.ChangeUser, Key: u.ID})
	return u.Clone(), nil
}

func (us *userStore) DeleteUser(ctx context.Context, id string) error {
	if err := us.s.check(ctx); err != nil {
		return err
	}
	us.mu.Lock()
	defer us.mu.Unlock()
	u, ok := us.byID[id]
	if !ok {
		return fmt.Errorf("memstore: delete user %q: %w", id, storage.ErrNotFound)
	}
	delete(us.byID, id)
	delete(us.byUsername, storage.FoldUsername(u.Username))
	us.s.feed.publish(storage.Change{Kind: storage.ChangeUser, Key: id})
	return nil
}

func (us *userStore) ListUsers(ctx context.Context, q storage.UserQuery) ([]user.User, error) {
	if err := us.s.check(ctx); err != nil {
		return nil, err
	}
	if q.Limit < 1 || q.Offset < 0 {
		return nil, fmt.Errorf("memstore: list users: offset %d, limit %d: %w", q.Offset, q.Limit, storage.ErrInvalid)
	}
	us.mu.RLock()
	var matched []user.User
	for _, u := range us.byID {
		if q.Company == "" || u.Company == q.Company {
			matched = append(matched, u.Clone())
		}
	}
	us.mu.RUnlock()
	slices.SortFunc(matched, func(a, b user.User) int { return cmp.Compare(a.Username, b.Username) })
	out := page(matched, q.Offset, q.Limit)
	return out, nil
}

// page returns s[offset:offset+limit], clipped to s.
func page[T any](s []T, offset, limit int) []T {
	if offset >= len(s) {
		return nil
	}
	s = s[offset:]
	if limit < len(s) {
		s = s[:limit]
	}
	return s
}
