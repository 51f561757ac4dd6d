package sqlstore_test

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

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
			require.Equal(t, latest, rows, "each migration applied once")
			_, err := stores[1].Users().CreateUser(t.Context(), user.User{ID: "u1", Username: "alice"})
			require.NoError(t, err)
			_, err = stores[2].Users().GetUser(t.Context(), "u1")
			require.NoError(t, err, "instances share the database")
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
