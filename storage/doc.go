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
// Prove it with the conformance suite: storagetest.Run(t, newStore) runs
// every check on a fresh store per subtest. Package memstore is the reference
// implementation.
package storage
