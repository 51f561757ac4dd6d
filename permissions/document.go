package permissions

import (
	"slices"
	"strconv"
)

// Schema lists the application's entities and, for each, its attribute
// names: the "schema" of the gatehouse data file.
type Schema = map[string][]string

// Document is Jmix's /permissions document, with specifics: the value of
// every entity operation and attribute target of a schema, and of every
// specific permission of the deployment's catalogue ([Set.Catalogue]).
type Document struct {
	// Entities: "Entity:op" → 0 forbidden, 1 allowed.
	Entities []TargetValue `json:"entities"`
	// EntityAttributes: "Entity:attribute" → 0 hidden, 1 read, 2 modify.
	EntityAttributes []TargetValue `json:"entityAttributes"`
	// Specifics: a specific permission name → 0 forbidden, 1 allowed.
	Specifics []TargetValue `json:"specifics"`
}

// TargetValue is one entry of a [Document].
type TargetValue struct {
	Target string `json:"target"`
	Value  int    `json:"value"`
}

// Document returns the /permissions document of s for schema and the
// deployment's declared specific permissions.
//
// Entities are sorted by name, each with its four operations in the order
// create, read, update, delete. Attributes follow the sorted entities, each
// entity's attributes in the order the schema lists them (a repeated name
// once), as Jmix does. Specifics are the names of
// [Set.Catalogue](declared...) — every name a known role grants, and the
// declared ones — sorted, each with whether s allows it: a "*" grant or an
// admin shows as 1 on every name, and "*" is never a target, so a client
// asking about a name finds it. The slices are never nil, so they encode as
// [] rather than null.
func (s *Set) Document(schema Schema, declared ...string) Document {
	names := make([]string, 0, len(schema))
	nattr := 0
	for e, attrs := range schema {
		names = append(names, e)
		nattr += len(attrs)
	}
	slices.Sort(names)
	d := Document{
		Entities:         make([]TargetValue, 0, len(names)*int(numOps)),
		EntityAttributes: make([]TargetValue, 0, nattr),
	}
	catalogue := s.Catalogue(declared...)
	d.Specifics = make([]TargetValue, 0, len(catalogue))
	for _, e := range names {
		for op := range numOps {
			d.Entities = append(d.Entities, TargetValue{e + ":" + op.String(), boolValue(s.Can(e, op))})
		}
	}
	for _, e := range names {
		seen := make(map[string]struct{}, len(schema[e]))
		for _, a := range schema[e] {
			if _, dup := seen[a]; dup {
				continue
			}
			seen[a] = struct{}{}
			d.EntityAttributes = append(d.EntityAttributes, TargetValue{e + ":" + a, int(s.Attribute(e, a))})
		}
	}
	for _, n := range catalogue {
		d.Specifics = append(d.Specifics, TargetValue{n, boolValue(s.Specific(n))})
	}
	return d
}

func boolValue(b bool) int {
	if b {
		return 1
	}
	return 0
}

// String returns "target=value".
func (v TargetValue) String() string {
	return v.Target + "=" + strconv.Itoa(v.Value)
}
