package permissions_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// rowRoles decodes roles from JSON, as the data file and the stores do.
func rowRoles(t testing.TB, js string) []permissions.Role {
	t.Helper()
	var roles []permissions.Role
	require.NoError(t, json.Unmarshal([]byte(js), &roles))
	return roles
}

// salesRoles is the policy.
const salesRoles = `[
 {"code": "sales", "entities": {"Customer": ["create", "read", "update"], "Order": ["read"]},
  "rows": {
   "Customer": {"read":   [{"dep_id": "$user.dep_id"}, {"owner_id": "$user.id"}],
                "update": [{"owner_id": "$user.id"}],
                "create": [{"dep_id": "$user.dep_id"}]},
   "Order":    {"read":   [{"status": ["open", "paid"], "company": "$user.company"}]}}},
 {"code": "auditor", "entities": {"Customer": ["read"]}},
 {"code": "wild", "entities": {"*": ["read"]}, "rows": {"Invoice": {"read": [{"company": "$user.company"}]}}}
]`

var ann = permissions.Subject{ID: "u1", Username: "ann", Company: "acme", Attributes: map[string]string{"dep_id": "104"}}

func rowsOf(t testing.TB, roles []permissions.Role, held []string, readOnly, admin bool, entity string, op permissions.Op, u permissions.Subject) permissions.RowFilter {
	t.Helper()
	s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: held, ReadOnly: readOnly, Admin: admin})
	require.NoError(t, err)
	return s.Rows(entity, op, u)
}

func TestRowValueJSON(t *testing.T) {
	valid := []struct {
		in, out string
		want    permissions.RowValue
	}{
		{`"open"`, `"open"`, permissions.RowText("open")},
		{`""`, `""`, permissions.RowText("")},
		{`"$$5 off"`, `"$$5 off"`, permissions.RowText("$5 off")},
		{`"$user.id"`, `"$user.id"`, permissions.RowUser("id")},
		{`"$user.dep_id"`, `"$user.dep_id"`, permissions.RowUser("dep_id")},
		{`3`, `3`, permissions.RowNumber(3)},
		{`-0`, `0`, permissions.RowNumber(0)},
		{`9007199254740991`, `9007199254740991`, permissions.RowNumber(1<<53 - 1)},
		{`-9007199254740991`, `-9007199254740991`, permissions.RowNumber(-(1<<53 - 1))},
		{`true`, `true`, permissions.RowBool(true)},
		{` false `, `false`, permissions.RowBool(false)},
		{`["open", 2, true, "$$x"]`, `["open",2,true,"$$x"]`, permissions.RowOneOf(permissions.RowText("open"), permissions.RowNumber(2), permissions.RowBool(true), permissions.RowText("$x"))},
	}
	for _, tc := range valid {
		t.Run(tc.in, func(t *testing.T) {
			v, err := permissions.ParseRowValue([]byte(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, v, "parsed like the constructor builds it")
			var u permissions.RowValue
			require.NoError(t, json.Unmarshal([]byte(tc.in), &u))
			assert.Equal(t, tc.want, u)
			b, err := json.Marshal(v)
			require.NoError(t, err)
			assert.Equal(t, tc.out, string(b))
		})
	}
	invalid := []struct{ in, sub, msg string }{
		{`null`, "", "null matches nothing"},
		{`{"a": 1}`, "", "want a string"},
		{`3.5`, "", "must be an integer"},
		{`3.0`, "", "must be an integer"},
		{`1e3`, "", "must be an integer"},
		{`007`, "", "must be an integer"},
		{`9007199254740992`, "", "must be an integer"},
		{`-9007199254740992`, "", "must be an integer"},
		{`"$dep_id"`, "", "write $$ for a literal $"},
		{`"$USER.id"`, "", "write $$"},
		{`"$user."`, "", "empty"},
		{`"$user.a b"`, "", "contains"},
		{`"$user.*"`, "", "wildcard"},
		{`[]`, "", "empty list"},
		{`[1, [2]]`, "[1]: ", "not lists"},
		{`["a", "$user.id"]`, "[1]: ", "not references"},
		{`["a", null]`, "[1]: ", "null"},
		{`["a", 2.5]`, "[1]: ", "integer"},
	}
	for _, tc := range invalid {
		t.Run(tc.in, func(t *testing.T) {
			_, err := permissions.ParseRowValue([]byte(tc.in))
			require.Error(t, err)
			assert.ErrorIs(t, err, permissions.ErrBadRowRule)
			assert.True(t, strings.HasPrefix(err.Error(), tc.sub), err.Error())
			assert.Contains(t, err.Error(), tc.msg)
			if !json.Valid([]byte(tc.in)) {
				return // encoding/json refuses it before RowValue sees it
			}
			// Decoding keeps it, for Validate to name the place, and
			// encodes it back as it was.
			var u permissions.RowValue
			require.NoError(t, json.Unmarshal([]byte(tc.in), &u))
			b, err := json.Marshal(u)
			require.NoError(t, err)
			assert.JSONEq(t, tc.in, string(b))
		})
	}
	assert.Error(t, json.Unmarshal([]byte(`{"a": tru}`), &map[string]permissions.RowValue{}), "malformed JSON is still a decoding error")
	_, err := json.Marshal(permissions.RowValue{})
	assert.ErrorIs(t, err, permissions.ErrBadRowRule, "the zero value is invalid")
	_, err = json.Marshal(permissions.RowNumber(1 << 53))
	assert.ErrorIs(t, err, permissions.ErrBadRowRule)
}

func TestRoleValidateRows(t *testing.T) {
	base := func() permissions.Role {
		return permissions.Role{Code: "sales", Entities: map[string][]permissions.Op{"Customer": ops(R, U), "*": ops(R)}}
	}
	cond := func(kv ...any) permissions.Condition {
		c := permissions.Condition{}
		for i := 0; i < len(kv); i += 2 {
			c[kv[i].(string)] = kv[i+1].(permissions.RowValue)
		}
		return c
	}
	dep := cond("dep_id", permissions.RowUser("dep_id"))
	cases := []struct {
		name  string
		rows  map[string]map[string][]permissions.Condition
		field string // "" for valid
		msg   string
	}{
		{"valid", map[string]map[string][]permissions.Condition{"Customer": {"read": {dep, cond("owner_id", permissions.RowUser("id"))}}}, "", ""},
		{"valid through the * grant", map[string]map[string][]permissions.Condition{"Invoice": {"read": {dep}}}, "", ""},
		{"rows on *", map[string]map[string][]permissions.Condition{"*": {"read": {dep}}}, "rows.*", "not \"*\""},
		{"bad entity name", map[string]map[string][]permissions.Condition{"Cust omer": {"read": {dep}}}, "rows", "malformed name"},
		{"no operations", map[string]map[string][]permissions.Condition{"Customer": {}}, "rows.Customer", "no operations"},
		{"unknown operation", map[string]map[string][]permissions.Condition{"Customer": {"reed": {dep}}}, "rows.Customer.reed", "unknown operation"},
		{"operation not granted", map[string]map[string][]permissions.Condition{"Customer": {"delete": {dep}}}, "rows.Customer.delete", "does not grant Customer:delete"},
		{"not granted by the * grant", map[string]map[string][]permissions.Condition{"Invoice": {"update": {dep}}}, "rows.Invoice.update", "does not grant"},
		{"empty list", map[string]map[string][]permissions.Condition{"Customer": {"read": {}}}, "rows.Customer.read", "empty list"},
		{"empty condition", map[string]map[string][]permissions.Condition{"Customer": {"read": {dep, {}}}}, "rows.Customer.read[1]", "match every row"},
		{"bad field name", map[string]map[string][]permissions.Condition{"Customer": {"read": {cond("dep id", permissions.RowText("1"))}}}, "rows.Customer.read[0]", "malformed name"},
		{"zero value", map[string]map[string][]permissions.Condition{"Customer": {"read": {dep, cond("dep_id", permissions.RowValue{})}}}, "rows.Customer.read[1].dep_id", "empty value"},
		{"number out of range", map[string]map[string][]permissions.Condition{"Customer": {"read": {cond("n", permissions.RowNumber(1<<60))}}}, "rows.Customer.read[0].n", "integer"},
		{"reference in a list", map[string]map[string][]permissions.Condition{"Customer": {"read": {cond("s", permissions.RowOneOf(permissions.RowText("a"), permissions.RowUser("id")))}}}, "rows.Customer.read[0].s[1]", "not references"},
		{"bad reference", map[string]map[string][]permissions.Condition{"Customer": {"read": {cond("s", permissions.RowUser(""))}}}, "rows.Customer.read[0].s", "empty"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := base()
			r.Rows = tc.rows
			err := r.Validate()
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			var re *permissions.RoleError
			require.ErrorAs(t, err, &re)
			assert.Equal(t, "sales", re.Role)
			assert.Equal(t, tc.field, re.Field)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), `role "sales": `+tc.field+": ")
			_, err = permissions.Compile(permissions.CompileConfig{Roles: []permissions.Role{r}, Held: []string{"sales"}})
			assert.Error(t, err, "Compile refuses what Validate refuses")
		})
	}
}

func TestRoleValidateRowsFromJSON(t *testing.T) {
	roles := rowRoles(t, `[{"code": "sales", "entities": {"Customer": ["read"]},
	  "rows": {"Customer": {"read": [{"dep_id": "$user.dep_id"}, {"dep_id": 1.5}]}}}]`)
	err := roles[0].Validate()
	var re *permissions.RoleError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "rows.Customer.read[1].dep_id", re.Field)
	assert.ErrorIs(t, err, permissions.ErrBadRowRule)
}

func TestValidateSchemaRows(t *testing.T) {
	schema := permissions.Schema{"Customer": {"name", "dep_id", "owner_id"}, "Order": {"status"}}
	cases := []struct {
		name, rows, field, suggestion string
	}{
		{"valid", `{"Customer": {"read": [{"dep_id": "$user.dep_id"}, {"owner_id": "$user.id", "name": "x"}]}}`, "", ""},
		{"typo in a field", `{"Customer": {"read": [{"dep_id": "$user.dep_id"}, {"ownerid": "$user.id"}]}}`, "rows.Customer.read[1].ownerid", "owner_id"},
		{"another entity's attribute", `{"Customer": {"read": [{"status": "open"}]}}`, "rows.Customer.read[0].status", ""},
		{"entity not in schema", `{"Custmer": {"read": [{"dep_id": "1"}]}}`, "rows.Custmer", "Customer"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			roles := rowRoles(t, `[{"code": "sales", "entities": {"*": ["read"]}, "rows": `+tc.rows+`}]`)
			require.NoError(t, roles[0].Validate())
			err := roles[0].ValidateSchema(schema)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			var se *permissions.SchemaError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.field, se.Field)
			assert.Equal(t, tc.suggestion, se.Suggestion)
			assert.ErrorIs(t, err, permissions.ErrNotInSchema)
		})
	}
}

func TestRowsCombine(t *testing.T) {
	roles := rowRoles(t, salesRoles)
	rec := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	mine := rec("dep_id", "104", "owner_id", "u9")
	owned := rec("dep_id", "200", "owner_id", "u1")
	other := rec("dep_id", "200", "owner_id", "u9")
	cases := []struct {
		name             string
		held             []string
		readOnly, admin  bool
		entity           string
		op               permissions.Op
		all, none        bool
		mine, owned, oth bool
	}{
		{"restricted read: OR of the conditions", []string{"sales"}, false, false, "Customer", R, false, false, true, true, false},
		{"restricted update", []string{"sales"}, false, false, "Customer", U, false, false, false, true, false},
		{"restricted create", []string{"sales"}, false, false, "Customer", C, false, false, true, false, false},
		{"not granted: no row", []string{"sales"}, false, false, "Customer", D, false, true, false, false, false},
		{"an unrestricted grant in another role wins", []string{"sales", "auditor"}, false, false, "Customer", R, true, false, true, true, true},
		{"an unrestricted grant wins whatever the order", []string{"auditor", "sales"}, false, false, "Customer", R, true, false, true, true, true},
		{"the other role does not widen update", []string{"sales", "auditor"}, false, false, "Customer", U, false, false, false, true, false},
		{"admin sees every row", []string{"sales"}, false, true, "Customer", R, true, false, true, true, true},
		{"admin without roles", nil, false, true, "Customer", D, true, false, true, true, true},
		{"read-only keeps the read rule", []string{"sales"}, true, false, "Customer", R, false, false, true, true, false},
		{"read-only: no update at all", []string{"sales"}, true, false, "Customer", U, false, true, false, false, false},
		{"read-only admin: no create", nil, true, true, "Customer", C, false, true, false, false, false},
		{"read-only admin reads every row", nil, true, true, "Customer", R, true, false, true, true, true},
		{"no role", nil, false, false, "Customer", R, false, true, false, false, false},
		{"entity without rules: every row", []string{"sales"}, false, false, "Order", U, false, true, false, false, false},
		{"a * grant restricted on one entity", []string{"wild"}, false, false, "Product", R, true, false, true, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := rowsOf(t, roles, tc.held, tc.readOnly, tc.admin, tc.entity, tc.op, ann)
			assert.Equal(t, tc.all, f.All(), "All")
			assert.Equal(t, tc.none, f.None(), "None")
			assert.Equal(t, tc.mine, f.Match(mine), "row of ann's department")
			assert.Equal(t, tc.owned, f.Match(owned), "row ann owns")
			assert.Equal(t, tc.oth, f.Match(other), "someone else's row")
		})
	}

	t.Run("Order: AND within a condition, one of a list", func(t *testing.T) {
		f := rowsOf(t, roles, []string{"sales"}, false, false, "Order", R, ann)
		assert.True(t, f.Match(rec("status", "open", "company", "acme")))
		assert.True(t, f.Match(rec("status", "paid", "company", "acme")))
		assert.False(t, f.Match(rec("status", "void", "company", "acme")), "not in the list")
		assert.False(t, f.Match(rec("status", "open", "company", "other")), "both fields must match")
		assert.False(t, f.Match(rec("status", "open")), "a missing field never matches")
	})
	t.Run("Invoice through the * grant", func(t *testing.T) {
		f := rowsOf(t, roles, []string{"wild"}, false, false, "Invoice", R, ann)
		assert.False(t, f.All())
		assert.True(t, f.Match(rec("company", "acme")))
		assert.False(t, f.Match(rec("company", "globex")))
	})
	t.Run("the zero RowFilter allows nothing", func(t *testing.T) {
		var f permissions.RowFilter
		assert.True(t, f.None())
		assert.False(t, f.All())
		assert.False(t, f.Match(mine))
		where, args, err := f.SQL(nil, permissions.Dollar)
		require.NoError(t, err)
		assert.Equal(t, "FALSE", where)
		assert.Empty(t, args)
	})
	t.Run("a nil Set allows nothing", func(t *testing.T) {
		var s *permissions.Set
		assert.True(t, s.Rows("Customer", R, ann).None())
	})
}

func TestRowsFailClosed(t *testing.T) {
	roles := rowRoles(t, salesRoles)
	row := map[string]any{"dep_id": "", "owner_id": ""}
	cases := []struct {
		name string
		u    permissions.Subject
		none bool
	}{
		{"no dep_id attribute, no id", permissions.Subject{Username: "x", Company: "acme"}, true},
		{"empty dep_id and id", permissions.Subject{Attributes: map[string]string{"dep_id": ""}}, true},
		{"id only: the owner condition lives", permissions.Subject{ID: "u7"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := rowsOf(t, roles, []string{"sales"}, false, false, "Customer", R, tc.u)
			assert.False(t, f.All())
			assert.Equal(t, tc.none, f.None())
			assert.False(t, f.Match(row), "a missing or empty value never matches an empty column")
			where, args, err := f.SQL(map[string]string{"dep_id": "dep_id", "owner_id": "owner_id"}, permissions.Dollar)
			require.NoError(t, err)
			if tc.none {
				assert.Equal(t, "FALSE", where)
				assert.Empty(t, args)
			} else {
				assert.Equal(t, "owner_id = $1", where)
				assert.Equal(t, []any{"u7"}, args)
			}
		})
	}
	t.Run("an attribute named id is not the id", func(t *testing.T) {
		f := rowsOf(t, roles, []string{"sales"}, false, false, "Customer", U, permissions.Subject{Attributes: map[string]string{"id": "u1"}})
		assert.False(t, f.Match(map[string]any{"owner_id": "u1"}))
	})
}

type depID string

func TestRowsCompareStrictly(t *testing.T) {
	roles := rowRoles(t, `[{"code": "r", "entities": {"E": ["read"]}, "rows": {"E": {"read": [
	  {"n": 3}, {"s": "3"}, {"b": true}, {"l": [1, "one", false]}, {"u": "$user.dep_id"}, {"neg": -2}]}}}]`)
	f := rowsOf(t, roles, []string{"r"}, false, false, "E", R, ann)
	cases := []struct {
		field string
		value any
		want  bool
	}{
		{"n", 3, true},
		{"n", int8(3), true},
		{"n", int16(3), true},
		{"n", int32(3), true},
		{"n", int64(3), true},
		{"n", uint(3), true},
		{"n", uint8(3), true},
		{"n", uint16(3), true},
		{"n", uint32(3), true},
		{"n", uint64(3), true},
		{"n", float32(3), true},
		{"n", float64(3), true},
		{"n", json.Number("3"), true},
		{"n", json.Number("3.0"), true},
		{"n", json.Number("3.5"), false},
		{"n", json.Number("x"), false},
		{"n", 3.5, false},
		{"n", math.NaN(), false},
		{"n", uint64(1<<64 - 1), false},
		{"n", int64(3 + 1<<32), false},
		{"n", "3", false},
		{"n", true, false},
		{"n", nil, false},
		{"n", []any{3}, false},
		{"neg", -2, true},
		{"neg", uint64(1<<64 - 2), false},
		{"s", "3", true},
		{"s", 3, false},
		{"s", []byte("3"), false},
		{"s", depID("3"), false},
		{"s", " 3", false},
		{"b", true, true},
		{"b", false, false},
		{"b", 1, false},
		{"b", "true", false},
		{"l", 1, true},
		{"l", 1.0, true},
		{"l", "one", true},
		{"l", false, true},
		{"l", true, false},
		{"l", "1", false},
		{"l", 0, false},
		{"u", "104", true},
		{"u", 104, false},
		{"u", "1040", false},
	}
	for _, tc := range cases {
		t.Run(tc.field, func(t *testing.T) {
			assert.Equal(t, tc.want, f.Match(map[string]any{tc.field: tc.value}), "%s = %#v", tc.field, tc.value)
		})
	}
}

func TestRowsSQL(t *testing.T) {
	roles := rowRoles(t, salesRoles)
	cols := map[string]string{"dep_id": "c.dep_id", "owner_id": "owner_id", "status": "o.status", "company": `"o"."Company"`}
	cases := []struct {
		name   string
		held   []string
		entity string
		op     permissions.Op
		style  permissions.Placeholder
		where  string
		args   []any
	}{
		{"OR", []string{"sales"}, "Customer", R, permissions.Dollar, "(c.dep_id = $1 OR owner_id = $2)", []any{"104", "u1"}},
		{"OR with ?", []string{"sales"}, "Customer", R, permissions.Question, "(c.dep_id = ? OR owner_id = ?)", []any{"104", "u1"}},
		{"one comparison", []string{"sales"}, "Customer", U, permissions.Dollar, "owner_id = $1", []any{"u1"}},
		{"AND and IN", []string{"sales"}, "Order", R, permissions.Dollar, `("o"."Company" = $1 AND o.status IN ($2, $3))`, []any{"acme", "open", "paid"}},
		{"every row", []string{"sales", "auditor"}, "Customer", R, permissions.Dollar, "TRUE", nil},
		{"no row", []string{"sales"}, "Customer", D, permissions.Question, "FALSE", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := rowsOf(t, roles, tc.held, false, false, tc.entity, tc.op, ann)
			where, args, err := f.SQL(cols, tc.style)
			require.NoError(t, err)
			assert.Equal(t, tc.where, where)
			assert.Equal(t, tc.args, args)
		})
	}

	f := rowsOf(t, roles, []string{"sales"}, false, false, "Customer", R, ann)
	t.Run("AppendSQL continues the numbering", func(t *testing.T) {
		b, args, err := f.AppendSQL([]byte("SELECT * FROM c WHERE tenant = $1 AND "), cols, permissions.Dollar, []any{"t"})
		require.NoError(t, err)
		assert.Equal(t, "SELECT * FROM c WHERE tenant = $1 AND (c.dep_id = $2 OR owner_id = $3)", string(b))
		assert.Equal(t, []any{"t", "104", "u1"}, args)
	})
	t.Run("an attribute without a column is an error", func(t *testing.T) {
		_, _, err := f.SQL(map[string]string{"dep_id": "dep_id"}, permissions.Dollar)
		assert.ErrorIs(t, err, permissions.ErrNoColumn)
		assert.Contains(t, err.Error(), `"owner_id"`)
		// Even for a user whose own values leave that condition out.
		g := rowsOf(t, roles, []string{"sales"}, false, false, "Customer", R, permissions.Subject{Attributes: ann.Attributes})
		_, _, err = g.SQL(map[string]string{"dep_id": "dep_id"}, permissions.Dollar)
		assert.ErrorIs(t, err, permissions.ErrNoColumn)
	})
	t.Run("unknown placeholder style", func(t *testing.T) {
		_, _, err := f.SQL(cols, 0)
		assert.Error(t, err)
	})
	for _, col := range []string{"", "dep id", "dep_id; DROP TABLE x; --", "1dep", "a..b", ".a", "a.", `"a""b"`, `""`, `"a`, "a-b", "a/*x*/", "a)", "dep_id OR 1=1", "ü", `"a"b`, `"a\"`, "TRUE", "true", "c.NULL", "current_user"} {
		t.Run("column "+col+" is refused", func(t *testing.T) {
			_, _, err := f.SQL(map[string]string{"dep_id": col, "owner_id": "owner_id"}, permissions.Dollar)
			assert.ErrorIs(t, err, permissions.ErrBadColumn)
		})
	}
	for _, col := range []string{"dep_id", "c.dep_id", "s.c.dep_id", "_x1", "a$b", `"Dep Id"`, `"weird; --"."x"`, `"true"`, "truename"} {
		t.Run("column "+col+" is accepted", func(t *testing.T) {
			where, _, err := f.SQL(map[string]string{"dep_id": col, "owner_id": "owner_id"}, permissions.Dollar)
			require.NoError(t, err)
			assert.Equal(t, "("+col+" = $1 OR owner_id = $2)", where)
		})
	}
}

func TestRowsSQLInjection(t *testing.T) {
	evil := "'; DROP TABLE x; --"
	roles := rowRoles(t, `[{"code": "r", "entities": {"E": ["read"]}, "rows": {"E": {"read": [
	  {"a": "'; DROP TABLE x; --"}, {"b": ["'; DROP TABLE x; --", "ok"]}, {"c": "$user.evil"}, {"d": "$user.username"}]}}}]`)
	u := permissions.Subject{Username: evil, Attributes: map[string]string{"evil": evil}}
	f := rowsOf(t, roles, []string{"r"}, false, false, "E", R, u)
	where, args, err := f.SQL(map[string]string{"a": "a", "b": "b", "c": "c", "d": "d"}, permissions.Dollar)
	require.NoError(t, err)
	assert.Equal(t, "(a = $1 OR b IN ($2, $3) OR c = $4 OR d = $5)", where)
	assert.Equal(t, []any{evil, evil, "ok", evil, evil}, args, "the values are only ever arguments")
	assert.NotContains(t, where, "DROP")
	assert.True(t, f.Match(map[string]any{"c": evil}))

	t.Run("an attribute name reaches SQL only through the column map", func(t *testing.T) {
		// A condition field is a validated name; even one that reads like
		// SQL is looked up in the map and never written itself.
		r := permissions.Role{Code: "r", Entities: map[string][]permissions.Op{"E": ops(R)},
			Rows: map[string]map[string][]permissions.Condition{"E": {"read": {{"x'OR'1'='1": permissions.RowText("v")}}}}}
		require.NoError(t, r.Validate())
		g := rowsOf(t, []permissions.Role{r}, []string{"r"}, false, false, "E", R, ann)
		where, args, err := g.SQL(map[string]string{"x'OR'1'='1": "x"}, permissions.Question)
		require.NoError(t, err)
		assert.Equal(t, "x = ?", where)
		assert.Equal(t, []any{"v"}, args)
		_, _, err = g.SQL(map[string]string{"x": "x"}, permissions.Question)
		assert.ErrorIs(t, err, permissions.ErrNoColumn)
	})
}

func TestRowGuard(t *testing.T) {
	roles := rowRoles(t, salesRoles)
	s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales"}})
	require.NoError(t, err)
	mine := map[string]any{"dep_id": "104", "owner_id": "u1", "name": "Acme"}
	moved := map[string]any{"dep_id": "104", "owner_id": "u9", "name": "Acme"}
	foreign := map[string]any{"dep_id": "200", "owner_id": "u9", "name": "Globex"}

	up := s.Rows("Customer", U, ann)
	require.NoError(t, up.CheckUpdate(mine, mine), "an update of own row keeping it")
	err = up.CheckUpdate(mine, moved)
	var re *permissions.RowError
	require.ErrorAs(t, err, &re, "an update that moves the row out of the user's rows")
	assert.ErrorIs(t, err, permissions.ErrRowDenied)
	assert.Equal(t, "the row after the change", re.Row)
	assert.Equal(t, "Customer", re.Entity)
	assert.Equal(t, U, re.Op)
	assert.Equal(t, []string{`role "sales" rows.Customer.update[0] {"owner_id":"$user.id"}`}, re.Rules)
	assert.Contains(t, err.Error(), `Customer:update: the row after the change matches no rule (role "sales" rows.Customer.update[0] {"owner_id":"$user.id"})`)

	err = up.CheckUpdate(moved, mine)
	require.ErrorAs(t, err, &re, "an update that takes over someone else's row")
	assert.Equal(t, "the row before the change", re.Row)

	cr := s.Rows("Customer", C, ann)
	require.NoError(t, cr.Check(mine), "create in the user's department")
	err = cr.Check(foreign)
	require.ErrorAs(t, err, &re, "create in another department")
	assert.Contains(t, err.Error(), "rows.Customer.create[0]")

	del := s.Rows("Customer", D, ann)
	err = del.Check(mine)
	require.ErrorAs(t, err, &re, "an operation not granted")
	assert.Empty(t, re.Rules)
	assert.EqualError(t, err, "permissions: row not allowed: Customer:delete is not granted")

	admin, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Admin: true})
	require.NoError(t, err)
	assert.NoError(t, admin.Rows("Customer", U, ann).CheckUpdate(foreign, moved))

	ro, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales"}, ReadOnly: true})
	require.NoError(t, err)
	assert.ErrorIs(t, ro.Rows("Customer", U, ann).CheckUpdate(mine, mine), permissions.ErrRowDenied, "read-only: no update even of own rows")
	assert.ErrorIs(t, ro.Rows("Customer", C, ann).Check(mine), permissions.ErrRowDenied, "read-only: no create")
}

func TestRowExplain(t *testing.T) {
	roles := rowRoles(t, salesRoles)
	s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales"}})
	require.NoError(t, err)
	f := s.Rows("Customer", R, ann)
	e := f.Explain(map[string]any{"dep_id": "200", "owner_id": "u1"})
	assert.Equal(t, permissions.RowExplanation{Entity: "Customer", Op: R, Allowed: true, Reason: permissions.ReasonRow,
		Role: "sales", Rule: "rows.Customer.read[1]", Condition: `{"owner_id":"$user.id"}`}, e)
	assert.Equal(t, `Customer:read allowed: condition rows.Customer.read[1] {"owner_id":"$user.id"} of role "sales"`, e.String())

	e = f.Explain(map[string]any{"dep_id": "200", "owner_id": "u9"})
	assert.False(t, e.Allowed)
	assert.Equal(t, permissions.ReasonDefaultDeny, e.Reason)
	assert.Equal(t, "Customer:read denied: no grant or condition allows the row", e.String())

	both, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales", "auditor"}})
	require.NoError(t, err)
	e = both.Rows("Customer", R, ann).Explain(map[string]any{})
	assert.True(t, e.Allowed)
	assert.Equal(t, permissions.ReasonGrant, e.Reason)
	assert.Equal(t, "auditor", e.Role, "the role granting every row, not the restricted one before it")
	assert.Equal(t, `Customer:read allowed: role "auditor" grants it on every row`, e.String())

	admin, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Admin: true})
	require.NoError(t, err)
	assert.Equal(t, permissions.ReasonAdmin, admin.Rows("Customer", D, ann).Explain(nil).Reason)

	ro, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales"}, ReadOnly: true})
	require.NoError(t, err)
	e = ro.Rows("Customer", U, ann).Explain(map[string]any{"owner_id": "u1"})
	assert.False(t, e.Allowed)
	assert.Equal(t, permissions.ReasonReadOnly, e.Reason)

	t.Run("Set.Explain says the operation is on some rows", func(t *testing.T) {
		x, err := s.Explain("Customer:read")
		require.NoError(t, err)
		assert.Equal(t, 1, x.Value, "allowed on some rows is 1, as in /permissions")
		assert.True(t, x.Rows)
		assert.Equal(t, "rows.Customer.read", x.Rule)
		assert.Equal(t, `Customer:read = 1: grant Customer [create read update] of role "sales", on the rows of rows.Customer.read`, x.String())

		x, err = both.Explain("Customer:read")
		require.NoError(t, err)
		assert.False(t, x.Rows, "an unrestricted grant wins")
		assert.Equal(t, "auditor", x.Role)

		x, err = s.Explain("Order:update")
		require.NoError(t, err)
		assert.Equal(t, 0, x.Value)
		assert.False(t, x.Rows)
	})
}

func TestRowsKeepDocument(t *testing.T) {
	restricted := rowRoles(t, salesRoles)
	plain := rowRoles(t, salesRoles)
	for i := range plain {
		plain[i].Rows = nil
	}
	schema := permissions.Schema{"Customer": {"dep_id", "owner_id", "name"}, "Order": {"status", "company"}, "Invoice": {"company"}}
	for _, held := range [][]string{{"sales"}, {"wild"}, {"sales", "auditor"}} {
		a := compile(t, pickRoles(restricted, held), false, false)
		b := compile(t, pickRoles(plain, held), false, false)
		assert.Equal(t, b.Document(schema), a.Document(schema), "an operation allowed on some rows is 1 in /permissions")
		for _, tv := range a.Document(schema).Entities {
			if tv.Target == "Customer:read" && held[0] == "sales" {
				assert.Equal(t, 1, tv.Value)
			}
		}
	}
}

// pickRoles returns the roles of codes held, in that order.
func pickRoles(roles []permissions.Role, held []string) []permissions.Role {
	var out []permissions.Role
	for _, h := range held {
		for _, r := range roles {
			if r.Code == h {
				out = append(out, r)
			}
		}
	}
	return out
}

func TestRowsSharedAndImmutable(t *testing.T) {
	roles := rowRoles(t, salesRoles)
	c := permissions.NewCache(0)
	load := func() ([]permissions.Role, error) { return roles, nil }
	s1, err := c.Get(1, []string{"sales"}, false, false, load)
	require.NoError(t, err)
	s2, err := c.Get(1, []string{"sales"}, false, false, load)
	require.NoError(t, err)
	require.Same(t, s1, s2, "one compiled set per role combination")
	bob := permissions.Subject{ID: "u2", Attributes: map[string]string{"dep_id": "200"}}
	row := map[string]any{"dep_id": "200"}
	assert.False(t, s1.Rows("Customer", R, ann).Match(row))
	assert.True(t, s2.Rows("Customer", R, bob).Match(row), "the shared set binds to each user")

	// Changing the roles after compiling does not reach the set.
	roles[0].Rows["Customer"]["read"][0]["dep_id"] = permissions.RowText("200")
	assert.False(t, s1.Rows("Customer", R, ann).Match(row))
}

func TestRowsAllocations(t *testing.T) {
	roles := rowRoles(t, salesRoles)
	s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"sales"}})
	require.NoError(t, err)
	row := map[string]any{"dep_id": "200", "owner_id": "u1", "name": "Acme"}
	allocs := testing.AllocsPerRun(100, func() {
		f := s.Rows("Customer", R, ann)
		if !f.Match(row) || f.Check(row) != nil || f.None() {
			t.Fatal("must match")
		}
	})
	assert.Zero(t, allocs, "binding and matching allocate nothing")
}

func TestRowsRoundTripJSON(t *testing.T) {
	roles := rowRoles(t, salesRoles)
	b, err := json.Marshal(roles)
	require.NoError(t, err)
	var again []permissions.Role
	require.NoError(t, json.Unmarshal(b, &again))
	assert.Equal(t, roles, again, "a role store keeps rows through JSON")
	assert.Equal(t, roles[0], roles[0].Clone())
	cl := roles[0].Clone()
	cl.Rows["Customer"]["read"][0]["x"] = permissions.RowText("y")
	assert.NotContains(t, roles[0].Rows["Customer"]["read"][0], "x", "Clone copies the rows deeply")
	assert.True(t, errors.Is(roles[0].Validate(), nil))
}
