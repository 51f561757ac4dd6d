// Package memstore is the in-memory [storage.Store]: gatehouse's default
// backend and the reference implementation of the storage contracts.
//
// A [Store] keeps everything in the process's memory, so it suits a single
// instance, tests and development; its state is lost when the process ends
// and is not shared with other processes (use sqlstore or redisstore for
// that). It is safe for concurrent use, copies every value that crosses its
// methods, honours contexts, and passes storagetest.Run and
// storagetest.RunClocked.
//
// Expiry follows the store's clock, [Config.Now]: counters, slots and
// sessions whose time has come are treated as absent at once (a session is
// forgotten when its ExpiresAt is at or before the clock), without a
// background goroutine. Expired counters and slots are swept as new ones are
// made; expired sessions stay in memory until
// [storage.SessionStore.DeleteExpiredSessions] removes them.
package memstore
