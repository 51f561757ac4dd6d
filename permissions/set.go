package permissions

import (
	"cmp"
	"maps"
	"slices"
)

// Set is a user's compiled permissions, made by [Compile]. It is immutable
// and safe for concurrent use. [Set.Can], [Set.Attribute] and
// [Set.Specific] are O(1) and do not allocate.
//
// A Set answers for any entity, attribute or specific name, including ones
// no role names: those are answered by the roles' wildcard grants, or
// denied. The wildcard name itself, as in Can("*", OpRead), asks what
// applies to the entities no grant names.
type Set struct {
	// entities holds the result for every entity some role names; others
	// fall back to wild.
	entities map[string]*entityPerm
	wild     entityPerm

	// specifics are the allowed specific names, unless allSpecifics.
	specifics    map[string]struct{}
	allSpecifics bool
	// catalogue are the specific names any known role grants (held or
	// not), sorted, without Wildcard.
	catalogue []string

	// rows holds the row rules of the entities some reached role
	// restricts; nil for an admin.
	rows map[string]*entityRows

	roles    []Role
	params   []Param
	quotas   []Quota
	readOnly bool
	admin    bool
}

// entityPerm is the compiled result for one entity.
type entityPerm struct {
	ops opMask
	// cap is the most any attribute shows, from ops (and so read_only).
	cap Access
	// other is the access of attributes not in attrs, before cap.
	other Access
	// attrs holds the access of each attribute some grant names, before
	// cap, when there are more than maxFew of them; it may be shared between
	// entities and must not be changed. With maxFew or fewer, they are in
	// few instead (attrs is nil): comparing a handful of strings is cheaper
	// than hashing the name.
	attrs map[string]Access
	few   [maxFew]namedAccess
	nfew  uint8
}

// maxFew is how many named attributes an entityPerm keeps inline.
const maxFew = 4

// namedAccess is one attribute's access in entityPerm.few.
type namedAccess struct {
	name   string
	access Access
}

func (p *entityPerm) attribute(attr string) Access {
	v := p.other
	if p.attrs != nil {
		if a, ok := p.attrs[attr]; ok {
			v = a
		}
	} else {
		for i := range p.few[:p.nfew] {
			if p.few[i].name == attr {
				v = p.few[i].access
				break
			}
		}
	}
	return min(v, p.cap)
}

// pack moves attrs inline when there are at most maxFew of them. It never
// changes the map, which may be shared.
func (p *entityPerm) pack() {
	if len(p.attrs) > maxFew {
		return
	}
	p.nfew = 0
	for name, a := range p.attrs {
		p.few[p.nfew] = namedAccess{name, a}
		p.nfew++
	}
	p.attrs = nil
}

// Can reports whether the user may perform op on entity.
func (s *Set) Can(entity string, op Op) bool {
	if p := s.entities[entity]; p != nil {
		return p.ops.has(op)
	}
	return s.wild.ops.has(op)
}

// Attribute returns how visible attribute attr of entity is to the user:
// [Hidden], [Read] or [Modify].
func (s *Set) Attribute(entity, attr string) Access {
	if p := s.entities[entity]; p != nil {
		return p.attribute(attr)
	}
	return s.wild.attribute(attr)
}

// Specific reports whether the user may run the specific permission name.
// Specific("*") reports whether every specific permission is allowed.
func (s *Set) Specific(name string) bool {
	if s.allSpecifics {
		return true
	}
	_, ok := s.specifics[name]
	return ok
}

// ReadOnly reports whether the set was compiled for a read-only user.
func (s *Set) ReadOnly() bool { return s.readOnly }

// Admin reports whether the set was compiled for an admin user.
func (s *Set) Admin() bool { return s.admin }

// Roles returns the codes of the roles the set combines: each held role in
// the order held, followed depth-first by the roles it includes, each code
// once. This is the precedence order of [Set.Params]; it suits the CRM session
// document's session_roles.
func (s *Set) Roles() []string {
	out := make([]string, len(s.roles))
	for i := range s.roles {
		out[i] = s.roles[i].Code
	}
	return out
}

// Params returns the role parameters of the user's roles (the CRM session
// document's session_role_params), each code once. When two roles set one
// code, the role that comes first in [Set.Roles] wins (within a role, the
// first entry). The order is that of first appearance.
func (s *Set) Params() []Param {
	return slices.Clone(s.params)
}

// Catalogue returns the deployment's catalogue of specific permissions:
// every name that a known role grants ([CompileConfig].Roles, held by the
// user or not) and every name of declared (the names the deployment
// declares, such as the data file's "specifics"), sorted, each once, never
// "*". It is the list that [Set.Specifics] and [Set.Document] enumerate, so
// that a "*" grant or an admin shows as the names it allows.
func (s *Set) Catalogue(declared ...string) []string {
	if len(declared) == 0 {
		return slices.Clone(s.catalogue)
	}
	return s.names(declared)
}

// names is the catalogue with the declared names, sorted. Without declared
// names it is the Set's own slice, which the caller must not change: the
// hot path (the session document) then copies nothing.
func (s *Set) names(declared []string) []string {
	if len(declared) == 0 {
		return s.catalogue
	}
	out := slices.Clone(s.catalogue)
	for _, n := range declared {
		if n != Wildcard && n != "" {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Specifics returns the names of [Set.Catalogue](declared...) that the
// user may run, sorted (the CRM's bp_process_roles_list). A "*" grant or
// an admin allows every name of the catalogue, and "*" itself is never
// listed; a read-only user gets none.
func (s *Set) Specifics(declared ...string) []string {
	all := s.names(declared)
	out := make([]string, 0, len(all))
	for _, n := range all {
		if s.Specific(n) {
			out = append(out, n)
		}
	}
	return out
}

// Quotas returns the user's quotas, one per service and method group,
// sorted by service then method group. Where several roles limit one
// service and method group, each field takes the most generous value: the
// largest, and 0 (no limit) over any number. Roles that do not mention a
// service and method group do not lift its limits.
func (s *Set) Quotas() []Quota {
	return slices.Clone(s.quotas)
}

func (s *Set) compileEntities() {
	if s.admin {
		s.wild = entityPerm{ops: allOps, other: Modify}
		s.finish(&s.wild)
		s.wild.pack()
		return
	}
	named := make(map[string]bool) // entity -> named in some attribute grant
	wildNames := make(map[string]struct{})
	for i := range s.roles {
		r := &s.roles[i]
		for e := range r.Entities {
			if e != Wildcard && !named[e] {
				named[e] = false
			}
		}
		for e := range r.Attributes {
			if e != Wildcard {
				named[e] = true
			}
		}
		for a := range r.Attributes[Wildcard] {
			if a != Wildcard {
				wildNames[a] = struct{}{}
			}
		}
	}
	s.wild = entityPerm{ops: s.combinedOps(Wildcard), other: s.combinedAttr(Wildcard, Wildcard)}
	if len(wildNames) > 0 {
		s.wild.attrs = make(map[string]Access, len(wildNames))
		for a := range wildNames {
			s.wild.attrs[a] = s.combinedAttr(Wildcard, a)
		}
	}
	s.entities = make(map[string]*entityPerm, len(named))
	for e, ownAttrs := range named {
		p := entityPerm{ops: s.combinedOps(e), other: s.wild.other, attrs: s.wild.attrs}
		if ownAttrs {
			// Own attribute grants: evaluate every attribute any grant names
			// for this entity or for all entities.
			p.other = s.combinedAttr(e, Wildcard)
			p.attrs = make(map[string]Access, len(wildNames))
			for a := range wildNames {
				p.attrs[a] = s.combinedAttr(e, a)
			}
			for i := range s.roles {
				for a := range s.roles[i].Attributes[e] {
					if a != Wildcard {
						p.attrs[a] = s.combinedAttr(e, a)
					}
				}
			}
		}
		s.finish(&p)
		p.pack()
		s.entities[e] = &p
	}
	s.finish(&s.wild)
	s.wild.pack()
}

// finish applies the read_only cap and the attribute cap to p.
func (s *Set) finish(p *entityPerm) {
	if s.readOnly {
		p.ops &= readBit
	}
	p.cap = p.ops.attrCap()
}

// combinedOps is the union over the roles of each role's own answer.
func (s *Set) combinedOps(entity string) opMask {
	var m opMask
	for i := range s.roles {
		if ops, _, ok := s.roles[i].entityGrant(entity); ok {
			m |= maskOf(ops)
		}
	}
	return m
}

// combinedAttr is the most permissive of each role's own answer, before
// any cap.
func (s *Set) combinedAttr(entity, attr string) Access {
	best := Hidden
	for i := range s.roles {
		if a, _, _, ok := s.roles[i].attrGrant(entity, attr); ok {
			best = max(best, a)
		}
	}
	return best
}

// compileSpecifics keeps the catalogue of every known role and the names
// the reached roles allow.
func (s *Set) compileSpecifics(known []Role) {
	catalogue := make(map[string]struct{})
	for i := range known {
		for _, n := range known[i].Specifics {
			if n != Wildcard {
				catalogue[n] = struct{}{}
			}
		}
	}
	s.catalogue = slices.Sorted(maps.Keys(catalogue))
	if s.readOnly {
		return
	}
	s.allSpecifics = s.admin
	s.specifics = make(map[string]struct{})
	for i := range s.roles {
		for _, n := range s.roles[i].Specifics {
			if n == Wildcard {
				s.allSpecifics = true
			}
			s.specifics[n] = struct{}{}
		}
	}
	delete(s.specifics, Wildcard)
}

func (s *Set) compileParams() {
	seen := make(map[string]struct{})
	for i := range s.roles {
		for _, p := range s.roles[i].Params {
			if _, ok := seen[p.Code]; ok {
				continue
			}
			seen[p.Code] = struct{}{}
			s.params = append(s.params, p)
		}
	}
}

func (s *Set) compileQuotas() {
	type key struct{ service, group string }
	at := make(map[key]int)
	for i := range s.roles {
		for _, q := range s.roles[i].Quotas {
			k := key{q.Service, q.MethodGroup}
			j, ok := at[k]
			if !ok {
				at[k] = len(s.quotas)
				s.quotas = append(s.quotas, q)
				continue
			}
			c := &s.quotas[j]
			c.PointsPerRequest = generous(c.PointsPerRequest, q.PointsPerRequest)
			c.PointsPerDay = generous(c.PointsPerDay, q.PointsPerDay)
			c.PointsPerDateWindow = generous(c.PointsPerDateWindow, q.PointsPerDateWindow)
			c.MaxConcurrentExecution = generous(c.MaxConcurrentExecution, q.MaxConcurrentExecution)
		}
	}
	slices.SortFunc(s.quotas, func(a, b Quota) int {
		return cmp.Or(cmp.Compare(a.Service, b.Service), cmp.Compare(a.MethodGroup, b.MethodGroup))
	})
}

// generous returns the more generous of two limits, where 0 means none.
func generous(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	return max(a, b)
}
