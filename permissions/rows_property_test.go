package permissions_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/permissions/rowstest"
)

// TestRowsAgreeWithReference compiles random policies with row rules and
// checks the filter against rowstest's reference reading of the rules, on
// random users and records. storage/sqlstore runs the same cases through
// the rendered SQL on SQLite and PostgreSQL.
func TestRowsAgreeWithReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2024))
	cols := map[string]string{}
	for _, f := range rowstest.Fields() {
		cols[f.Name] = f.Name
	}
	var allowed, denied, some int
	for i := range 3000 {
		c := rowstest.NewCase(rng, rowstest.Config{Mixed: i%2 == 0, GoTypes: true})
		for _, r := range c.Roles {
			require.NoError(t, r.Validate(), "case %d: the generator makes valid roles", i)
		}
		set, err := permissions.Compile(permissions.CompileConfig{Roles: c.Roles, Held: c.Held, ReadOnly: c.ReadOnly, Admin: c.Admin})
		require.NoError(t, err)
		f := set.Rows(rowstest.Entity, c.Op, c.User)
		where, args, err := f.SQL(cols, permissions.Question)
		require.NoError(t, err)
		require.Equal(t, strings.Count(where, "?"), len(args), "one argument per placeholder: %s", where)
		if !f.All() && !f.None() {
			some++
		}
		for range 20 {
			rec := c.Record(rng)
			want := c.Allowed(rec)
			require.Equal(t, want, f.Match(rec), "case %d: %+v\nrecord %#v\nwhere %s %v", i, c, rec, where, args)
			if f.All() {
				require.True(t, want, "All but the reference denies")
			}
			if f.None() {
				require.False(t, want, "None but the reference allows")
			}
			if want {
				allowed++
			} else {
				denied++
			}
		}
	}
	t.Logf("%d allowed, %d denied, %d filters on some rows", allowed, denied, some)
	require.Greater(t, allowed, 5000)
	require.Greater(t, denied, 5000)
	require.Greater(t, some, 500)
}
