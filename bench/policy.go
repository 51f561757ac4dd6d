package bench

import (
	"strconv"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// Size is one policy size of the comparison.
type Size struct {
	// Name is "small", "medium" or "large".
	Name string
	// Roles is the number of roles.
	Roles int
	// Entities is the number of entities the roles name.
	Entities int
}

// Sizes returns the three sizes the issues ask for: small (5 roles,
// 10 entities), medium (100 roles, 1,000 entities) and large (1,000 roles,
// 10,000 entities). Users hold three roles at every size.
func Sizes() []Size {
	return []Size{
		{Name: "small", Roles: 5, Entities: 10},
		{Name: "medium", Roles: 100, Entities: 1000},
		{Name: "large", Roles: 1000, Entities: 10000},
	}
}

// EntitiesPerRole is how many entities each role grants operations on.
const EntitiesPerRole = 10

// HeldPerUser is how many roles each user holds.
const HeldPerUser = 3

// RoleFanOut shapes the role hierarchy: role i (i > 0) includes role
// i/RoleFanOut through Base, so every role reaches role0 and the hierarchy is
// a tree of depth log10(roles).
const RoleFanOut = 10

// Policy is one RBAC policy written twice: as gatehouse roles and as casbin
// rules, meaning the same for entity operations.
//
// Role i grants, on the EntitiesPerRole entities "Entity<(i*10+j) mod
// Entities>" (j = 0..9): read always, update when i+j is even, create when
// i+j is a multiple of 3, delete when i+j is a multiple of 5. It also grants
// attributes ("*" modify, "secret" hidden) on those entities and the specific
// permission "spec<i>", which casbin has no counterpart for. No grant uses a
// wildcard, so casbin's exact-match matcher means the same thing.
type Policy struct {
	// Size is the size the policy was built for.
	Size Size
	// Roles are the gatehouse roles.
	Roles []permissions.Role
	// Rules are casbin's "p" rules: role, entity, operation.
	Rules [][]string
	// Inherit are casbin's "g" rules between roles: role, base role.
	Inherit [][]string
}

// CasbinModel is the casbin model of the comparison: RBAC with a role
// hierarchy through g, requests (subject, object, action), allow if any
// rule allows.
const CasbinModel = `
[request_definition]
r = sub, obj, act

[policy_definition]
p = sub, obj, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = g(r.sub, p.sub) && r.obj == p.obj && r.act == p.act
`

// RoleCode returns the code of role i.
func RoleCode(i int) string { return "role" + strconv.Itoa(i) }

// Entity returns the name of entity i.
func Entity(i int) string { return "Entity" + strconv.Itoa(i) }

// NewPolicy builds the policy of size s, which must have at least
// EntitiesPerRole entities so that no role names an entity twice.
func NewPolicy(s Size) *Policy {
	p := &Policy{Size: s, Roles: make([]permissions.Role, s.Roles)}
	for i := range p.Roles {
		r := permissions.Role{
			Code:       RoleCode(i),
			Entities:   make(map[string][]permissions.Op, EntitiesPerRole),
			Attributes: make(map[string]map[string]permissions.Access, EntitiesPerRole),
			Specifics:  []string{"spec" + strconv.Itoa(i)},
		}
		if i > 0 {
			base := RoleCode(i / RoleFanOut)
			r.Base = []string{base}
			p.Inherit = append(p.Inherit, []string{r.Code, base})
		}
		for j := range EntitiesPerRole {
			e := Entity((i*EntitiesPerRole + j) % s.Entities)
			ops := opsFor(i + j)
			r.Entities[e] = ops
			r.Attributes[e] = map[string]permissions.Access{"*": permissions.Modify, "secret": permissions.Hidden}
			for _, op := range ops {
				p.Rules = append(p.Rules, []string{r.Code, e, op.String()})
			}
		}
		p.Roles[i] = r
	}
	return p
}

// opsFor returns the operations a role grants on an entity, from k = i+j.
func opsFor(k int) []permissions.Op {
	ops := []permissions.Op{permissions.OpRead}
	if k%2 == 0 {
		ops = append(ops, permissions.OpUpdate)
	}
	if k%3 == 0 {
		ops = append(ops, permissions.OpCreate)
	}
	if k%5 == 0 {
		ops = append(ops, permissions.OpDelete)
	}
	return ops
}

// Held returns the role codes user u holds: HeldPerUser distinct roles
// spread over the catalogue (fewer when there are fewer roles).
func (p *Policy) Held(u int) []string {
	n := p.Size.Roles
	var held []string
	seen := map[int]bool{}
	for k := 0; len(held) < min(HeldPerUser, n); k++ {
		i := (u*7919 + k*(n/HeldPerUser+1) + 1 + k) % n
		if seen[i] {
			continue
		}
		seen[i] = true
		held = append(held, RoleCode(i))
	}
	return held
}

// User returns the casbin subject of user u.
func User(u int) string { return "user" + strconv.Itoa(u) }

// UserRules returns casbin's "g" rules that give user u its held roles.
func (p *Policy) UserRules(u int) [][]string {
	var rules [][]string
	for _, r := range p.Held(u) {
		rules = append(rules, []string{User(u), r})
	}
	return rules
}

// Compile compiles the gatehouse permission set of user u.
func (p *Policy) Compile(u int) (*permissions.Set, error) {
	return permissions.Compile(permissions.CompileConfig{Roles: p.Roles, Held: p.Held(u)})
}
