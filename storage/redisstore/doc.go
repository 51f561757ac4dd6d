// Package redisstore keeps gatehouse's hot, expiring state in Redis:
// sessions (with their revocation) and counters and concurrency slots. It
// implements [storage.SessionStore] and [storage.CounterStore]; users,
// roles, parameters and audit records stay in a SQL store (package
// sqlstore) or memstore, and storage.Compose puts the two together:
//
//	db, err := sqlstore.Open(ctx, "postgres://…", sqlstore.Config{})
//	hot := redisstore.New(redis.NewClient(opts), redisstore.Config{})
//	store := storage.Compose(db, storage.Parts{
//		Sessions: hot.Sessions(),
//		Counters: hot.Counters(),
//		Backends: []storage.Backend{hot},
//	})
//
// # Consistency
//
// Every instance pointed at the same Redis (and prefix) sees the same
// sessions, revocations, counters and slots at once: the store caches
// nothing, so a logout, a failed login counting towards a lockout or a quota
// spent on one instance is seen by the next request on any other. What ends
// every session of a user at once, a password change or a block, is on the
// user (its session epoch, its blocked flag), which stays in SQL and is read
// on every authentication; the sessions in Redis then fail the epoch check
// without being touched: for several instances the SQL side must be shared
// too (PostgreSQL, not memstore or SQLite). Each store call goes to one backend and no
// transaction spans the two: a password change opens its new session in
// Redis under the next epoch, which authenticates nobody until the password
// and the epoch are written to SQL in one update, and revokes it again if
// that update fails.
//
// When Redis cannot be reached every method returns an error, and gatehouse
// fails closed: no session authenticates, logins and quota checks are refused
// (503), and the composed store's Ping fails, so GET /health answers 0. Redis keeps
// only what its persistence settings keep: run without persistence, a restart
// ends every session and starts the throttle and quota counts afresh; with
// replication, which is asynchronous, a failover can lose the last writes,
// a logout among them. Use appendonly where that matters.
//
// # Keys
//
// All keys start with [Config.Prefix] ("gatehouse:" by default), followed by
// one letter naming the key space:
//
//	PREFIX s:<id hash>   hash: one session (user, times, client, epoch, revoked)
//	PREFIX u:<user id>   sorted set: the user's session id hashes by creation time
//	PREFIX x             sorted set: every session id hash by expiry
//	PREFIX c:<key>       hash: a counter's value and expiry
//	PREFIX l:<key>       sorted set: a slot key's holders by expiry
//
// A session's key expires (PEXPIREAT) at the session's ExpiresAt, a
// counter's when its ttl ends, a slot set when its last holder's slot ends,
// so Redis forgets expired state by itself. The indexes are trimmed by
// ListSessions and [storage.SessionStore.DeleteExpiredSessions], which the
// session manager calls now and then.
//
// # Atomicity and time
//
// Each change is one Lua script, so concurrent increments never lose an
// update, exactly limit holders get a slot, and a revoke is never undone by
// a touch. The current time comes from [Config.Now] and is passed to the
// scripts, which compare it with the expiry stored beside each value:
// expiry follows the gatehouse clock (and the store passes
// storagetest.RunSessions and storagetest.RunCounters on the suite's clock
// as well as on the real one), while the key TTLs, set from the same times, let
// Redis reclaim the memory. Keep the clocks of the instances and the Redis
// server in sync (NTP): a server clock far ahead would drop keys early.
//
// Redis 7.0 or newer is required (PEXPIRETIME). With Redis Cluster, put a
// hash tag in the prefix ("{gatehouse}:") so that every key lives in one
// slot: the scripts touch a session, its user's index and the expiry index
// together.
package redisstore
