package permissions

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// SchemaError is a grant that names an entity or attribute the schema does
// not declare. It wraps [ErrNotInSchema]. A typo in a grant must not pass
// silently: "creditlimit": "hidden" beside "*": "read" would leave the
// declared credit_limit readable.
type SchemaError struct {
	// Role is the code of the role with the grant.
	Role string
	// Field is the grant's place in the role object, in the data file's
	// terms: "entities.Custmer", "attributes.Custmer" or
	// "attributes.Customer.creditlimit".
	Field string
	// Name is the entity or attribute name the schema does not declare.
	Name string
	// Suggestion is the declared name closest to Name, or "" when none is
	// close.
	Suggestion string
	// Declared are the names the schema declares in that place, sorted:
	// the entities, an entity's attributes, or for the "*" entity every
	// entity's attributes.
	Declared []string
}

// Error returns `permissions: role "sales": attributes.Customer.creditlimit:
// not in schema (did you mean credit_limit?)`.
func (e *SchemaError) Error() string {
	return fmt.Sprintf("permissions: role %q: %s: %s", e.Role, e.Field, e.Problem())
}

// Problem is the error without the role and the place: "not in schema (did
// you mean credit_limit?)", or, when no declared name is close, "not in
// schema (it declares: a, b, c)".
func (e *SchemaError) Problem() string {
	switch {
	case e.Suggestion != "":
		return fmt.Sprintf("not in schema (did you mean %s?)", e.Suggestion)
	case len(e.Declared) == 0:
		return "not in schema (it declares none)"
	}
	const show = 10
	list := strings.Join(e.Declared[:min(len(e.Declared), show)], ", ")
	if len(e.Declared) > show {
		list += fmt.Sprintf(", … (%d in all)", len(e.Declared))
	}
	return fmt.Sprintf("not in schema (it declares: %s)", list)
}

// Unwrap returns [ErrNotInSchema].
func (e *SchemaError) Unwrap() error { return ErrNotInSchema }

// ValidateSchema checks that every entity and attribute r's grants name is
// declared by schema: entity keys of Entities and Attributes must be
// entities of schema, attribute names under an entity must be among its
// attributes, and attribute names under the "*" entity must be an attribute
// of some entity. "*" itself is always accepted. The entities of Rows must
// be entities of schema and the fields of their conditions attributes of
// the entity ("rows.Customer.read[1].dep_id"). The first mistake, in
// sorted order, is returned as a [*SchemaError] naming the place and the
// closest declared name.
//
// An empty schema declares nothing to check against: ValidateSchema then
// accepts every name (an application that keeps no schema grants by name).
// ValidateSchema does not repeat [Role.Validate]; call both before storing
// a role.
func (r *Role) ValidateSchema(schema Schema) error {
	if len(schema) == 0 {
		return nil
	}
	entities := slices.Sorted(maps.Keys(schema))
	fail := func(field, name string, declared []string) error {
		return &SchemaError{Role: r.Code, Field: field, Name: name, Suggestion: closest(name, declared), Declared: declared}
	}
	for _, e := range slices.Sorted(maps.Keys(r.Entities)) {
		if _, ok := schema[e]; !ok && e != Wildcard {
			return fail("entities."+e, e, entities)
		}
	}
	var allAttrs []string // every entity's attributes, for the "*" entity
	for _, e := range slices.Sorted(maps.Keys(r.Attributes)) {
		declared, ok := schema[e]
		switch {
		case e == Wildcard:
			if allAttrs == nil {
				set := make(map[string]struct{})
				for _, attrs := range schema {
					for _, a := range attrs {
						set[a] = struct{}{}
					}
				}
				allAttrs = slices.Sorted(maps.Keys(set))
			}
			declared = allAttrs
		case !ok:
			return fail("attributes."+e, e, entities)
		default:
			declared = slices.Compact(slices.Sorted(slices.Values(declared)))
		}
		for _, a := range slices.Sorted(maps.Keys(r.Attributes[e])) {
			if a != Wildcard && !slices.Contains(declared, a) {
				return fail("attributes."+e+"."+a, a, declared)
			}
		}
	}
	for _, e := range slices.Sorted(maps.Keys(r.Rows)) {
		if e == Wildcard {
			continue // Validate refuses it
		}
		declared, ok := schema[e]
		if !ok {
			return fail("rows."+e, e, entities)
		}
		declared = slices.Compact(slices.Sorted(slices.Values(declared)))
		for _, op := range slices.Sorted(maps.Keys(r.Rows[e])) {
			for i, c := range r.Rows[e][op] {
				for _, field := range slices.Sorted(maps.Keys(c)) {
					if !slices.Contains(declared, field) {
						return fail(fmt.Sprintf("rows.%s.%s[%d].%s", e, op, i, field), field, declared)
					}
				}
			}
		}
	}
	return nil
}

// closest returns the name of declared nearest to name by edit distance,
// ignoring ASCII case, when it is near enough to be a likely typo: at most
// a third of the longer name's length (and at least 1) edits away. Ties go
// to the name whose case matches more closely, then to the first in order.
func closest(name string, declared []string) string {
	best, bestDist, bestExact := "", 0, 0
	lower := strings.ToLower(name)
	for _, d := range declared {
		dist := editDistance(lower, strings.ToLower(d))
		limit := max(1, max(len([]rune(name)), len([]rune(d)))/3)
		if dist > limit {
			continue
		}
		exact := editDistance(name, d)
		if best == "" || dist < bestDist || dist == bestDist && exact < bestExact {
			best, bestDist, bestExact = d, dist, exact
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// HiddenOverride is a "hidden" attribute grant that does not hide the
// attribute from the holders of its role, because a role it includes
// (through Base, transitively) grants more and roles combine by union. It
// is almost always a mistake: the grant reads as a restriction and is none.
// [OverriddenHidden] finds them.
type HiddenOverride struct {
	// Role is the code of the role with the hidden grant.
	Role string
	// Entity and Attribute are the hidden grant's keys as written; either
	// may be "*".
	Entity, Attribute string
	// By is the code of the included role whose grant wins, the first in
	// precedence order ([Set.Roles]).
	By string
	// Grant is that role's grant as written, such as "*:* read".
	Grant string
	// Access is what the holders of Role get instead of hidden: the
	// winning grant capped by their combined operations on the entity.
	Access Access
}

// Field is the hidden grant's place in the role object:
// "attributes.Product.tags".
func (o HiddenOverride) Field() string {
	return "attributes." + o.Entity + "." + o.Attribute
}

// String describes the override on one line, for logs.
func (o HiddenOverride) String() string {
	return fmt.Sprintf("role %q: %s: hidden has no effect: base role %q grants %s and roles combine by union, so holders of %q get %s",
		o.Role, o.Field(), o.By, o.Grant, o.Role, o.Access)
}

// OverriddenHidden returns every "hidden" attribute grant of roles that a
// role it includes overrides (see [HiddenOverride]), ordered by role (as in
// roles), entity and attribute. A hidden grant on an entity that the
// holders cannot read is not reported: it hides nothing that would show.
// Roles that do not resolve (an unknown base, a cycle) are skipped; check
// them with [ValidateRoles]. The result is advice, never an error: the
// grants compile exactly as the package documentation says.
func OverriddenHidden(roles []Role) []HiddenOverride {
	var out []HiddenOverride
	for i := range roles {
		r := &roles[i]
		if len(r.Base) == 0 {
			continue
		}
		reached, err := resolve(roles, []string{r.Code}) // r first, then what it includes
		if err != nil {
			continue
		}
		for _, e := range slices.Sorted(maps.Keys(r.Attributes)) {
			for _, a := range slices.Sorted(maps.Keys(r.Attributes[e])) {
				if r.Attributes[e][a] != Hidden {
					continue
				}
				if o, ok := overrideOf(reached, e, a); ok {
					out = append(out, o)
				}
			}
		}
	}
	return out
}

// overrideOf reports whether a role among reached[1:] raises the hidden
// grant (e, a) of reached[0]. Keys "*" ask exactly what the grant covers:
// entities, or attributes, that no more specific entry names.
func overrideOf(reached []Role, e, a string) (HiddenOverride, bool) {
	var ops opMask
	for i := range reached {
		if o, _, ok := reached[i].entityGrant(e); ok {
			ops |= maskOf(o)
		}
	}
	limit := ops.attrCap()
	if limit == Hidden {
		return HiddenOverride{}, false
	}
	for i := 1; i < len(reached); i++ {
		b := &reached[i]
		if got, ek, ak, ok := b.attrGrant(e, a); ok && got > Hidden {
			return HiddenOverride{
				Role: reached[0].Code, Entity: e, Attribute: a,
				By: b.Code, Grant: fmt.Sprintf("%s:%s %s", ek, ak, got), Access: min(got, limit),
			}, true
		}
	}
	return HiddenOverride{}, false
}
