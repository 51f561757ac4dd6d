// Package sqlstore is a [storage.Store] over database/sql for PostgreSQL
// (several gatehouse instances sharing one database) and SQLite (one
// persistent instance).
//
// # Opening a store
//
// [Open] takes a data source name and picks the database:
//
//	s, err := sqlstore.Open(ctx, "postgres://gatehouse:secret@db/gatehouse", sqlstore.Config{})
//	s, err := sqlstore.Open(ctx, "sqlite:/var/lib/gatehouse/gh.db", sqlstore.Config{})
//
// PostgreSQL goes through github.com/jackc/pgx/v5's database/sql driver;
// SQLite through modernc.org/sqlite, pure Go (no cgo). A SQLite file is put
// in WAL mode with foreign keys on and a busy timeout, and the store keeps
// a single connection to it.
//
// # Schema and migrations
//
// The tables (all named gh_…) are created and upgraded by versioned
// migrations embedded in the package, one set per database, applied in one
// transaction when a store opens. On PostgreSQL that transaction first
// takes an advisory lock, so several instances starting at once migrate
// one after the other; on SQLite it begins IMMEDIATE. A database whose
// schema is newer than the package knows ([SchemaVersion]) is refused with
// [ErrSchemaTooNew], so an older binary never misreads a newer schema.
// Schema version 2 makes usernames unique up to case (a unique index on
// lower(username)); a database that already holds usernames equal up to
// case is refused with [ErrUsernamesCollide], which names every such user,
// and is left unchanged at version 1 until they are renamed or deleted —
// the store never picks which of them to drop. Schema version 3 records
// whether each role and parameter came from the data file (a column
// from_data_file beside the role's JSON, which leaves it out); the roles
// and parameters of an older database all came from it, and are marked so.
// To keep gatehouse's tables in their own PostgreSQL schema, create the
// schema and pass search_path in the DSN
// (postgres://…/db?search_path=gatehouse).
//
// # Guarantees
//
// Every query is parameterised; the only words assembled into SQL text are
// column names chosen from fixed lists. Users are updated optimistically
// (UPDATE … WHERE id = $1 AND version = $2), so of two writers holding the
// same version exactly one wins and the other gets [storage.ErrConflict];
// a duplicate id, username (up to case), session id hash or trace code is
// storage.ErrConflict too. Counters are incremented by a single
// INSERT … ON CONFLICT DO UPDATE … RETURNING statement that also restarts
// an expired counter, and concurrency slots change in a transaction that
// holds a per-key lock, so the limits hold across every instance sharing
// the database. Role changes bump the policy version in the same
// transaction. Session ids are never stored: the session manager hands the
// store their SHA-256 (storage.Session.IDHash).
//
// Times are kept as microseconds since the Unix epoch, and the current time
// comes from [Config.Now] as a query parameter, never from the database
// server's clock, so both databases behave alike and the store passes
// storagetest.RunClocked as well as storagetest.Run. Every method honours
// its context. Errors start with "sqlstore:" and wrap the driver's error
// with %w; they are for logs, and gatehouse never shows them to clients.
//
// # Several instances
//
// PostgreSQL is for any number of gatehouse instances sharing one database.
// The store caches nothing: sessions and their revocation, users with their
// session epoch and blocked flag, roles and the policy version, counters and
// slots are all read from the database by every call, so every instance sees
// every write of the others on its next query. The session manager reads the
// session and its user on every authentication, and the policy version too
// (unless session.Config.PolicyRefresh allows reusing it), so a logout, a
// password change, a blocked user or a role change made through one instance
// is enforced by every other on its very next request, and throttle and quota
// counts are global. The only per-process state is the compiled permission
// sets, keyed by that policy version. The instances must share the token
// signing key.
//
// SQLite is for one process that keeps its state across restarts: the store
// holds the file's single connection, and several processes on one file are
// not what it is built or tested for.
//
// When the database cannot be reached, every method returns an error and
// nothing is served from memory instead: gatehouse fails closed, refusing
// authentications, logins, logouts and quota checks with 503, and its health
// drops to 0.
//
// # Mixing with Redis
//
// Users, roles, parameters and audit records belong in SQL; sessions and
// counters may live in Redis instead (package redisstore), combined with
// storage.Compose:
//
//	sql, _ := sqlstore.Open(ctx, dsn, sqlstore.Config{})
//	hot := redisstore.New(redisClient, redisstore.Config{})
//	store := storage.Compose(sql, storage.Parts{Sessions: hot.Sessions(), Counters: hot.Counters()})
package sqlstore
