package permissions

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Subject is the user a [RowFilter] is bound to: the values that
// "$user.id", "$user.username", "$user.company" and "$user.<attribute>"
// stand for. session.Auth.Rows fills it from the authenticated user.
type Subject struct {
	ID       string
	Username string
	Company  string
	// Attributes are the user's application attributes (user.User.Attributes).
	// A reference to a name that is missing, or whose value is "", matches
	// nothing.
	Attributes map[string]string
}

// refKind says which field of the Subject a term references.
type refKind uint8

const (
	refNone refKind = iota
	refID
	refUsername
	refCompany
	refAttr
)

// rowConst is a compiled constant: its value, and its SQL argument boxed
// once at compile time.
type rowConst struct {
	kind rowKind
	text string
	num  int64
	b    bool
	arg  any
}

// rowTerm is one field of a condition.
type rowTerm struct {
	field  string
	ref    refKind
	attr   string // refAttr: the attribute name
	consts []rowConst
}

// rowAlt is one compiled condition and where it came from.
type rowAlt struct {
	role  string
	place string // "rows.Customer.read[1]"
	cond  Condition
	terms []rowTerm // sorted by field
}

// rowRule is the compiled row restriction of one entity operation.
type rowRule struct {
	alts   []rowAlt
	fields []string // every field the alts name, sorted, once
}

// entityRows holds the row rules of one entity, by operation; a nil rule
// means every row (or, when the operation is not granted, none).
type entityRows [numOps]*rowRule

// compileRows compiles the row rules of every entity a reached role
// restricts. Entities absent from s.rows apply to every row whenever the
// operation is granted. Admins see every row.
func (s *Set) compileRows() {
	if s.admin {
		return
	}
	for i := range s.roles {
		for entity := range s.roles[i].Rows {
			if s.rows == nil {
				s.rows = make(map[string]*entityRows)
			}
			if _, done := s.rows[entity]; done {
				continue
			}
			er := new(entityRows)
			for op := range numOps {
				er[op] = s.compileRule(entity, op)
			}
			s.rows[entity] = er
		}
	}
}

// compileRule returns the union of the reached roles' conditions for
// entity and op, or nil when some role grants op without rows (every row)
// or none grants it.
func (s *Set) compileRule(entity string, op Op) *rowRule {
	rule := &rowRule{}
	fields := make(map[string]struct{})
	for i := range s.roles {
		r := &s.roles[i]
		ops, _, ok := r.entityGrant(entity)
		if !ok || !maskOf(ops).has(op) {
			continue
		}
		conds, restricted := r.Rows[entity][op.String()]
		if !restricted {
			return nil // an unrestricted grant wins
		}
		for j, c := range conds {
			alt := rowAlt{role: r.Code, place: "rows." + entity + "." + op.String() + "[" + strconv.Itoa(j) + "]", cond: c}
			for _, field := range slices.Sorted(maps.Keys(c)) {
				alt.terms = append(alt.terms, compileTerm(field, c[field]))
				fields[field] = struct{}{}
			}
			rule.alts = append(rule.alts, alt)
		}
	}
	if len(rule.alts) == 0 {
		return nil
	}
	rule.fields = slices.Sorted(maps.Keys(fields))
	return rule
}

func compileTerm(field string, v RowValue) rowTerm {
	t := rowTerm{field: field}
	switch v.kind {
	case rowUser:
		switch v.text {
		case "id":
			t.ref = refID
		case "username":
			t.ref = refUsername
		case "company":
			t.ref = refCompany
		default:
			t.ref, t.attr = refAttr, v.text
		}
	case rowList:
		for _, e := range v.list {
			t.consts = append(t.consts, compileConst(e))
		}
	default:
		t.consts = []rowConst{compileConst(v)}
	}
	return t
}

func compileConst(v RowValue) rowConst {
	c := rowConst{kind: v.kind, text: v.text, num: v.num, b: v.b}
	switch v.kind {
	case rowText:
		c.arg = v.text
	case rowNumber:
		c.arg = v.num
	case rowBool:
		c.arg = v.b
	}
	return c
}

// rowsState is what a RowFilter allows.
type rowsState uint8

const (
	rowsNone rowsState = iota // the zero RowFilter: fail closed
	rowsAll
	rowsSome
)

// RowFilter says which rows of an entity a user may read, create, update
// or delete: [Set.Rows] (or session.Auth.Rows) binds the compiled rule of an
// entity operation to a user. It is a small value that holds no copy of the
// rule; its methods do not allocate except [RowFilter.SQL]. The zero
// RowFilter allows no row.
//
// A filter answers for one user and the permission set it came from; take
// a new one after the user's roles or attributes change.
type RowFilter struct {
	set    *Set
	rule   *rowRule
	user   Subject
	entity string
	op     Op
	state  rowsState
}

// Rows returns the rows of entity on which u may perform op under s:
// none when s does not allow op on entity at all (and for a read-only user
// every operation but read), all when some role grants it without a row
// rule or the user is an admin, else the rows matching any condition of
// the roles that grant it with one.
func (s *Set) Rows(entity string, op Op, u Subject) RowFilter {
	f := RowFilter{set: s, user: u, entity: entity, op: op}
	if s == nil || !s.Can(entity, op) {
		return f
	}
	if er := s.rows[entity]; er != nil && er[op] != nil {
		f.rule, f.state = er[op], rowsSome
		return f
	}
	f.state = rowsAll
	return f
}

// All reports whether the filter allows every row.
func (f RowFilter) All() bool { return f.state == rowsAll }

// None reports whether the filter allows no row at all: the operation is
// not granted, or every condition references something the user lacks.
func (f RowFilter) None() bool {
	switch f.state {
	case rowsAll:
		return false
	case rowsSome:
		for i := range f.rule.alts {
			if f.live(&f.rule.alts[i]) {
				return false
			}
		}
	}
	return true
}

// live reports whether every reference of a resolves for the user: an
// alternative with a reference to something the user lacks matches no row.
func (f *RowFilter) live(a *rowAlt) bool {
	for i := range a.terms {
		if t := &a.terms[i]; t.ref != refNone {
			if _, ok := f.userValue(t); !ok {
				return false
			}
		}
	}
	return true
}

func (f *RowFilter) userValue(t *rowTerm) (string, bool) {
	var v string
	switch t.ref {
	case refID:
		v = f.user.ID
	case refUsername:
		v = f.user.Username
	case refCompany:
		v = f.user.Company
	case refAttr:
		v = f.user.Attributes[t.attr]
	}
	return v, v != ""
}

// Match reports whether the filter allows the row record, whose keys are
// the entity's attribute names. A field a condition names that is missing
// from record, or nil, never matches. Values compare strictly (see
// "Comparing values" in the package documentation): a string only with a
// string, a boolean only with a bool, a number only with a Go integer or
// float (or a json.Number) of exactly that value. Match does not allocate.
func (f RowFilter) Match(record map[string]any) bool {
	_, ok := f.match(record)
	return ok
}

// match returns the first alternative that allows record (nil for an
// unrestricted filter) and whether one does.
func (f *RowFilter) match(record map[string]any) (*rowAlt, bool) {
	switch f.state {
	case rowsAll:
		return nil, true
	case rowsNone:
		return nil, false
	}
	for i := range f.rule.alts {
		if a := &f.rule.alts[i]; f.matchAlt(a, record) {
			return a, true
		}
	}
	return nil, false
}

func (f *RowFilter) matchAlt(a *rowAlt, record map[string]any) bool {
	for i := range a.terms {
		t := &a.terms[i]
		v, ok := record[t.field]
		if !ok {
			return false
		}
		if t.ref != refNone {
			want, ok := f.userValue(t)
			if !ok {
				return false
			}
			if s, ok := v.(string); !ok || s != want {
				return false
			}
			continue
		}
		if !matchConsts(t.consts, v) {
			return false
		}
	}
	return true
}

// matchConsts reports whether v equals one of cs, strictly.
func matchConsts(cs []rowConst, v any) bool {
	switch x := v.(type) {
	case string:
		for i := range cs {
			if cs[i].kind == rowText && cs[i].text == x {
				return true
			}
		}
		return false
	case bool:
		for i := range cs {
			if cs[i].kind == rowBool && cs[i].b == x {
				return true
			}
		}
		return false
	case int:
		return matchInt(cs, int64(x))
	case int8:
		return matchInt(cs, int64(x))
	case int16:
		return matchInt(cs, int64(x))
	case int32:
		return matchInt(cs, int64(x))
	case int64:
		return matchInt(cs, x)
	case uint:
		return x <= MaxRowNumber && matchInt(cs, int64(x))
	case uint8:
		return matchInt(cs, int64(x))
	case uint16:
		return matchInt(cs, int64(x))
	case uint32:
		return matchInt(cs, int64(x))
	case uint64:
		return x <= MaxRowNumber && matchInt(cs, int64(x))
	case float32:
		return matchFloat(cs, float64(x))
	case float64:
		return matchFloat(cs, x)
	case json.Number:
		n, err := strconv.ParseFloat(string(x), 64)
		return err == nil && matchFloat(cs, n)
	}
	return false
}

func matchInt(cs []rowConst, n int64) bool {
	for i := range cs {
		if cs[i].kind == rowNumber && cs[i].num == n {
			return true
		}
	}
	return false
}

// matchFloat compares with the constants exactly: they are integers of at
// most 2^53-1 in magnitude, which float64 represents exactly.
func matchFloat(cs []rowConst, x float64) bool {
	for i := range cs {
		if cs[i].kind == rowNumber && float64(cs[i].num) == x {
			return true
		}
	}
	return false
}

// Placeholder is the parameter style of [RowFilter.SQL].
type Placeholder uint8

const (
	// Dollar numbers parameters $1, $2, … (PostgreSQL).
	Dollar Placeholder = iota + 1
	// Question writes every parameter as ? (SQLite, MySQL).
	Question
)

// SQL renders the filter as a parameterised SQL condition for a WHERE
// clause, and its arguments: "TRUE" for every row, "FALSE" for none, else
// comparisons of the columns with placeholders in style, such as
//
//	(dep_id = $1 OR owner_id = $2)
//
// Every value, constant or the user's, is an argument and never part of
// the text. columns maps each attribute a condition names to its column;
// the text is the host's trusted identifier, so SQL accepts only plain or
// dotted identifiers (letters, digits, _ and $ not first, parts joined by
// ".", each part possibly a double-quoted identifier without a quote
// inside) and returns an error wrapping [ErrBadColumn] for anything else,
// and one wrapping [ErrNoColumn] for an attribute without a column — for
// every attribute the rule names, whichever the user's values are, so that
// a missing column shows for every user. An attribute name never reaches
// the text.
//
// The condition is a single term (a comparison, or a parenthesised OR or
// AND), so it may be joined with AND to the host's own conditions. Use it
// as it is: SQL's NULL makes a comparison with a NULL column neither true
// nor false, so NOT (…) of it does not give the other rows. Comparisons are
// the database's: they agree with [RowFilter.Match] when each column holds
// values of its constants' type (text for strings and $user references,
// integer or floating point for numbers, boolean for booleans).
func (f RowFilter) SQL(columns map[string]string, style Placeholder) (where string, args []any, err error) {
	var buf [256]byte
	b, args, err := f.AppendSQL(buf[:0], columns, style, nil)
	if err != nil {
		return "", nil, err
	}
	return string(b), args, nil
}

// AppendSQL is [RowFilter.SQL] appending the condition to b and its
// arguments to args, for a query that already has len(args) arguments:
// [Dollar] placeholders continue from $len(args)+1.
func (f RowFilter) AppendSQL(b []byte, columns map[string]string, style Placeholder, args []any) ([]byte, []any, error) {
	if style != Dollar && style != Question {
		return b, args, fmt.Errorf("permissions: unknown placeholder style %d", style)
	}
	switch f.state {
	case rowsAll:
		return append(b, "TRUE"...), args, nil
	case rowsNone:
		return append(b, "FALSE"...), args, nil
	}
	for _, field := range f.rule.fields {
		col, ok := columns[field]
		if !ok {
			return b, args, fmt.Errorf("%w %q (%s:%s)", ErrNoColumn, field, f.entity, f.op)
		}
		if !validColumn(col) {
			return b, args, fmt.Errorf("%w: %q for attribute %q", ErrBadColumn, col, field)
		}
	}
	live := 0
	for i := range f.rule.alts {
		if f.live(&f.rule.alts[i]) {
			live++
		}
	}
	if live == 0 {
		return append(b, "FALSE"...), args, nil
	}
	if live > 1 {
		b = append(b, '(')
	}
	n := 0
	for i := range f.rule.alts {
		a := &f.rule.alts[i]
		if !f.live(a) {
			continue
		}
		if n > 0 {
			b = append(b, " OR "...)
		}
		n++
		if len(a.terms) > 1 {
			b = append(b, '(')
		}
		for j := range a.terms {
			t := &a.terms[j]
			if j > 0 {
				b = append(b, " AND "...)
			}
			b = append(b, columns[t.field]...)
			switch {
			case t.ref != refNone:
				v, _ := f.userValue(t)
				args = append(args, v)
				b = append(b, " = "...)
				b = placeholder(b, style, len(args))
			case len(t.consts) == 1:
				args = append(args, t.consts[0].arg)
				b = append(b, " = "...)
				b = placeholder(b, style, len(args))
			default:
				b = append(b, " IN ("...)
				for k := range t.consts {
					if k > 0 {
						b = append(b, ", "...)
					}
					args = append(args, t.consts[k].arg)
					b = placeholder(b, style, len(args))
				}
				b = append(b, ')')
			}
		}
		if len(a.terms) > 1 {
			b = append(b, ')')
		}
	}
	if live > 1 {
		b = append(b, ')')
	}
	return b, args, nil
}

func placeholder(b []byte, style Placeholder, n int) []byte {
	if style == Question {
		return append(b, '?')
	}
	return strconv.AppendInt(append(b, '$'), int64(n), 10)
}

// sqlLiteralWords are the bare words SQL reads as values, not columns.
var sqlLiteralWords = map[string]bool{
	"TRUE": true, "FALSE": true, "NULL": true, "UNKNOWN": true, "DEFAULT": true,
	"CURRENT_DATE": true, "CURRENT_TIME": true, "CURRENT_TIMESTAMP": true,
	"CURRENT_USER": true, "SESSION_USER": true, "USER": true, "LOCALTIME": true, "LOCALTIMESTAMP": true,
}

// validColumn reports whether col is a plain or dotted SQL identifier:
// parts of ASCII letters, digits, _ and $ (not first) that are not a word
// SQL reads as a value (TRUE, NULL, CURRENT_USER, ...), or double-quoted
// parts without a quote, backslash or NUL inside, joined by single dots.
func validColumn(col string) bool {
	if col == "" || len(col) > 3*MaxNameLen {
		return false
	}
	for part := range strings.SplitSeq(col, ".") {
		switch {
		case len(part) >= 3 && part[0] == '"' && part[len(part)-1] == '"':
			if strings.ContainsAny(part[1:len(part)-1], "\"\\\x00") {
				return false
			}
		case part == "":
			return false
		case sqlLiteralWords[strings.ToUpper(part)]:
			// TRUE = $1 would select every row: a word that is a value,
			// not a column, is refused unless quoted.
			return false
		default:
			for i := 0; i < len(part); i++ {
				c := part[i]
				switch {
				case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
				case i > 0 && (c >= '0' && c <= '9' || c == '$'):
				default:
					return false
				}
			}
		}
	}
	return true
}

// RowError is the refusal of a row by the row guard ([RowFilter.Check],
// [RowFilter.CheckUpdate]). It wraps [ErrRowDenied].
type RowError struct {
	// Entity and Op are the entity operation refused.
	Entity string
	Op     Op
	// Row says which row was refused: "the row" for Check, "the row before
	// the change" or "the row after the change" for CheckUpdate.
	Row string
	// Rules are the row rules that would have allowed a row, as
	// `role "sales" rows.Customer.update[0] {"owner_id":"$user.id"}`;
	// empty when the operation is not granted at all.
	Rules []string
}

// Error names the entity operation, the row and the rules.
func (e *RowError) Error() string {
	if len(e.Rules) == 0 {
		return fmt.Sprintf("%s: %s:%s is not granted", ErrRowDenied, e.Entity, e.Op)
	}
	return fmt.Sprintf("%s: %s:%s: %s matches no rule (%s)", ErrRowDenied, e.Entity, e.Op, e.Row, strings.Join(e.Rules, "; "))
}

// Unwrap returns [ErrRowDenied].
func (e *RowError) Unwrap() error { return ErrRowDenied }

// Check returns nil when the filter allows record and otherwise a
// [*RowError] naming the rules, which wraps [ErrRowDenied]: for a create,
// the new row must match the filter of [OpCreate]; for a delete or a read,
// the stored row that of [OpDelete] or [OpRead]. It does not allocate when
// the row is allowed.
func (f RowFilter) Check(record map[string]any) error {
	if f.Match(record) {
		return nil
	}
	return f.refusal("the row")
}

// CheckUpdate returns nil when the filter (of [OpUpdate]) allows the row
// both before and after the change, so that an update can neither reach a
// row outside the user's rows nor move a row out of them (or into another
// user's); otherwise a [*RowError], which wraps [ErrRowDenied]. after is
// the whole row as it will be stored, not only the changed fields.
func (f RowFilter) CheckUpdate(before, after map[string]any) error {
	if !f.Match(before) {
		return f.refusal("the row before the change")
	}
	if !f.Match(after) {
		return f.refusal("the row after the change")
	}
	return nil
}

func (f *RowFilter) refusal(row string) *RowError {
	e := &RowError{Entity: f.entity, Op: f.op, Row: row}
	if f.state == rowsSome {
		for _, a := range f.rule.alts {
			e.Rules = append(e.Rules, fmt.Sprintf("role %q %s %s", a.role, a.place, a.cond))
		}
	}
	return e
}

// RowExplanation tells why a [RowFilter] allows a row, or that it does
// not.
type RowExplanation struct {
	// Entity and Op are the entity operation.
	Entity string
	Op     Op
	// Allowed is what [RowFilter.Match] answers.
	Allowed bool
	// Reason is [ReasonAdmin] for an admin, [ReasonGrant] for a role
	// granting the operation without rows, [ReasonRow] for a role's
	// condition, [ReasonReadOnly] for an operation other than read of a
	// read-only user, and [ReasonDefaultDeny] when nothing allows the row.
	Reason Reason
	// Role is the code of the role that allowed the row (the first in
	// precedence order), empty for an admin or a denial.
	Role string
	// Rule is the place of the condition in the role, such as
	// "rows.Customer.read[1]", and Condition the condition as written;
	// both empty unless Reason is ReasonRow.
	Rule      string
	Condition string
}

// String describes the explanation on one line:
//
//	Customer:read allowed: condition rows.Customer.read[0] {"dep_id":"$user.dep_id"} of role "sales"
func (e RowExplanation) String() string {
	verdict := "denied"
	if e.Allowed {
		verdict = "allowed"
	}
	head := fmt.Sprintf("%s:%s %s: ", e.Entity, e.Op, verdict)
	switch e.Reason {
	case ReasonAdmin:
		return head + "admin user"
	case ReasonGrant:
		return head + fmt.Sprintf("role %q grants it on every row", e.Role)
	case ReasonRow:
		return head + fmt.Sprintf("condition %s %s of role %q", e.Rule, e.Condition, e.Role)
	case ReasonReadOnly:
		return head + "read_only access"
	}
	if e.Allowed {
		return head + e.Reason.String()
	}
	return head + "no grant or condition allows the row"
}

// Explain tells which role's grant or condition allows record, or that
// none does. Allowed always equals [RowFilter.Match]. It is meant for
// debugging and audit, not the hot path.
func (f RowFilter) Explain(record map[string]any) RowExplanation {
	e := RowExplanation{Entity: f.entity, Op: f.op}
	a, ok := f.match(record)
	e.Allowed = ok
	switch {
	case f.state == rowsNone:
		if f.set != nil && f.set.readOnly && f.op != OpRead {
			e.Reason = ReasonReadOnly
		}
	case f.state == rowsAll && f.set.admin:
		e.Reason = ReasonAdmin
	case f.state == rowsAll:
		e.Reason = ReasonGrant
		for i := range f.set.roles {
			r := &f.set.roles[i]
			ops, _, ok := r.entityGrant(f.entity)
			if _, restricted := r.Rows[f.entity][f.op.String()]; ok && maskOf(ops).has(f.op) && !restricted {
				e.Role = r.Code
				break
			}
		}
	case ok:
		e.Reason, e.Role, e.Rule, e.Condition = ReasonRow, a.role, a.place, a.cond.String()
	}
	return e
}
