package permissions

import (
	"fmt"
	"strings"
)

// TargetKind tells the three kinds of [Target] apart.
type TargetKind uint8

// The kinds of target, as in Jmix's /permissions and the CRM session
// document.
const (
	// TargetEntityOp is "Entity:create", "Entity:read", "Entity:update" or
	// "Entity:delete": an operation on an entity, allowed or not.
	TargetEntityOp TargetKind = iota + 1
	// TargetAttribute is "Entity:attribute": how visible an attribute is.
	TargetAttribute
	// TargetSpecific is a bare name such as "entity_export_to_file": a
	// specific permission, allowed or not.
	TargetSpecific
)

// String returns "entity operation", "attribute" or "specific".
func (k TargetKind) String() string {
	switch k {
	case TargetEntityOp:
		return "entity operation"
	case TargetAttribute:
		return "attribute"
	case TargetSpecific:
		return "specific"
	}
	return fmt.Sprintf("TargetKind(%d)", uint8(k))
}

// Target is a parsed permission target. Which fields are set depends on
// Kind: Entity and Op for [TargetEntityOp], Entity and Attribute for
// [TargetAttribute], Name for [TargetSpecific]. Any name may be [Wildcard].
type Target struct {
	Kind      TargetKind
	Entity    string
	Op        Op
	Attribute string
	Name      string
}

// EntityTarget returns the target "entity:op".
func EntityTarget(entity string, op Op) Target {
	return Target{Kind: TargetEntityOp, Entity: entity, Op: op}
}

// AttributeTarget returns the target "entity:attr".
func AttributeTarget(entity, attr string) Target {
	return Target{Kind: TargetAttribute, Entity: entity, Attribute: attr}
}

// SpecificTarget returns the specific permission target name.
func SpecificTarget(name string) Target {
	return Target{Kind: TargetSpecific, Name: name}
}

// ParseTarget parses a target string:
//
//	Customer:read        an entity operation (create, read, update or delete)
//	Customer:name        an attribute of an entity
//	entity_export_to_file a specific permission
//
// Every name may be [Wildcard] ("*:read", "Product:*", "*"). The part after
// the colon is an operation whenever it is one of the four operation names,
// so an attribute called "read" cannot be addressed by a target. Names must
// pass [ValidateName]; an empty part or a second colon is an error. Errors
// wrap [ErrBadTarget] and, for a bad name, [ErrBadName].
func ParseTarget(s string) (Target, error) {
	entity, rest, found := strings.Cut(s, ":")
	if !found {
		if err := ValidateName(s, true); err != nil {
			return Target{}, fmt.Errorf("%w %q: specific permission: %w", ErrBadTarget, s, err)
		}
		return SpecificTarget(s), nil
	}
	if strings.Contains(rest, ":") {
		return Target{}, fmt.Errorf("%w %q: more than one ':'", ErrBadTarget, s)
	}
	if err := ValidateName(entity, true); err != nil {
		return Target{}, fmt.Errorf("%w %q: entity: %w", ErrBadTarget, s, err)
	}
	if op, err := ParseOp(rest); err == nil {
		return EntityTarget(entity, op), nil
	}
	if err := ValidateName(rest, true); err != nil {
		return Target{}, fmt.Errorf("%w %q: attribute: %w", ErrBadTarget, s, err)
	}
	return AttributeTarget(entity, rest), nil
}

// String formats t as [ParseTarget] reads it: "Entity:op",
// "Entity:attribute" or the specific name.
func (t Target) String() string {
	switch t.Kind {
	case TargetEntityOp:
		return t.Entity + ":" + t.Op.String()
	case TargetAttribute:
		return t.Entity + ":" + t.Attribute
	case TargetSpecific:
		return t.Name
	}
	return fmt.Sprintf("Target(%s)", t.Kind)
}
