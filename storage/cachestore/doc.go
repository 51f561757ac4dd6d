// Package cachestore keeps what authenticating a request reads — sessions,
// their users and the store's versions — in process, in front of a
// [storage.Store] that publishes its changes ([storage.ChangeFeed]): with
// a warm cache an authenticated request makes no round trip to the store,
// and a logout, a block or a role change made by any process sharing the
// store is refused or reflected here as soon as the store's feed delivers
// it (PostgreSQL LISTEN/NOTIFY, Redis pub/sub; a few milliseconds on a
// local network).
//
// Most hosts do not use the package directly: setting gatehouse.Config's
// Cache wraps the configured store. Used alone:
//
//	base, _ := sqlstore.Open(ctx, dsn, sqlstore.Config{})
//	store, err := cachestore.New(base, cachestore.Config{})
//	if err != nil { ... } // the store has no feed (SQLite, say)
//	defer store.Close()   // stops the feed, closes base
//
// # What it keeps and when it drops it
//
// [Store.ReadAuth] answers from memory when it holds the session, its
// user and the versions, all younger than Config.TTL, and the feed is
// listening; otherwise it reads through to the base store (one round
// trip for a store that implements [storage.AuthReader]) and keeps what
// it read. Entries are dropped:
//
//   - by a write made through this Store, before the write returns: a
//     revoked session, an updated or deleted user, a role or parameter
//     change (the versions);
//   - by the feed, for the same writes made by any other process;
//   - all at once when the feed is lost (its connection failed or
//     stopped answering): until it listens again every read goes to the
//     store and nothing is kept, and when it listens again everything
//     kept before is dropped, since changes in between may have been
//     missed;
//   - after Config.TTL, a second line of defence;
//   - at random when a table is full (Config.MaxEntries).
//
// A read that overlaps any drop keeps nothing: a read in flight when a
// change arrives can never put the value from before the change back.
//
// # The guarantee
//
// A change made through another process is seen here once its feed
// message arrives: the store publishes it before the write returns (in
// the same transaction on PostgreSQL, in the same script on Redis), and
// the message takes the network's latency. Feeds prove delivery end to
// end: a feed listens only once a heartbeat it sent from another
// connection to the store has come back, and after every quiet second it
// sends another, lost when it is not back within a second. A connection
// that answers but does not deliver therefore never serves from memory,
// and one that stops delivering is found within about two seconds;
// Config.TTL bounds what is served in every case. A refusal is as fresh
// as an accept: an unblock or a new role on another process drops the
// entries here as a block does.
//
// LastSeenAt is the one field that may lag: touches made here update the
// kept session, touches made by other processes do not (they are not
// changes that narrow access, and are not published). A kept session is
// younger than Config.TTL, so with an idle timeout longer than TTL plus
// the touch interval no session is refused as idle that another process
// kept alive.
package cachestore
