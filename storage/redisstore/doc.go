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
// Every instance pointed at the same Redis sees the same sessions,
// revocations and counters at once: a logout or a quota spent on one
// instance is seen by the next request on any other.
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
// storagetest.RunClocked), while the key TTLs, set from the same times, let
// Redis reclaim the memory. Keep the clocks of the instances and the Redis
// server in sync (NTP): a server clock far ahead would drop keys early.
//
// Redis 7.0 or newer is required (PEXPIRETIME). With Redis Cluster, put a
// hash tag in the prefix ("{gatehouse}:") so that every key lives in one
// slot: the scripts touch a session, its user's index and the expiry index
// together.
package redisstore
