// Package storage defines the interfaces gatehouse keeps its state behind,
// one per concern — users, roles, parameters and schema, sessions, audit
// records, counters — and the errors every store shares.
//
// Applications do not call stores: they give one to gatehouse.New and call
// the managers (session.Manager, permissions.Set, ...). This package is for
// those who implement a store.
//
// # Implementing a store
//
// Implement [Store] and each concern's interface. The contract of every
// method is on the method; the rules that hold for all of them are:
//
//   - every method is safe for concurrent use and honours its context;
//   - values cross the interface by copy: mutating a value passed to or
//     returned by a store never changes the store's state;
//   - "not found" is [ErrNotFound], a duplicate key or stale version is
//     [ErrConflict], unusable arguments are [ErrInvalid]; every other error
//     is a failure that callers treat as a denial;
//   - usernames are unique up to ASCII case: a username whose
//     [FoldUsername] equals another user's is [ErrConflict], and
//     GetUserByUsername finds a user by its fold, returning the spelling
//     stored;
//   - each concern can live in one table or one key space, so backends can be
//     mixed: users and roles in PostgreSQL, sessions and counters in Redis.
//
// Prove it with the conformance suite, package storagetest:
// storagetest.Run(t, newStore) runs every check on a fresh store per
// subtest, on the real clock or, when newStore takes a clock, on one the
// suite advances. A backend that holds only some concerns, to be combined
// with others by [Compose], runs the checks of exactly those:
// storagetest.RunSessions, storagetest.RunCounters, storagetest.RunAPIKeys
// and the like, one per
// concern, each taking a constructor of that concern's interface, and
// storagetest.RunBackend for Ping and Close. The suite depends on nothing
// but the standard library, so running it adds no dependency to a store's
// module.
//
// Package memstore is the reference implementation; package redisstore,
// which keeps sessions and counters only, is a backend of two concerns.
package storage
