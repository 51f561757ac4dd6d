package permissions_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/gatehouse-go/gatehouse/permissions"
)

type P = permissions.Role
type attrs = map[string]map[string]permissions.Access

const (
	H  = permissions.Hidden
	Rd = permissions.Read
	M  = permissions.Modify
)

// check is one expectation: "Entity:op" → want (0/1), "Entity:attr" → want
// (an Access), or a specific name → want (0/1).
type check struct {
	target string
	want   int
}

func TestSemantics(t *testing.T) {
	tests := []struct {
		name     string
		roles    []P
		readOnly bool
		admin    bool
		checks   []check
	}{
		{
			name:   "no roles: default deny",
			checks: []check{{"Customer:read", 0}, {"Customer:name", 0}, {"*:read", 0}, {"report_gen", 0}, {"*", 0}},
		},
		{
			name:  "entity grant allows only its operations",
			roles: []P{{Code: "a", Entities: map[string][]permissions.Op{"Customer": ops(C, R)}}},
			checks: []check{
				{"Customer:create", 1}, {"Customer:read", 1}, {"Customer:update", 0}, {"Customer:delete", 0},
				{"Product:read", 0},
			},
		},
		{
			name:  "wildcard entity grant answers entities no grant names",
			roles: []P{{Code: "a", Entities: map[string][]permissions.Op{"*": ops(R)}}},
			checks: []check{
				{"Anything:read", 1}, {"Anything:update", 0}, {"*:read", 1},
			},
		},
		{
			name: "within a role the entity's own entry beats the wildcard",
			roles: []P{{Code: "a", Entities: map[string][]permissions.Op{
				"*": ops(C, R, U, D), "Customer": ops(R),
			}}},
			checks: []check{
				{"Customer:read", 1}, {"Customer:update", 0}, {"Customer:delete", 0},
				{"Product:delete", 1},
			},
		},
		{
			name: "an entity entry with no operations denies the entity in that role",
			roles: []P{{Code: "a", Entities: map[string][]permissions.Op{
				"*": ops(C, R, U, D), "Secret": {},
			}}},
			checks: []check{{"Secret:read", 0}, {"Secret:create", 0}, {"Other:read", 1}},
		},
		{
			name: "across roles the most permissive wins: another role's wildcard lifts an empty entry",
			roles: []P{
				{Code: "a", Entities: map[string][]permissions.Op{"*": ops(R, U), "Secret": {}}},
				{Code: "b", Entities: map[string][]permissions.Op{"*": ops(R)}},
			},
			checks: []check{{"Secret:read", 1}, {"Secret:update", 0}, {"Other:update", 1}},
		},
		{
			name: "union of operations across roles",
			roles: []P{
				{Code: "a", Entities: map[string][]permissions.Op{"Customer": ops(R)}},
				{Code: "b", Entities: map[string][]permissions.Op{"Customer": ops(D)}},
			},
			checks: []check{{"Customer:read", 1}, {"Customer:delete", 1}, {"Customer:create", 0}},
		},
		{
			name: "attribute specificity within a role: (E,a) over (E,*) over (*,a) over (*,*)",
			roles: []P{{
				Code:     "a",
				Entities: map[string][]permissions.Op{"*": ops(C, R, U)},
				Attributes: attrs{
					"Product": {"*": Rd, "tags": H},
					"*":       {"*": M, "price": H, "name": Rd},
				},
			}},
			checks: []check{
				{"Product:tags", 0},   // (E,a) hidden beats (E,*) read
				{"Product:price", 1},  // (E,*) read beats (*,a) hidden
				{"Product:other", 1},  // (E,*)
				{"Customer:price", 0}, // (*,a) hidden beats (*,*) modify
				{"Customer:name", 1},  // (*,a) read beats (*,*) modify
				{"Customer:other", 2}, // (*,*)
				{"*:other", 2},
				{"*:price", 0},
			},
		},
		{
			name: "attributes: most permissive across roles",
			roles: []P{
				{Code: "a", Entities: map[string][]permissions.Op{"Product": ops(R, U)}, Attributes: attrs{"Product": {"*": Rd, "tags": H}}},
				{Code: "b", Attributes: attrs{"Product": {"tags": M}}},
			},
			checks: []check{{"Product:tags", 2}, {"Product:name", 1}},
		},
		{
			name: "an attribute no grant mentions is hidden",
			roles: []P{{Code: "a", Entities: map[string][]permissions.Op{"Customer": ops(C, R, U, D)},
				Attributes: attrs{"Customer": {"name": M}}}},
			checks: []check{{"Customer:name", 2}, {"Customer:type", 0}, {"Product:name", 0}},
		},
		{
			name:   "attribute hidden without read on the entity",
			roles:  []P{{Code: "a", Entities: map[string][]permissions.Op{"Customer": ops(C, U, D)}, Attributes: attrs{"*": {"*": M}}}},
			checks: []check{{"Customer:name", 0}, {"Customer:update", 1}},
		},
		{
			name:   "attribute at most read with read but neither create nor update",
			roles:  []P{{Code: "a", Entities: map[string][]permissions.Op{"Customer": ops(R, D)}, Attributes: attrs{"Customer": {"*": M}}}},
			checks: []check{{"Customer:name", 1}},
		},
		{
			name:   "attribute may be modified with read and create",
			roles:  []P{{Code: "a", Entities: map[string][]permissions.Op{"Customer": ops(R, C)}, Attributes: attrs{"Customer": {"*": M}}}},
			checks: []check{{"Customer:name", 2}},
		},
		{
			name: "the entity cap uses the combined operations of all roles",
			roles: []P{
				{Code: "a", Attributes: attrs{"Customer": {"*": M}}},
				{Code: "b", Entities: map[string][]permissions.Op{"Customer": ops(R)}},
				{Code: "c", Entities: map[string][]permissions.Op{"Customer": ops(U)}},
			},
			checks: []check{{"Customer:name", 2}},
		},
		{
			name: "the entity cap applies to entities only wildcards cover",
			roles: []P{{Code: "a", Entities: map[string][]permissions.Op{"*": ops(R), "Customer": ops(R, U)},
				Attributes: attrs{"*": {"*": M}}}},
			checks: []check{{"Customer:name", 2}, {"Product:name", 1}, {"*:name", 1}},
		},
		{
			name: "specific permissions by name and wildcard",
			roles: []P{
				{Code: "a", Specifics: []string{"report_gen"}},
				{Code: "b", Specifics: []string{"user_lock"}},
			},
			checks: []check{{"report_gen", 1}, {"user_lock", 1}, {"entity_publish", 0}, {"*", 0}},
		},
		{
			name:   "a wildcard specific grant allows every specific permission",
			roles:  []P{{Code: "a", Specifics: []string{"*"}}},
			checks: []check{{"report_gen", 1}, {"anything", 1}, {"*", 1}},
		},
		{
			name: "read_only caps at reading",
			roles: []P{{Code: "a", Entities: map[string][]permissions.Op{"*": ops(C, R, U, D)},
				Attributes: attrs{"*": {"*": M, "secret": H}}, Specifics: []string{"*", "report_gen"}}},
			readOnly: true,
			checks: []check{
				{"Customer:read", 1}, {"Customer:create", 0}, {"Customer:update", 0}, {"Customer:delete", 0},
				{"Customer:name", 1}, {"Customer:secret", 0}, {"report_gen", 0}, {"*", 0},
			},
		},
		{
			name:  "admin is allowed everything",
			admin: true,
			checks: []check{
				{"Customer:create", 1}, {"Customer:delete", 1}, {"Any:read", 1},
				{"Customer:name", 2}, {"report_gen", 1}, {"*", 1},
			},
		},
		{
			name:     "admin still capped by read_only",
			admin:    true,
			readOnly: true,
			roles:    []P{{Code: "a", Specifics: []string{"report_gen"}}},
			checks: []check{
				{"Customer:read", 1}, {"Customer:create", 0}, {"Customer:delete", 0},
				{"Customer:name", 1}, {"report_gen", 0},
			},
		},
		{
			name:  "admin ignores role denials",
			admin: true,
			roles: []P{{Code: "a", Entities: map[string][]permissions.Op{"Secret": {}},
				Attributes: attrs{"Secret": {"*": H}}}},
			checks: []check{{"Secret:read", 1}, {"Secret:x", 2}},
		},
		{
			name: "base roles are evaluated on their own, then combined",
			roles: []P{
				{Code: "sales", Base: []string{"viewer"}, Entities: map[string][]permissions.Op{"Customer": ops(C, R, U)},
					Attributes: attrs{"Customer": {"*": M}}},
				{Code: "viewer", Entities: map[string][]permissions.Op{"*": ops(R), "Customer": {}},
					Attributes: attrs{"*": {"*": Rd}}},
			},
			checks: []check{
				{"Customer:update", 1}, {"Customer:name", 2}, {"Product:read", 1}, {"Product:update", 0},
				{"Product:name", 1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := compile(t, tt.roles, tt.readOnly, tt.admin)
			for _, c := range tt.checks {
				assert.Equal(t, c.want, value(t, s, c.target), c.target)
				// Explain always agrees with the checks.
				e, err := s.Explain(c.target)
				if assert.NoError(t, err) {
					assert.Equal(t, c.want, e.Value, "Explain(%q) = %s", c.target, e)
				}
			}
		})
	}
}

// value asks s about target through Can, Attribute or Specific.
func value(t testing.TB, s *permissions.Set, target string) int {
	t.Helper()
	tg, err := permissions.ParseTarget(target)
	if err != nil {
		t.Fatalf("bad target %q in test: %v", target, err)
	}
	switch tg.Kind {
	case permissions.TargetEntityOp:
		return b2i(s.Can(tg.Entity, tg.Op))
	case permissions.TargetAttribute:
		return int(s.Attribute(tg.Entity, tg.Attribute))
	default:
		return b2i(s.Specific(tg.Name))
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
