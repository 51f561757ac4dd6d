package permissions

import (
	"fmt"
	"strings"
)

// Reason says what decided a target's value in an [Explanation].
type Reason uint8

// The reasons, in the order [Set.Explain] looks for them.
const (
	// ReasonDefaultDeny: no grant of any held role allows the target.
	ReasonDefaultDeny Reason = iota
	// ReasonGrant: a role's grant decided; Role and Grant name it. For an
	// attribute this may be an explicit "hidden".
	ReasonGrant
	// ReasonAdmin: the user is an admin, allowed everything.
	ReasonAdmin
	// ReasonReadOnly: the read_only access level lowered the value; Role
	// and Grant name what granted more, if a grant did.
	ReasonReadOnly
	// ReasonEntityCap: an attribute was lowered to what the combined
	// operations on its entity allow; Role and Grant name what granted more.
	ReasonEntityCap
	// ReasonRow: a role's row condition allowed the row
	// ([RowFilter.Explain] only); Role names the role.
	ReasonRow
)

var reasonNames = [...]string{"default deny", "grant", "admin", "read_only cap", "entity cap", "row condition"}

// String returns a short name of the reason.
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Explanation tells why a [Set] gives a target its value.
type Explanation struct {
	// Target is the parsed target.
	Target Target
	// Value is the target's value as in the /permissions document: 0 or 1
	// for an entity operation or a specific permission, 0, 1 or 2 (an
	// [Access]) for an attribute.
	Value int
	// Reason says what decided Value.
	Reason Reason
	// Role is the code of the role whose grant decided, or, for a cap, the
	// role whose grant the cap lowered. Empty when no grant took part.
	Role string
	// Grant is that grant as written in the role: "Customer [create read
	// update]" for an entity entry (the entity may be "*"), "Product:tags
	// hidden" for an attribute grant, the name or "*" for a specific grant.
	Grant string
	// Rows is true for an entity operation that the user may perform on
	// some rows only: every role granting it restricts it with a row rule
	// (Grant names the first, Rule its place). Value is still 1, as in the
	// /permissions document; [RowFilter.Explain] tells which condition
	// allows a given row.
	Rows bool
	// Rule is the place of that row rule in the role, such as
	// "rows.Customer.read"; empty unless Rows.
	Rule string
}

// Allowed reports whether Value allows anything (an attribute: at least read).
func (e Explanation) Allowed() bool { return e.Value > 0 }

// String describes the explanation on one line, for logs and tests:
//
//	Product:tags = 0 (hidden): grant Product:tags hidden of role "viewer"
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s = %d", e.Target, e.Value)
	if e.Target.Kind == TargetAttribute {
		fmt.Fprintf(&b, " (%s)", Access(e.Value))
	}
	b.WriteString(": ")
	switch e.Reason {
	case ReasonDefaultDeny:
		b.WriteString("no grant allows it (default deny)")
	case ReasonGrant:
		fmt.Fprintf(&b, "grant %s of role %q", e.Grant, e.Role)
		if e.Rows {
			fmt.Fprintf(&b, ", on the rows of %s", e.Rule)
		}
	case ReasonAdmin:
		b.WriteString("admin user")
	case ReasonReadOnly, ReasonEntityCap:
		if e.Reason == ReasonReadOnly {
			b.WriteString("capped by read_only access")
		} else {
			b.WriteString("capped by the entity's operations")
		}
		if e.Role != "" {
			fmt.Fprintf(&b, " (grant %s of role %q allows more)", e.Grant, e.Role)
		}
	default:
		b.WriteString(e.Reason.String())
	}
	return b.String()
}

// Explain parses target (see [ParseTarget]) and tells which role and which
// grant decided its value, or which cap, or that nothing granted it. The
// value always equals what [Set.Can], [Set.Attribute] or [Set.Specific]
// answers. Explain is meant for debugging and audit, not the hot path.
func (s *Set) Explain(target string) (Explanation, error) {
	t, err := ParseTarget(target)
	if err != nil {
		return Explanation{}, err
	}
	switch t.Kind {
	case TargetEntityOp:
		return s.explainOp(t), nil
	case TargetAttribute:
		return s.explainAttr(t), nil
	default:
		return s.explainSpecific(t), nil
	}
}

func (s *Set) explainOp(t Target) Explanation {
	e := Explanation{Target: t, Value: boolValue(s.Can(t.Entity, t.Op))}
	if s.admin {
		e.Reason = ReasonAdmin
	}
	if !s.admin {
		// The first role granting the operation on every row; else the
		// first granting it on some rows.
		for i := range s.roles {
			r := &s.roles[i]
			ops, key, ok := r.entityGrant(t.Entity)
			if !ok || !maskOf(ops).has(t.Op) {
				continue
			}
			_, restricted := r.Rows[t.Entity][t.Op.String()]
			if e.Reason == ReasonDefaultDeny || e.Rows && !restricted {
				e.Reason, e.Role, e.Grant, e.Rows = ReasonGrant, r.Code, formatEntityGrant(key, ops), restricted
				e.Rule = ""
				if restricted {
					e.Rule = "rows." + t.Entity + "." + t.Op.String()
				}
			}
			if !restricted {
				break
			}
		}
	}
	if s.readOnly && t.Op != OpRead && e.Reason != ReasonDefaultDeny {
		e.Reason = ReasonReadOnly
	}
	return e
}

func formatEntityGrant(entity string, ops []Op) string {
	names := make([]string, len(ops))
	for i, op := range ops {
		names[i] = op.String()
	}
	return entity + " [" + strings.Join(names, " ") + "]"
}

func (s *Set) explainAttr(t Target) Explanation {
	final := s.Attribute(t.Entity, t.Attribute)
	e := Explanation{Target: t, Value: int(final)}
	var uncapped Access
	if s.admin {
		uncapped = Modify
	} else {
		// The first role, in precedence order, reaching the combined level.
		found := false
		for i := range s.roles {
			r := &s.roles[i]
			a, ek, ak, ok := r.attrGrant(t.Entity, t.Attribute)
			if ok && (!found || a > uncapped) {
				found, uncapped = true, a
				e.Role, e.Grant = r.Code, ek+":"+ak+" "+a.String()
			}
		}
		if !found {
			return e // ReasonDefaultDeny
		}
	}
	// The entity cap before read_only, then read_only.
	entityCap := s.combinedOps(t.Entity).attrCap()
	if s.admin {
		entityCap = Modify
	}
	capped := min(uncapped, entityCap)
	switch {
	case final < capped:
		e.Reason = ReasonReadOnly
	case capped < uncapped:
		e.Reason = ReasonEntityCap
	case s.admin:
		e.Reason = ReasonAdmin
	default:
		e.Reason = ReasonGrant
	}
	return e
}

func (s *Set) explainSpecific(t Target) Explanation {
	e := Explanation{Target: t, Value: boolValue(s.Specific(t.Name))}
	if s.admin {
		e.Reason = ReasonAdmin
	} else {
	roles:
		for i := range s.roles {
			for _, n := range s.roles[i].Specifics {
				if n == t.Name || n == Wildcard {
					e.Reason, e.Role, e.Grant = ReasonGrant, s.roles[i].Code, n
					break roles
				}
			}
		}
	}
	if s.readOnly && e.Reason != ReasonDefaultDeny {
		e.Reason = ReasonReadOnly
	}
	return e
}
