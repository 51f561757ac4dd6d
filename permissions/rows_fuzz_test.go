package permissions_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// FuzzParseRowValue feeds the row condition parser arbitrary bytes: it never
// panics; a value it accepts encodes to JSON that parses back to the same
// value; a condition built from it compiles, and its SQL never carries a
// value in the text.
func FuzzParseRowValue(f *testing.F) {
	for _, s := range []string{`"open"`, `"$user.id"`, `"$user.dep_id"`, `"$$x"`, `"$x"`, `3`, `-0`, `9007199254740991`,
		`9007199254740992`, `3.5`, `1e3`, `true`, `null`, `{}`, `[]`, `["a", 1, false]`, `[["a"]]`, `["$user.id"]`,
		`"'; DROP TABLE x; --"`, `"\u0000"`, `[` + strings.Repeat(`1,`, 300) + `1]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := permissions.ParseRowValue(data)
		var u permissions.RowValue
		if json.Valid(data) {
			if uerr := json.Unmarshal(data, &u); uerr != nil {
				t.Fatalf("UnmarshalJSON refused valid JSON %q: %v", data, uerr)
			}
			r := permissions.Role{Code: "r", Entities: map[string][]permissions.Op{"E": {permissions.OpRead}},
				Rows: map[string]map[string][]permissions.Condition{"E": {"read": {{"f": u}}}}}
			if verr := r.Validate(); (verr == nil) != (err == nil) {
				t.Fatalf("Validate after UnmarshalJSON (%v) disagrees with ParseRowValue (%v) on %q", verr, err, data)
			}
		}
		if err != nil {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("accepted %q but cannot encode it: %v", data, err)
		}
		again, err := permissions.ParseRowValue(b)
		if err != nil || again.String() != v.String() {
			t.Fatalf("%q encodes as %s, which parses as %v (%v)", data, b, again, err)
		}
		r := permissions.Role{Code: "r", Entities: map[string][]permissions.Op{"E": {permissions.OpRead}},
			Rows: map[string]map[string][]permissions.Condition{"E": {"read": {{"f": v}}}}}
		set, err := permissions.Compile(permissions.CompileConfig{Roles: []permissions.Role{r}, Held: []string{"r"}})
		if err != nil {
			t.Fatalf("accepted %q but Compile refuses it: %v", data, err)
		}
		rows := set.Rows("E", permissions.OpRead, permissions.Subject{ID: "'; DROP", Attributes: map[string]string{"a": "x"}})
		_ = rows.Match(map[string]any{"f": string(data)})
		where, args, err := rows.SQL(map[string]string{"f": "col"}, permissions.Dollar)
		if err != nil {
			t.Fatal(err)
		}
		rest := strings.NewReplacer("col", "", " = ", "", " IN ", "", "(", "", ")", "", ", ", "", "FALSE", "").Replace(where)
		for i := len(args); i >= 1; i-- {
			rest = strings.ReplaceAll(rest, "$"+strconv.Itoa(i), "")
		}
		if rest != "" {
			t.Fatalf("SQL %q carries more than columns and placeholders: %q", where, rest)
		}
	})
}
