// Package storagetest is the conformance suite for [storage.Store]
// implementations: one call runs every check of every storage contract on a
// fresh store per subtest, each subtest named by the sentence it checks
// ("a store should return ErrNotFound for a missing session").
//
// # Running the suite
//
// A store on the real clock calls [Run] from its own test:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store {
//			s, err := mystore.Open(dsn)
//			require.NoError(t, err)
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// A store that takes its time from an injected clock should also call
// [RunClocked]: the suite then owns a [Clock] per subtest and advances it to
// check expiry exactly, without waiting:
//
//	func TestConformanceClocked(t *testing.T) {
//		storagetest.RunClocked(t, func(t *testing.T, now func() time.Time) storage.Store {
//			return memstore.New(memstore.Config{Now: now})
//		})
//	}
//
// Under [Run], expiry checks give counters, slots and sessions lifetimes of
// a few hundred milliseconds and poll, for a few seconds at most, until the
// store forgets them; the whole suite takes a few seconds.
//
// # What the suite expects
//
// Every newStore call must return an empty store that no other subtest
// uses; the suite fills it and never closes it except in the check of
// Ping and Close, so newStore should register its own cleanup with
// t.Cleanup (Close may then be called twice).
//
// Values are compared as a database returns them: times with Equal, and an
// empty slice or map the same as a nil one. The times the suite stores have
// millisecond precision, and the codes and names it sorts by are lower-case
// ASCII, so a store may use any collation that orders those bytewise. Other
// strings it stores — role and parameter codes, attributes, audit fields,
// counter keys — include new lines, commas, quotes, colons, '*', '%',
// non-ASCII letters and 1 KiB values (codes stay within
// permissions.MaxNameLen), and must come back byte for byte.
//
// Usernames are compared up to ASCII case (storage.FoldUsername): the suite
// requires "Alice" to conflict with "alice", to find "alice" by "ALICE" with
// the stored spelling, and not to find "kate" by a name whose "K" is U+212A
// KELVIN SIGN, which a Unicode case fold would turn into "k".
//
// For sessions, a store may forget a session once its ExpiresAt has passed
// (GetSession then returns ErrNotFound) or keep returning it until
// DeleteExpiredSessions; the suite accepts both.
//
// Audit queries sorted with Descending must return exactly the reverse of
// the ascending order, tie-breaks (time, then trace code) included.
package storagetest
