// Package storagetest is the conformance suite for [storage.Store]
// implementations: one call runs every check of every storage contract on a
// fresh store per subtest, each subtest named by its concern and the
// sentence it checks ("sessions/a store should return ErrNotFound for a
// missing session").
//
// The suite is shipped code of the core module and depends on nothing but
// the standard library and the storage packages: running it pulls no
// assertion library into a store's tests.
//
// # Running the suite
//
// A store that holds every concern calls [Run] from its own test:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store {
//			s, err := mystore.Open(dsn)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// That store runs on the real clock. A store that takes its time from an
// injected clock should also run the suite with a constructor that takes
// now (see [NewFunc]): each subtest then owns a [Clock], and the suite
// advances it to check expiry exactly, without waiting:
//
//	func TestConformanceClocked(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T, now func() time.Time) storage.Store {
//			return memstore.New(memstore.Config{Now: now})
//		})
//	}
//
// On the real clock, expiry checks give counters, slots and sessions
// lifetimes of a few hundred milliseconds and poll, for a few seconds at
// most, until the store forgets them; the whole suite takes a few seconds.
//
// # A store of some concerns
//
// A backend that holds only some concerns, to be combined with others by
// storage.Compose, runs the checks of those concerns and nothing else: one
// Run function per concern, each taking a constructor of that concern's
// interface. A store of sessions and counters:
//
//	func TestConformance(t *testing.T) {
//		storagetest.RunBackend(t, func(t *testing.T) storage.Backend { return newStore(t) })
//		storagetest.RunSessions(t, func(t *testing.T) storage.SessionStore { return newStore(t).Sessions() })
//		storagetest.RunCounters(t, func(t *testing.T) storage.CounterStore { return newStore(t).Counters() })
//	}
//
// The concerns are [RunBackend] (Ping and Close), [RunUsers], [RunRoles],
// [RunParameters], [RunSessions], [RunAudit] and [RunCounters] (counters
// and slots). Each runs its concern's checks under the concern's name,
// including that concern's part of the context checks (every method fails
// with a cancelled or expired context and changes nothing) and of the
// hostile-string checks. [Run] runs all of them on one store, and checks
// that the store returns every concern's interface.
//
// # Without a testing.T
//
// [Check] and [CheckClocked] run the checks of [Run] without a *testing.T
// and return the failed ones, each a *[CheckError] (joined with
// errors.Join), or nil: the suite's own tests use them to require that a
// deliberately broken store fails exactly the checks that cover its bug.
// Each check is written once and serves both forms.
//
//	err := storagetest.CheckClocked(func(now func() time.Time) storage.Store {
//		return brokenStore(memstore.New(memstore.Config{Now: now}))
//	})
//	if err != nil {
//		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
//			var ce *storagetest.CheckError
//			if errors.As(e, &ce) {
//				fmt.Println(ce.Concern, ce.Check)
//			}
//		}
//	}
//
// # What the suite expects
//
// Every constructor call must return an empty store that no other subtest
// uses; the suite fills it and never closes it except in the check of
// Ping and Close, so under the Run functions the constructor should
// register its own cleanup with t.Cleanup (Close may then be called twice).
// Check closes each store itself once its check is done.
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
