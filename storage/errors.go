package storage

import "errors"

// Sentinel errors every store returns, wrapped or as they are; test with
// errors.Is. Any other error is a failure (the store is down, the context
// ended, ...) and callers treat it as a denial, never as "allowed" or "not
// revoked".
var (
	// ErrNotFound: the record asked for does not exist (or has expired).
	ErrNotFound = errors.New("storage: not found")
	// ErrConflict: a create collided with an existing key (a user id or
	// username, a session id), or an update carried a stale version.
	ErrConflict = errors.New("storage: conflict")
	// ErrInvalid: the call's arguments are unusable (an empty id, a
	// non-positive limit, ...). It points at a bug in the caller.
	ErrInvalid = errors.New("storage: invalid argument")
)
