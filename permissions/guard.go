package permissions

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// AttributeError is the error [Set.CheckWrite] returns when a write touches
// attributes the user may not modify. It wraps [ErrForbiddenAttributes].
type AttributeError struct {
	// Entity is the entity written.
	Entity string
	// Attributes are the refused attribute names, sorted.
	Attributes []string
}

// Error names the entity and the refused attributes.
func (e *AttributeError) Error() string {
	return fmt.Sprintf("%s: %s: %s", ErrForbiddenAttributes, e.Entity, strings.Join(e.Attributes, ", "))
}

// Unwrap returns [ErrForbiddenAttributes].
func (e *AttributeError) Unwrap() error { return ErrForbiddenAttributes }

// FilterRecord deletes from rec, in place, every attribute of entity that s
// hides, and returns rec, so that a record can be written out to the user
// as Jmix's REST API does. It does not allocate. Keys are attribute names;
// a key that is no attribute of the schema is judged like any other name
// (by the wildcard grants), so a record with extra keys is filtered safely.
func (s *Set) FilterRecord(entity string, rec map[string]any) map[string]any {
	p := s.entities[entity]
	if p == nil {
		p = &s.wild
	}
	for k := range rec {
		if p.attribute(k) == Hidden {
			delete(rec, k)
		}
	}
	return rec
}

// CheckWrite returns nil when s allows the user to modify every attribute
// of entity that rec sets (its keys), and otherwise an [*AttributeError]
// naming the others, sorted, which wraps [ErrForbiddenAttributes]. It does
// not check the entity operation itself: use [Set.Can] with [OpCreate] or
// [OpUpdate] for that. It does not allocate when the write is allowed.
func (s *Set) CheckWrite(entity string, rec map[string]any) error {
	p := s.entities[entity]
	if p == nil {
		p = &s.wild
	}
	var bad []string
	for k := range rec {
		if p.attribute(k) != Modify {
			bad = append(bad, k)
		}
	}
	if bad == nil {
		return nil
	}
	slices.Sort(bad)
	return &AttributeError{Entity: entity, Attributes: bad}
}

// FilterStruct returns the fields of the struct v (or pointer to struct)
// that s lets the user see for entity, keyed by their JSON names as
// encoding/json would name them: the json tag's name, or the field name; a
// field tagged "-" and unexported fields are left out; the fields of an
// embedded struct without a tag are promoted. Values are the fields'
// values, not copies. A nil pointer gives an empty map. Any other v is an
// error. FilterStruct uses reflection; prefer [Set.FilterRecord] on hot
// paths.
func (s *Set) FilterStruct(entity string, v any) (map[string]any, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return map[string]any{}, nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("permissions: FilterStruct: %T is not a struct", v)
	}
	out := make(map[string]any, rv.NumField())
	collectFields(rv, out)
	return s.FilterRecord(entity, out), nil
}

// collectFields puts the JSON-visible fields of the struct rv into out.
// Like encoding/json, a field of the outer struct wins over a promoted one.
func collectFields(rv reflect.Value, out map[string]any) {
	rt := rv.Type()
	var embedded []reflect.Value
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag, hasTag := f.Tag.Lookup("json")
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" && !strings.HasPrefix(tag, "-,") {
			continue
		}
		if f.Anonymous && name == "" {
			fv := rv.Field(i)
			for fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					break
				}
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct {
				embedded = append(embedded, fv)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		fv := rv.Field(i)
		if !fv.CanInterface() {
			continue // reached through an unexported embedded struct
		}
		if name == "" || !hasTag {
			name = f.Name
		}
		out[name] = fv.Interface()
	}
	for _, ev := range embedded {
		inner := make(map[string]any)
		collectFields(ev, inner)
		for k, v := range inner {
			if _, taken := out[k]; !taken {
				out[k] = v
			}
		}
	}
}
