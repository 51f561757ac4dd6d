package storage

import (
	"context"

	"github.com/gatehouse-go/gatehouse/user"
)

// AuthReader is an optional capability of a [Store]: reading what
// authenticating a session needs — the session, its user and the store's
// [Versions] — together, in one round trip to the backend, where the plain
// calls take three (SessionStore.GetSession, UserStore.GetUser,
// RoleStore.PolicyVersion). session.Manager finds it by type assertion
// and falls back to the plain calls when a store does not implement it,
// or when ReadAuth says it cannot serve this store (an error wrapping
// errors.ErrUnsupported), so a store that lacks it loses nothing but
// round trips.
//
// A wrapper that embeds a store and replaces some of its concerns (to
// observe or change their calls) must not let the embedded store's
// ReadAuth be promoted past them: it implements ReadAuth over its own
// concerns, or returns errors.ErrUnsupported from it.
//
// ReadAuth must agree with the plain calls made at the same moment:
// storagetest.Run checks every store that implements it against them (a
// live, revoked, expired and missing session; a missing and a blocked
// user; the versions after role and parameter changes).
type AuthReader interface {
	// ReadAuth returns the session with this IDHash exactly as GetSession
	// would (revoked sessions as they are; ErrNotFound for a missing one,
	// and then nothing else is read; a store may return ErrNotFound for a
	// session whose ExpiresAt has passed), its user exactly as GetUser
	// would (UserFound false, not an error, when the session's user does
	// not exist) and the store's versions as they are at the time of the
	// read. It never decides whether the session is live: the caller
	// applies the live-session rule to what it returns.
	//
	// A store that cannot serve the call as one read (a composed store
	// whose concerns live in backends that cannot be read together)
	// returns an error wrapping errors.ErrUnsupported before reading
	// anything; the caller then makes the plain calls. Any other error is
	// a failure, which callers treat as a denial.
	ReadAuth(ctx context.Context, idHash string) (AuthRead, error)
}

// UserAuthReader is an optional capability of a [Store]: reading a user
// and the store's [Versions] in one round trip. [Compose] uses it when
// sessions are kept in another backend than users and roles: one round
// trip to the sessions' backend, then one to the users'.
//
// storagetest.Run checks every store that implements it against the plain
// calls.
type UserAuthReader interface {
	// ReadUserAuth returns the user with this ID exactly as GetUser would
	// (UserFound false, not an error, when it does not exist; Versions are
	// then unspecified) and the store's versions as they are at the time
	// of the read. Errors are as for [AuthReader.ReadAuth], ErrUnsupported
	// included.
	ReadUserAuth(ctx context.Context, userID string) (UserAuthRead, error)
}

// AuthRead is what [AuthReader.ReadAuth] returns.
type AuthRead struct {
	Session Session
	UserAuthRead
}

// UserAuthRead is what [UserAuthReader.ReadUserAuth] returns: the user,
// whether it exists, and the versions. Its zero value is a missing user,
// so that a caller that forgets to look denies.
type UserAuthRead struct {
	User user.User
	// UserFound is false when the user does not exist; User is then zero.
	UserFound bool
	Versions  Versions
}

// Versions are the store's versions of what changes rarely, which a caller
// may cache in process and read again only when a version moves: every
// process sharing the store sees the same versions, and a version never
// returns to an earlier value for as long as the store keeps its data.
type Versions struct {
	// Policy is RoleStore.PolicyVersion: it changes with every
	// successful PutRole and DeleteRole.
	Policy int64
	// Parameters changes with every successful PutParameter,
	// DeleteParameter and PutSchema, committed no later than the change
	// itself: a read of the version that sees the change's effect on it
	// is followed by reads of the parameters and schema that see the
	// change.
	Parameters int64
}
