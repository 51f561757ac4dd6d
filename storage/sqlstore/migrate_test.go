package sqlstore_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/user"
)

func TestOpenConcurrentlyMigratesOnce(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			dsn := fresh(t)
			const n = 4
			var wg sync.WaitGroup
			stores := make([]*sqlstore.Store, n)
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() { stores[i], errs[i] = sqlstore.Open(t.Context(), dsn, sqlstore.Config{}) })
			}
			wg.Wait()
			for i := range n {
				require.NoError(t, errs[i], "instance %d", i)
				t.Cleanup(func() { stores[i].Close() })
			}
			var rows, latest int
			require.NoError(t, stores[0].DB().QueryRow("SELECT COUNT(*), MAX(version) FROM gh_migrations").Scan(&rows, &latest))
			require.Equal(t, sqlstore.SchemaVersion(), latest)
			files, err := os.ReadDir(filepath.Join("migrations", "sqlite"))
			require.NoError(t, err)
			require.Equal(t, len(files), rows, "each migration applied once")
			_, err = stores[1].Users().CreateUser(t.Context(), user.User{ID: "u1", Username: "alice"})
			require.NoError(t, err)
			_, err = stores[2].Users().GetUser(t.Context(), "u1")
			require.NoError(t, err, "instances share the database")
		})
	}
}

// A migration released after a higher-numbered one (two written side by
// side, 0005 and 0006, say) is still applied: the migrator applies every
// version the database has not recorded, not only those above its highest.
func TestOpenAppliesAMigrationBelowTheHighest(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			dsn := fresh(t)
			s, err := sqlstore.Open(t.Context(), dsn, sqlstore.Config{})
			require.NoError(t, err)
			// As if this database had got 0006 before 0004: 0004's record
			// and its column are gone, 0006 stays.
			_, err = s.DB().Exec("DELETE FROM gh_migrations WHERE name = '0004_parameters_version.sql'")
			require.NoError(t, err)
			_, err = s.DB().Exec("ALTER TABLE gh_policy DROP COLUMN parameters_version")
			require.NoError(t, err)
			require.NoError(t, s.Close())

			s, err = sqlstore.Open(t.Context(), dsn, sqlstore.Config{})
			require.NoError(t, err)
			t.Cleanup(func() { s.Close() })
			var n int
			require.NoError(t, s.DB().QueryRow("SELECT COUNT(*) FROM gh_migrations WHERE name = '0004_parameters_version.sql'").Scan(&n))
			require.Equal(t, 1, n, "the missing migration was applied")
			require.NoError(t, s.DB().QueryRow("SELECT parameters_version FROM gh_policy").Scan(&n))
			require.NoError(t, s.APIKeys().CreateAPIKey(t.Context(), storage.APIKey{ID: "k1", KeyHash: strings.Repeat("a", 64), UserID: "u1"}))
		})
	}
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			dsn := fresh(t)
			s, err := sqlstore.Open(t.Context(), dsn, sqlstore.Config{})
			require.NoError(t, err)
			_, err = s.DB().Exec("INSERT INTO gh_migrations (version, name, applied_us) VALUES (9999, '9999_future.sql', 0)")
			require.NoError(t, err)
			require.NoError(t, s.Close())
			_, err = sqlstore.Open(t.Context(), dsn, sqlstore.Config{})
			require.ErrorIs(t, err, sqlstore.ErrSchemaTooNew)
			require.Contains(t, err.Error(), "9999")
		})
	}
}

func TestReopenKeepsData(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			dsn := fresh(t)
			s, err := sqlstore.Open(t.Context(), dsn, sqlstore.Config{})
			require.NoError(t, err)
			_, err = s.Users().CreateUser(t.Context(), user.User{ID: "u1", Username: "alice"})
			require.NoError(t, err)
			require.NoError(t, s.Close())
			s = open(t, dsn, sqlstore.Config{})
			u, err := s.Users().GetUser(t.Context(), "u1")
			require.NoError(t, err)
			require.Equal(t, "alice", u.Username)
		})
	}
}

func TestOpenRejectsUnknownDSN(t *testing.T) {
	for _, dsn := range []string{"", "mysql://x", "memory", "sqlite:", "sqlite:/tmp/a?b", "file:/tmp/x.db"} {
		t.Run(dsn, func(t *testing.T) {
			_, err := sqlstore.Open(t.Context(), dsn, sqlstore.Config{})
			require.ErrorIs(t, err, sqlstore.ErrDSN)
		})
	}
}

func TestClosedStoreFails(t *testing.T) {
	s, err := sqlstore.Open(t.Context(), sqliteDSN(t), sqlstore.Config{})
	require.NoError(t, err)
	require.NoError(t, s.Close())
	require.Error(t, s.Ping(t.Context()))
	_, err = s.Users().GetUser(t.Context(), "u1")
	require.Error(t, err)
	require.False(t, errors.Is(err, storage.ErrNotFound), "a closed store must fail, not answer not found")
}

func TestSweepRemovesExpiredRows(t *testing.T) {
	now := time0
	s := open(t, sqliteDSN(t), sqlstore.Config{Now: func() time.Time { return now }})
	ctx := t.Context()
	_, err := s.Counters().Increment(ctx, "a", 1, time.Minute)
	require.NoError(t, err)
	_, err = s.Counters().Increment(ctx, "b", 1, time.Hour)
	require.NoError(t, err)
	_, err = s.Counters().AcquireSlot(ctx, "k", "h", 1, time.Minute)
	require.NoError(t, err)
	now = now.Add(2 * time.Minute)
	n, err := s.Sweep(ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	var left int
	require.NoError(t, s.DB().QueryRow("SELECT COUNT(*) FROM gh_counters").Scan(&left))
	require.Equal(t, 1, left)
}

var time0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// atVersion1 makes the database at dsn what gatehouse's first schema left:
// migration 0001 applied and stamped, nothing after it.
func atVersion1(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	return atVersion(t, dsn, 1)
}

// atVersion makes the database at dsn what gatehouse's schema version n
// left: migrations 0001 to n applied and stamped, nothing after them.
func atVersion(t *testing.T, dsn string, n int) *sql.DB {
	t.Helper()
	driver, source, dialect := "pgx", dsn, "postgres"
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, source, dialect = "sqlite", "file:"+path, "sqlite"
	}
	db, err := sql.Open(driver, source)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	_, err = db.Exec(`CREATE TABLE gh_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_us BIGINT NOT NULL)`)
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join("migrations", dialect, "*.sql"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), n)
	for i, file := range files[:n] { // Glob sorts: NNNN_ names in version order
		body, err := os.ReadFile(file)
		require.NoError(t, err)
		for _, st := range strings.Split(string(body), ";\n") {
			if strings.TrimSpace(st) != "" {
				_, err := db.Exec(st)
				require.NoError(t, err, "%s: %s", file, st)
			}
		}
		_, err = db.Exec(`INSERT INTO gh_migrations (version, name, applied_us) VALUES ($1, $2, 0)`, i+1, filepath.Base(file))
		require.NoError(t, err)
	}
	return db
}

func insertUserV1(t *testing.T, db *sql.DB, id, username string) {
	t.Helper()
	_, err := db.Exec(`INSERT INTO gh_users (id, username, name, email, phone, company, locale, timezone, access,
		admin, blocked, roles, attributes, parameters, password_hash, password_changed_us, session_epoch, created_us,
		updated_us, version) VALUES ('` + id + `', '` + username + `', '', '', '', 'acme', '', '', 'read_write',
		false, false, 'null', 'null', 'null', '', 0, 0, 0, 0, 1)`)
	require.NoError(t, err, "insert %s %s", id, username)
}

func TestMigrationRefusesUsernamesEqualUpToCase(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			dsn := fresh(t)
			db := atVersion1(t, dsn)
			for _, u := range [][2]string{
				{"u1", "alice"}, {"u2", "Alice"}, {"u3", "ALICE"}, {"u4", "bob"}, {"u5", "Bob"}, {"u6", "carol"},
			} {
				insertUserV1(t, db, u[0], u[1]) // schema 1 compares usernames exactly
			}

			_, err := sqlstore.Open(t.Context(), dsn, sqlstore.Config{})
			require.ErrorIs(t, err, sqlstore.ErrUsernamesCollide)
			t.Log(err)
			msg := err.Error()
			for _, want := range []string{
				`"ALICE" (id "u3"), "Alice" (id "u2"), "alice" (id "u1")`,
				`"Bob" (id "u5"), "bob" (id "u4")`,
				"5 users in 2 groups", "0002_username_fold.sql",
			} {
				require.Contains(t, msg, want)
			}
			require.NotContains(t, msg, "carol")

			var version, users int
			require.NoError(t, db.QueryRow("SELECT MAX(version) FROM gh_migrations").Scan(&version))
			require.Equal(t, 1, version, "the refused migration left its stamp")
			require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM gh_users").Scan(&users))
			require.Equal(t, 6, users, "the refused migration dropped users")

			// Once the operator renames or deletes the extra users, it runs.
			_, err = db.Exec("UPDATE gh_users SET username = 'alice2' WHERE id = 'u2'")
			require.NoError(t, err)
			_, err = db.Exec("DELETE FROM gh_users WHERE id IN ('u3', 'u5')")
			require.NoError(t, err)
			require.NoError(t, db.Close())
			s := open(t, dsn, sqlstore.Config{})
			require.NoError(t, s.DB().QueryRow("SELECT MAX(version) FROM gh_migrations").Scan(&version))
			require.Equal(t, sqlstore.SchemaVersion(), version)
			u, err := s.Users().GetUserByUsername(t.Context(), "ALICE2")
			require.NoError(t, err)
			require.Equal(t, "u2", u.ID)
			require.Equal(t, "alice2", u.Username)
			_, err = s.Users().CreateUser(t.Context(), user.User{ID: "u7", Username: "BOB"})
			require.ErrorIs(t, err, storage.ErrConflict, "the index holds after the migration")
		})
	}
}

// TestMigrationMarksExistingRolesFromTheDataFile: before schema version 3
// applying the data file deleted every role and parameter it did not name,
// so all those of an older database came from it. The migration keeps them
// and marks them so, and applying the file afterwards deletes the ones it
// no longer names, as before.
func TestMigrationMarksExistingRolesFromTheDataFile(t *testing.T) {
	for name, fresh := range dsns() {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			dsn := fresh(t)
			db := atVersion(t, dsn, 2)
			_, err := db.Exec(`INSERT INTO gh_roles (code, body) VALUES
				('viewer', '{"code":"viewer","title":"Viewer","entities":{"Customer":["read"]}}'),
				('legacy', '{"code":"legacy"}')`)
			require.NoError(t, err)
			_, err = db.Exec(`INSERT INTO gh_parameters (code, title, value) VALUES ('show_header', 'Show Header', '1'), ('old', '', 'x')`)
			require.NoError(t, err)
			require.NoError(t, db.Close())

			s := open(t, dsn, sqlstore.Config{})
			var version int
			require.NoError(t, s.DB().QueryRow("SELECT MAX(version) FROM gh_migrations").Scan(&version))
			require.Equal(t, sqlstore.SchemaVersion(), version)
			roles, err := s.Roles().ListRoles(ctx)
			require.NoError(t, err)
			require.Equal(t, []permissions.Role{
				{Code: "legacy", FromDataFile: true},
				{Code: "viewer", Title: "Viewer", Entities: map[string][]permissions.Op{"Customer": {permissions.OpRead}}, FromDataFile: true},
			}, roles)
			params, err := s.Parameters().ListParameters(ctx)
			require.NoError(t, err)
			require.Equal(t, []storage.Parameter{
				{Code: "old", Value: "x", FromDataFile: true},
				{Code: "show_header", Title: "Show Header", Value: "1", FromDataFile: true},
			}, params)

			// A role put after the migration is as it was put.
			require.NoError(t, s.Roles().PutRole(ctx, permissions.Role{Code: "custom"}))
			custom, err := s.Roles().GetRole(ctx, "custom")
			require.NoError(t, err)
			require.False(t, custom.FromDataFile)

			d, err := datafile.Parse([]byte(restartFile2))
			require.NoError(t, err)
			rep, err := d.Apply(ctx, s, plainHasher, time0)
			require.NoError(t, err)
			require.Equal(t, 1, rep.RolesDeleted, "legacy")
			require.Equal(t, 1, rep.RolesKept, "custom")
			require.Equal(t, 1, rep.ParametersDeleted, "old")
			_, err = s.Roles().GetRole(ctx, "legacy")
			require.ErrorIs(t, err, storage.ErrNotFound)
		})
	}
}
