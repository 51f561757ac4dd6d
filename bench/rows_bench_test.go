package bench_test

import (
	"encoding/json"
	"testing"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// rowsFixture is the sales policy, compiled, and the caller bound
// to it: Customer rows of the user's department or owned by the user.
type rowsFixture struct {
	auth *session.Auth
	cols map[string]string
	// three-field records: one allowed by the first condition, one by the
	// second, one by neither
	dept, owned, other map[string]any
}

func newRowsFixture(b *testing.B) *rowsFixture {
	b.Helper()
	var roles []permissions.Role
	err := json.Unmarshal([]byte(`[{"code": "sales", "entities": {"Customer": ["read"]},
	  "rows": {"Customer": {"read": [{"dep_id": "$user.dep_id"}, {"owner_id": "$user.id"}]}}}]`), &roles)
	if err != nil {
		b.Fatal(err)
	}
	set, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales"}})
	if err != nil {
		b.Fatal(err)
	}
	return &rowsFixture{
		auth: &session.Auth{User: user.User{ID: "u1", Username: "ann", Company: "acme",
			Attributes: map[string]string{"dep_id": "104"}}, Set: set},
		cols:  map[string]string{"dep_id": "c.dep_id", "owner_id": "c.owner_id"},
		dept:  map[string]any{"dep_id": "104", "owner_id": "u9", "name": "Acme"},
		owned: map[string]any{"dep_id": "200", "owner_id": "u1", "name": "Globex"},
		other: map[string]any{"dep_id": "200", "owner_id": "u9", "name": "Initech"},
	}
}

// handWritten is the comparison a host would write for the same rule,
// reading the user's values as Match does.
func handWritten(u *user.User, rec map[string]any) bool {
	if dep := u.Attributes["dep_id"]; dep != "" {
		if v, ok := rec["dep_id"].(string); ok && v == dep {
			return true
		}
	}
	if u.ID != "" {
		if v, ok := rec["owner_id"].(string); ok && v == u.ID {
			return true
		}
	}
	return false
}

var rowsSink bool

// BenchmarkRowsMatch is Match on a three-field record against the
// hand-written comparison: first condition, second condition, no match.
// "bound" takes the filter once (as a list handler does), "bind" calls
// auth.Rows for every record.
func BenchmarkRowsMatch(b *testing.B) {
	f := newRowsFixture(b)
	recs := []struct {
		name string
		rec  map[string]any
	}{{"dept", f.dept}, {"owned", f.owned}, {"none", f.other}}
	for _, r := range recs {
		b.Run("gatehouse-bound/"+r.name, func(b *testing.B) {
			rows := f.auth.Rows("Customer", permissions.OpRead)
			b.ReportAllocs()
			for b.Loop() {
				rowsSink = rows.Match(r.rec)
			}
		})
		b.Run("gatehouse-bind/"+r.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rowsSink = f.auth.Rows("Customer", permissions.OpRead).Match(r.rec)
			}
		})
		b.Run("handwritten/"+r.name, func(b *testing.B) {
			u := &f.auth.User
			b.ReportAllocs()
			for b.Loop() {
				rowsSink = handWritten(u, r.rec)
			}
		})
	}
}

var (
	whereSink string
	argsSink  []any
)

// BenchmarkRowsSQL renders the WHERE and its arguments: SQL (a new string
// and slice each time), and AppendSQL into reused buffers.
func BenchmarkRowsSQL(b *testing.B) {
	f := newRowsFixture(b)
	rows := f.auth.Rows("Customer", permissions.OpRead)
	b.Run("SQL", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w, args, err := rows.SQL(f.cols, permissions.Dollar)
			if err != nil {
				b.Fatal(err)
			}
			whereSink, argsSink = w, args
		}
	})
	b.Run("AppendSQL", func(b *testing.B) {
		buf := make([]byte, 0, 256)
		args := make([]any, 0, 8)
		b.ReportAllocs()
		for b.Loop() {
			out, a, err := rows.AppendSQL(buf[:0], f.cols, permissions.Dollar, args[:0])
			if err != nil {
				b.Fatal(err)
			}
			buf, args = out, a
		}
		argsSink = args
	})
}
