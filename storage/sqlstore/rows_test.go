package sqlstore_test

import (
	"database/sql"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/permissions/rowstest"
)

// The row filters' SQL, run on real databases, selects exactly the rows
// that rowstest's reference reading of the rules allows (and so that
// RowFilter.Match allows, which permissions' own property test checks).

func TestRowsSQLAgreesSQLite(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	db.SetMaxOpenConns(1) // one in-memory database
	t.Cleanup(func() { db.Close() })
	// Untyped columns keep each value's own type (no affinity), so text and
	// number fields may hold strings, integers and floats side by side: a
	// string "3" never equals 3 there, as in Match.
	rowsAgreement(t, db, permissions.Question, rowstest.Config{Mixed: true},
		`CREATE TABLE rows_e (id INTEGER PRIMARY KEY, t1, t2, n, b)`)
}

func TestRowsSQLAgreesPostgres(t *testing.T) {
	dsn := freshSchema(t, postgresDSN(t))
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	// Typed columns, each holding the type of its constants.
	rowsAgreement(t, db, permissions.Dollar, rowstest.Config{},
		`CREATE TABLE rows_e (id integer PRIMARY KEY, t1 text, t2 text, n double precision, b boolean)`)
}

func rowsAgreement(t *testing.T, db *sql.DB, style permissions.Placeholder, cfg rowstest.Config, create string) {
	ctx := t.Context()
	_, err := db.ExecContext(ctx, create)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `CREATE TABLE x (id integer)`) // what an injection would drop
	require.NoError(t, err)

	rng := rand.New(rand.NewPCG(17, uint64(style)))
	fields := rowstest.Fields()
	cols := map[string]string{}
	for _, f := range fields {
		cols[f.Name] = "rows_e." + f.Name
	}
	// One table of random records, shared by every case.
	var records []map[string]any
	sample := rowstest.NewCase(rng, cfg)
	insert := `INSERT INTO rows_e (id, t1, t2, n, b) VALUES (?, ?, ?, ?, ?)`
	if style == permissions.Dollar {
		insert = `INSERT INTO rows_e (id, t1, t2, n, b) VALUES ($1, $2, $3, $4, $5)`
	}
	for id := range 300 {
		rec := sample.Record(rng)
		records = append(records, rec)
		args := []any{id}
		for _, f := range fields {
			args = append(args, rec[f.Name]) // missing and nil are NULL
		}
		_, err := db.ExecContext(ctx, insert, args...)
		require.NoError(t, err, "insert %v", rec)
	}

	var some, selected int
	for i := range 600 {
		c := rowstest.NewCase(rng, cfg)
		set, err := permissions.Compile(permissions.CompileConfig{Roles: c.Roles, Held: c.Held, ReadOnly: c.ReadOnly, Admin: c.Admin})
		require.NoError(t, err)
		f := set.Rows(rowstest.Entity, c.Op, c.User)
		where, args, err := f.SQL(cols, style)
		require.NoError(t, err)
		var want []int
		for id, rec := range records {
			if c.Allowed(rec) {
				want = append(want, id)
			}
			require.Equal(t, c.Allowed(rec), f.Match(rec), "case %d: Match on %v", i, rec)
		}
		got := selectIDs(t, db, "SELECT id FROM rows_e WHERE "+where+" ORDER BY id", args)
		require.Equal(t, want, got, "case %d: %+v\nWHERE %s %v", i, c, where, args)
		if !f.All() && !f.None() {
			some++
			selected += len(got)
		}
	}
	t.Logf("%d filters on some rows selected %d rows", some, selected)
	require.Greater(t, some, 100)
	require.Greater(t, selected, 1000)
	var n int
	require.NoError(t, db.QueryRowContext(ctx, `SELECT count(*) FROM x`).Scan(&n), "table x survives every value")
}

func selectIDs(t *testing.T, db *sql.DB, query string, args []any) []int {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), query, args...)
	require.NoError(t, err, query)
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.NoError(t, rows.Err())
	slices.Sort(ids)
	return ids
}
