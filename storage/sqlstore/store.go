package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"

	"github.com/gatehouse-go/gatehouse/storage"
)

// Config holds a [Store]'s knobs. The zero value is ready to use.
type Config struct {
	// Now is the store's clock: it stamps users' CreatedAt and UpdatedAt
	// and decides when counters, slots and sessions expire. The time is
	// passed to the database as a query parameter, so PostgreSQL and SQLite
	// behave the same and the database server's own clock is never read.
	// Nil means time.Now.
	Now func() time.Time
	// Logger receives the store's own events (migrations applied). Nil
	// discards them.
	Logger *slog.Logger
	// MaxOpenConns caps the PostgreSQL connection pool; zero means 10.
	// SQLite always uses one connection: one writer at a time is what
	// SQLite allows, and it makes every transaction serialisable.
	MaxOpenConns int
}

// Store is a [storage.Store] over database/sql, for PostgreSQL or SQLite.
// Make one with [Open], [OpenPostgres] or [OpenSQLite]; it is safe for
// concurrent use.
type Store struct {
	db *sql.DB
	// dsn is the PostgreSQL connection string, for the change feed's own
	// connection; empty on SQLite.
	dsn string
	d   dialect
	now func() time.Time
	log *slog.Logger

	users    userStore
	roles    roleStore
	params   paramStore
	sessions sessionStore
	audit    auditStore
	counters counterStore
	apiKeys  apiKeyStore
}

var _ storage.Store = (*Store)(nil)

// dialect is what differs between the two databases.
type dialect struct {
	// name is "postgres" or "sqlite"; it is also the migrations directory.
	name string
	// placeholder is the character that starts a numbered parameter: the
	// queries are written with $1, $2…, which SQLite spells ?1, ?2….
	placeholder string
	// lockKey, when not empty, is the statement that serialises slot
	// changes of one key inside a transaction (PostgreSQL). SQLite needs
	// none: its single connection already serialises transactions.
	lockKey string
}

var (
	postgres = dialect{name: "postgres", placeholder: "$",
		lockKey: "SELECT pg_advisory_xact_lock(7001, hashtext($1))"}
	sqliteDialect = dialect{name: "sqlite", placeholder: "?"}
)

// Open opens the database named by dsn and migrates its schema:
// "postgres://…" or "postgresql://…" opens PostgreSQL (see [OpenPostgres]),
// "sqlite:PATH" opens (or creates) the SQLite file PATH (see [OpenSQLite]).
// Any other dsn is [ErrDSN].
func Open(ctx context.Context, dsn string, cfg Config) (*Store, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return OpenPostgres(ctx, dsn, cfg)
	case strings.HasPrefix(dsn, "sqlite:"):
		return OpenSQLite(ctx, strings.TrimPrefix(dsn, "sqlite:"), cfg)
	}
	return nil, fmt.Errorf("%w: want postgres://…, postgresql://… or sqlite:PATH", ErrDSN)
}

// OpenPostgres opens a PostgreSQL database through pgx's database/sql
// driver and migrates its schema. dsn is a pgx connection string (a
// postgres:// URL or key=value pairs); its search_path parameter, when
// given, chooses the schema gatehouse's tables live in. Several processes
// may open the same database at once: migrations run under an advisory
// lock, one process after the other.
func OpenPostgres(ctx context.Context, dsn string, cfg Config) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open postgres: %w", err)
	}
	n := cfg.MaxOpenConns
	if n <= 0 {
		n = 10
	}
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	s, err := open(ctx, db, postgres, cfg)
	if err != nil {
		return nil, err
	}
	s.dsn = dsn
	return s, nil
}

// OpenSQLite opens (creating it if needed) the SQLite database file at
// path through the pure-Go modernc.org/sqlite driver and migrates its
// schema. The file is put in WAL mode with foreign keys on and a busy
// timeout, and the store keeps a single connection, so every transaction
// runs alone. SQLite suits one persistent process; use PostgreSQL for
// several.
func OpenSQLite(ctx context.Context, path string, cfg Config) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("%w: sqlite path %q (empty, or with ? or #)", ErrDSN, path)
	}
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
		"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return open(ctx, db, sqliteDialect, cfg)
}

func open(ctx context.Context, db *sql.DB, d dialect, cfg Config) (*Store, error) {
	s := &Store{db: db, d: d, now: cfg.Now, log: cfg.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.users.s, s.roles.s, s.params.s = s, s, s
	s.sessions.s, s.audit.s, s.counters.s = s, s, s
	s.apiKeys.s = s
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Users returns the store's [storage.UserStore].
func (s *Store) Users() storage.UserStore { return &s.users }

// Roles returns the store's [storage.RoleStore].
func (s *Store) Roles() storage.RoleStore { return &s.roles }

// Parameters returns the store's [storage.ParameterStore].
func (s *Store) Parameters() storage.ParameterStore { return &s.params }

// Sessions returns the store's [storage.SessionStore].
func (s *Store) Sessions() storage.SessionStore { return &s.sessions }

// Audit returns the store's [storage.AuditStore].
func (s *Store) Audit() storage.AuditStore { return &s.audit }

// Counters returns the store's [storage.CounterStore].
func (s *Store) Counters() storage.CounterStore { return &s.counters }

// APIKeys returns the store's [storage.APIKeyStore].
func (s *Store) APIKeys() storage.APIKeyStore { return &s.apiKeys }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	return nil
}

// Close closes the connection pool. Calls after Close fail; closing twice
// is not an error.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// DB returns the underlying pool, for the host's own health checks and
// administration. Do not change gatehouse's tables through it.
func (s *Store) DB() *sql.DB { return s.db }

// Sweep deletes expired counters and slots, and returns how many rows it
// removed. Expired rows are ignored by every read, and a counter's row is
// reused by its next increment, so sweeping only bounds the tables' size;
// call it now and then (sessions have
// [storage.SessionStore.DeleteExpiredSessions]).
func (s *Store) Sweep(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("sqlstore: sweep: %w", err)
	}
	now := s.clock()
	var total int64
	for _, q := range []string{
		"DELETE FROM gh_counters WHERE expires_us <= $1",
		"DELETE FROM gh_slots WHERE expires_us <= $1",
	} {
		res, err := s.db.ExecContext(ctx, s.q(q), now)
		if err != nil {
			return int(total), fmt.Errorf("sqlstore: sweep: %w", err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return int(total), nil
}

// q adapts a query written with $1, $2… to the dialect.
func (s *Store) q(query string) string {
	if s.d.placeholder == "$" {
		return query
	}
	return strings.ReplaceAll(query, "$", s.d.placeholder)
}

// clock returns the store's current time in microseconds since the epoch.
func (s *Store) clock() int64 { return s.now().UnixMicro() }

// toUS converts a time to the stored form: microseconds since the epoch.
func toUS(t time.Time) int64 { return t.UnixMicro() }

// fromUS converts a stored time back, in UTC.
func fromUS(v int64) time.Time { return time.UnixMicro(v).UTC() }

// begin checks ctx, then starts a transaction.
func (s *Store) begin(ctx context.Context) (*sql.Tx, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.db.BeginTx(ctx, nil)
}

// sqliteConstraint is SQLite's primary result code for a constraint
// violation (SQLITE_CONSTRAINT); extended codes keep it in the low byte.
const sqliteConstraint = 19

// isUniqueViolation reports whether err is a unique or primary key
// violation in either database.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code()&0xff == sqliteConstraint
	}
	return false
}

// checkCtx returns ctx's error, wrapped for op, if ctx has ended: every
// method calls it first, so that an ended context changes nothing.
func checkCtx(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	return nil
}

// durationNS converts stored nanoseconds to a time.Duration.
func durationNS(v int64) time.Duration { return time.Duration(v) }
