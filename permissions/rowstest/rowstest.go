// Package rowstest checks row-level permissions against a reference: it
// generates random policies with row rules, users and records ([NewCase],
// [Case.Record]) and says, by a plain reading of the rules in package
// permissions' documentation ("Row-level permissions"), whether a record is
// allowed ([Case.Allowed]). It does not use the compiled [permissions.Set]:
// a property test compares the two, and compares the rows a database
// selects with permissions.RowFilter.SQL's WHERE with it.
//
// The generated entity is [Entity]; its attributes are [Fields], with
// columns of the same names. Every field holds values of one type (text,
// number or boolean) unless [Config].Mixed, when the text and number
// fields hold strings, integers and floats alike: SQLite's untyped columns
// can store that, PostgreSQL's typed ones cannot.
package rowstest

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// Entity is the entity every generated role restricts.
const Entity = "E"

// Kind is the type of the values a field holds.
type Kind uint8

// The kinds of fields.
const (
	Text Kind = iota
	Number
	Bool
)

// Field is an attribute of [Entity].
type Field struct {
	Name string
	Kind Kind
}

// Fields returns the attributes of [Entity]: t1 and t2 (text), n (number)
// and b (boolean).
func Fields() []Field {
	return []Field{{"t1", Text}, {"t2", Text}, {"n", Number}, {"b", Bool}}
}

// Config says what [NewCase] generates.
type Config struct {
	// Mixed lets text and number fields hold, and be compared with, values
	// of either type (strings, integers, floats).
	Mixed bool
	// GoTypes lets records hold every Go type permissions.RowFilter.Match
	// compares (int, int32, uint64, float32, json.Number, …), not only
	// string, int64, float64 and bool, which database/sql stores as they
	// are.
	GoTypes bool
}

// Case is one random policy, user and entity operation.
type Case struct {
	Config   Config
	Roles    []permissions.Role
	Held     []string
	ReadOnly bool
	Admin    bool
	User     permissions.Subject
	Op       permissions.Op
}

// The values records, constants and users draw from: small pools, so that
// matches are frequent, with an injection attempt among them.
var (
	texts   = []string{"104", "105", "acme", "globex", "u1", "ann", "3", "", "'; DROP TABLE x; --"}
	numbers = []int64{0, 1, 3, -1, -2, 104, 1<<53 - 1}
)

// NewCase returns a random case.
func NewCase(rng *rand.Rand, cfg Config) Case {
	c := Case{Config: cfg, Op: permissions.Op(rng.IntN(4))}
	nroles := 1 + rng.IntN(3)
	for i := range nroles {
		r := permissions.Role{Code: "r" + strconv.Itoa(i), Entities: map[string][]permissions.Op{}}
		key := Entity
		if rng.IntN(4) == 0 {
			key = permissions.Wildcard
		}
		var granted []permissions.Op
		for op := range permissions.Op(4) {
			if rng.IntN(3) > 0 {
				granted = append(granted, op)
			}
		}
		r.Entities[key] = granted
		for _, op := range granted {
			if rng.IntN(5) < 3 {
				if r.Rows == nil {
					r.Rows = map[string]map[string][]permissions.Condition{Entity: {}}
				}
				var conds []permissions.Condition
				for range 1 + rng.IntN(3) {
					conds = append(conds, c.condition(rng))
				}
				r.Rows[Entity][op.String()] = conds
			}
		}
		for j := i + 1; j < nroles; j++ {
			if rng.IntN(3) == 0 {
				r.Base = append(r.Base, "r"+strconv.Itoa(j))
			}
		}
		c.Roles = append(c.Roles, r)
	}
	for _, r := range c.Roles {
		if rng.IntN(3) > 0 {
			c.Held = append(c.Held, r.Code)
		}
	}
	c.ReadOnly = rng.IntN(7) == 0
	c.Admin = rng.IntN(10) == 0
	c.User = permissions.Subject{
		ID:       pick(rng, []string{"u1", "u2", ""}),
		Username: pick(rng, []string{"ann", "bob"}),
		Company:  pick(rng, []string{"acme", "globex", ""}),
	}
	if rng.IntN(4) > 0 {
		c.User.Attributes = map[string]string{}
		for _, a := range []string{"dep_id", "t"} {
			if rng.IntN(3) > 0 {
				c.User.Attributes[a] = pick(rng, texts)
			}
		}
	}
	return c
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func (c *Case) condition(rng *rand.Rand) permissions.Condition {
	cond := permissions.Condition{}
	fields := Fields()
	for range 1 + rng.IntN(3) {
		f := pick(rng, fields)
		cond[f.Name] = c.value(rng, f.Kind)
	}
	return cond
}

func (c *Case) value(rng *rand.Rand, k Kind) permissions.RowValue {
	if k == Text && rng.IntN(3) == 0 {
		return permissions.RowUser(pick(rng, []string{"id", "username", "company", "dep_id", "t", "missing"}))
	}
	if rng.IntN(3) == 0 {
		var vs []permissions.RowValue
		for range 1 + rng.IntN(3) {
			vs = append(vs, c.constant(rng, k))
		}
		return permissions.RowOneOf(vs...)
	}
	return c.constant(rng, k)
}

func (c *Case) constant(rng *rand.Rand, k Kind) permissions.RowValue {
	if c.Config.Mixed && k != Bool {
		k = Kind(rng.IntN(2))
	}
	switch k {
	case Text:
		return permissions.RowText(pick(rng, texts))
	case Number:
		return permissions.RowNumber(pick(rng, numbers))
	}
	return permissions.RowBool(rng.IntN(2) == 0)
}

// Record returns a random record of [Entity]: each field missing, nil, or
// a value of its kind (of any kind but boolean with Config.Mixed).
func (c Case) Record(rng *rand.Rand) map[string]any {
	rec := map[string]any{}
	for _, f := range Fields() {
		switch rng.IntN(8) {
		case 0:
			continue // missing
		case 1:
			rec[f.Name] = nil
			continue
		}
		k := f.Kind
		if c.Config.Mixed && k != Bool {
			k = Kind(rng.IntN(2))
		}
		rec[f.Name] = c.recordValue(rng, k)
	}
	return rec
}

func (c Case) recordValue(rng *rand.Rand, k Kind) any {
	switch k {
	case Text:
		return pick(rng, append(slices.Clone(texts), "u2", "bob"))
	case Bool:
		return rng.IntN(2) == 0
	}
	n := pick(rng, numbers)
	switch rng.IntN(4) {
	case 0:
		return float64(n) + 0.5
	case 1:
		return float64(n)
	}
	if !c.Config.GoTypes {
		return n
	}
	switch rng.IntN(6) {
	case 0:
		return int(n)
	case 1:
		return int32(n)
	case 2:
		if n < 0 {
			return uint64(1<<64 - 1) // no constant equals it
		}
		return uint64(n)
	case 3:
		return float32(n) // exact for the small numbers, the large one rounds away
	case 4:
		return json.Number(strconv.FormatInt(n, 10))
	}
	return n
}

// Allowed reports whether the case's user may perform the case's operation
// on record, by the rules as the documentation states them.
func (c Case) Allowed(record map[string]any) bool {
	if c.ReadOnly && c.Op != permissions.OpRead {
		return false
	}
	if c.Admin {
		return true
	}
	for _, r := range reach(c.Roles, c.Held) {
		ops, ok := r.Entities[Entity]
		if !ok {
			ops, ok = r.Entities[permissions.Wildcard]
		}
		if !ok || !slices.Contains(ops, c.Op) {
			continue
		}
		conds, restricted := r.Rows[Entity][c.Op.String()]
		if !restricted {
			return true
		}
		for _, cond := range conds {
			if c.conditionHolds(cond, record) {
				return true
			}
		}
	}
	return false
}

func reach(roles []permissions.Role, held []string) []permissions.Role {
	byCode := map[string]permissions.Role{}
	for _, r := range roles {
		byCode[r.Code] = r
	}
	seen := map[string]bool{}
	var out []permissions.Role
	var walk func(string)
	walk = func(code string) {
		if seen[code] {
			return
		}
		seen[code] = true
		out = append(out, byCode[code])
		for _, b := range byCode[code].Base {
			walk(b)
		}
	}
	for _, h := range held {
		walk(h)
	}
	return out
}

func (c Case) conditionHolds(cond permissions.Condition, record map[string]any) bool {
	for field, v := range cond {
		got, ok := record[field]
		if !ok || got == nil {
			return false
		}
		// Read the value back from its JSON form, independently of the
		// compiled representation.
		b, err := json.Marshal(v)
		if err != nil {
			return false
		}
		var want any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if dec.Decode(&want) != nil {
			return false
		}
		if s, ok := want.(string); ok && strings.HasPrefix(s, "$user.") {
			u := c.userValue(strings.TrimPrefix(s, "$user."))
			if s, ok := got.(string); !ok || u == "" || s != u {
				return false
			}
			continue
		}
		list, isList := want.([]any)
		if !isList {
			list = []any{want}
		}
		if !slices.ContainsFunc(list, func(w any) bool { return equal(w, got) }) {
			return false
		}
	}
	return true
}

func (c Case) userValue(name string) string {
	switch name {
	case "id":
		return c.User.ID
	case "username":
		return c.User.Username
	case "company":
		return c.User.Company
	}
	return c.User.Attributes[name]
}

// equal compares a constant decoded from JSON (a string, json.Number or
// bool) with a record value: strings with Go strings only ("$$" is a
// literal "$"), booleans with Go bools only, numbers with Go numbers of
// exactly the same value.
func equal(want, got any) bool {
	switch w := want.(type) {
	case string:
		if strings.HasPrefix(w, "$$") {
			w = w[1:]
		}
		g, ok := got.(string)
		return ok && g == w
	case bool:
		g, ok := got.(bool)
		return ok && g == w
	case json.Number:
		n, err := strconv.ParseInt(string(w), 10, 64)
		if err != nil {
			return false
		}
		switch g := got.(type) {
		case int:
			return int64(g) == n
		case int32:
			return int64(g) == n
		case int64:
			return g == n
		case uint64:
			return n >= 0 && g == uint64(n)
		case float32:
			return float64(g) == float64(n)
		case float64:
			return g == float64(n)
		case json.Number:
			f, err := strconv.ParseFloat(string(g), 64)
			return err == nil && f == float64(n)
		}
	}
	return false
}
