package sqlstore_test

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
)

// postgresDSN returns GATEHOUSE_TEST_POSTGRES, skipping the test when it is
// unset, or failing it under GATEHOUSE_REQUIRE_INTEGRATION=1 (CI).
func postgresDSN(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("GATEHOUSE_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("GATEHOUSE_REQUIRE_INTEGRATION") == "1" {
			t.Fatal("GATEHOUSE_TEST_POSTGRES is not set, and GATEHOUSE_REQUIRE_INTEGRATION=1 forbids skipping")
		}
		t.Skip("set GATEHOUSE_TEST_POSTGRES=postgres://user:pass@127.0.0.1/db to run the PostgreSQL tests")
	}
	return dsn
}

// freshSchema creates a PostgreSQL schema of its own for t, dropped when t
// ends, and returns dsn with search_path set to it: each test starts from an
// empty database.
func freshSchema(t *testing.T, dsn string) string {
	t.Helper()
	admin, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { admin.Close() })
	name := "gh_test_" + randHex(t)
	_, err = admin.ExecContext(t.Context(), "CREATE SCHEMA "+name)
	require.NoError(t, err, "create schema")
	t.Cleanup(func() {
		_, err := admin.Exec("DROP SCHEMA " + name + " CASCADE")
		if err != nil {
			t.Logf("drop schema %s: %v", name, err)
		}
	})
	u, err := url.Parse(dsn)
	require.NoError(t, err, "GATEHOUSE_TEST_POSTGRES must be a postgres:// URL")
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()
	schemas.Store(t, name)
	t.Cleanup(func() { schemas.Delete(t) })
	return u.String()
}

// schemas maps a test to the schema freshSchema made for it.
var schemas sync.Map

// sqliteDSN returns a sqlite: DSN of a new file in t's temporary directory.
func sqliteDSN(t *testing.T) string {
	return "sqlite:" + filepath.Join(t.TempDir(), "gh.db")
}

func randHex(t *testing.T) string {
	b := make([]byte, 8)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

// open opens dsn and closes the store when t ends.
func open(t *testing.T, dsn string, cfg sqlstore.Config) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(t.Context(), dsn, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}
