package memstore

import (
	"context"
	"errors"

	"github.com/gatehouse-go/gatehouse/storage"
)

var (
	_ storage.AuthReader     = (*Store)(nil)
	_ storage.UserAuthReader = (*Store)(nil)
)

// ReadAuth implements [storage.AuthReader]: the session, its user and the
// versions, each read as its own call reads it.
func (s *Store) ReadAuth(ctx context.Context, idHash string) (storage.AuthRead, error) {
	x, err := s.sessions.GetSession(ctx, idHash)
	if err != nil {
		return storage.AuthRead{}, err
	}
	u, err := s.ReadUserAuth(ctx, x.UserID)
	if err != nil {
		return storage.AuthRead{}, err
	}
	return storage.AuthRead{Session: x, UserAuthRead: u}, nil
}

// ReadUserAuth implements [storage.UserAuthReader].
func (s *Store) ReadUserAuth(ctx context.Context, userID string) (storage.UserAuthRead, error) {
	u, err := s.users.GetUser(ctx, userID)
	if errors.Is(err, storage.ErrNotFound) {
		return storage.UserAuthRead{}, nil
	}
	if err != nil {
		return storage.UserAuthRead{}, err
	}
	var v storage.Versions
	s.roles.mu.RLock()
	v.Policy = s.roles.version
	s.roles.mu.RUnlock()
	s.params.mu.RLock()
	v.Parameters = s.params.version
	s.params.mu.RUnlock()
	return storage.UserAuthRead{User: u, UserFound: true, Versions: v}, nil
}
