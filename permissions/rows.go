package permissions

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Condition is one alternative of a row rule: a row matches when every
// field of the condition matches (AND). It is a JSON object of the data file:
//
//	{"status": ["open", "paid"], "company": "$user.company"}
//
// Keys are attribute names of the entity (checked against the schema by
// [Role.ValidateSchema]); values are [RowValue]s.
type Condition map[string]RowValue

// MaxRowValues is the longest list of constants a [RowValue] may hold.
const MaxRowValues = 256

// MaxRowNumber is the largest magnitude of a number constant in a row
// condition: 2^53-1, the largest integer that float64, int64 and every SQL
// database represent exactly.
const MaxRowNumber = 1<<53 - 1

// rowKind is what a RowValue holds.
type rowKind uint8

const (
	rowInvalid rowKind = iota // the zero RowValue, or one refused by UnmarshalJSON
	rowText
	rowNumber
	rowBool
	rowUser
	rowList
)

// RowValue is what a field of a [Condition] must equal: a constant (a
// string, an integer or a boolean), a list of constants (the field equals
// one of them), or a reference to the user: "$user.id", "$user.username",
// "$user.company" or "$user.<attribute>" (one of the user's attributes).
//
// In JSON a string beginning with "$" is a reference; any "$" string other
// than "$user.<name>" is an error, and a literal string beginning with "$" is
// written with the "$" doubled: "$$5 off" means "$5 off". Numbers are
// integers of at most [MaxRowNumber] in magnitude, written without a
// fraction or an exponent: ids and codes wider than that belong in strings.
// A list holds 1..[MaxRowValues] constants, never a reference or a list.
//
// Build values in Go with [RowText], [RowNumber], [RowBool], [RowUser] and
// [RowOneOf]. The zero RowValue is invalid. UnmarshalJSON accepts any JSON
// value so that [Role.Validate] can name the place of a mistake (for
// example rows.Customer.read[1].dep_id); a role holding an invalid value
// fails Validate and [Compile].
type RowValue struct {
	kind rowKind
	text string // rowText: the literal; rowUser: the name after "$user."
	num  int64
	b    bool
	list []RowValue // rowList: constants
	bad  *rowValueError
}

// rowValueError is why UnmarshalJSON or a constructor refused a value: sub
// is the place inside the value ("" or "[2]"), raw the JSON as given.
type rowValueError struct {
	sub string
	err error
	raw []byte
}

// RowText returns the constant string s. It is never a reference, even when
// s begins with "$".
func RowText(s string) RowValue { return RowValue{kind: rowText, text: s} }

// RowNumber returns the constant integer n; a magnitude above
// [MaxRowNumber] makes an invalid value that [Role.Validate] refuses.
func RowNumber(n int64) RowValue {
	if n > MaxRowNumber || n < -MaxRowNumber {
		return RowValue{bad: &rowValueError{err: errNumberRange}}
	}
	return RowValue{kind: rowNumber, num: n}
}

// RowBool returns the constant b.
func RowBool(b bool) RowValue { return RowValue{kind: rowBool, b: b} }

// RowUser returns the reference to the user's field name: "id", "username",
// "company", or else the name of one of the user's attributes. It is
// "$user.<name>" in JSON.
func RowUser(name string) RowValue {
	if err := ValidateName(name, false); err != nil {
		return RowValue{bad: &rowValueError{err: err}}
	}
	return RowValue{kind: rowUser, text: name}
}

// RowOneOf returns the list of constants vs: the field must equal one of
// them. A reference or a list among vs, or no vs at all, makes an invalid
// value that [Role.Validate] refuses.
func RowOneOf(vs ...RowValue) RowValue {
	if err := checkList(vs); err != nil {
		return RowValue{bad: err}
	}
	return RowValue{kind: rowList, list: slices.Clone(vs)}
}

var (
	errNumberRange = fmt.Errorf("%w: a number must be an integer from %d to %d, without a fraction or exponent (write wider ids as strings)", ErrBadRowRule, -MaxRowNumber, MaxRowNumber)
	errDollar      = fmt.Errorf("%w: a string beginning with $ must be a reference $user.<name> ($user.id, $user.username, $user.company or an attribute); write $$ for a literal $", ErrBadRowRule)
)

func checkList(vs []RowValue) *rowValueError {
	switch {
	case len(vs) == 0:
		return &rowValueError{err: fmt.Errorf("%w: an empty list matches nothing", ErrBadRowRule)}
	case len(vs) > MaxRowValues:
		return &rowValueError{err: fmt.Errorf("%w: a list holds at most %d values", ErrBadRowRule, MaxRowValues)}
	}
	for i, v := range vs {
		sub := "[" + strconv.Itoa(i) + "]"
		switch {
		case v.bad != nil:
			return &rowValueError{sub: sub + v.bad.sub, err: v.bad.err}
		case v.kind == rowUser:
			return &rowValueError{sub: sub, err: fmt.Errorf("%w: a list holds constants, not references", ErrBadRowRule)}
		case v.kind == rowList:
			return &rowValueError{sub: sub, err: fmt.Errorf("%w: a list holds constants, not lists", ErrBadRowRule)}
		case v.kind == rowInvalid:
			return &rowValueError{sub: sub, err: fmt.Errorf("%w: empty value", ErrBadRowRule)}
		}
	}
	return nil
}

// ParseRowValue parses the JSON form of a [RowValue] (see its
// documentation) and returns an error wrapping [ErrBadRowRule] for one that
// is not valid. It is what UnmarshalJSON and [Role.Validate] apply.
func ParseRowValue(data []byte) (RowValue, error) {
	v, bad := parseRowValue(data, true)
	if bad != nil {
		if bad.sub != "" {
			return RowValue{}, fmt.Errorf("%s: %w", bad.sub, bad.err)
		}
		return RowValue{}, bad.err
	}
	return v, nil
}

func parseRowValue(data []byte, listOK bool) (RowValue, *rowValueError) {
	data = bytes.TrimSpace(data)
	fail := func(err error) (RowValue, *rowValueError) {
		return RowValue{}, &rowValueError{err: err}
	}
	if len(data) == 0 {
		return fail(fmt.Errorf("%w: empty value", ErrBadRowRule))
	}
	switch c := data[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return fail(fmt.Errorf("%w: malformed string", ErrBadRowRule))
		}
		return parseRowString(s)
	case c == 't' || c == 'f':
		var b bool
		if err := json.Unmarshal(data, &b); err != nil {
			return fail(fmt.Errorf("%w: malformed value", ErrBadRowRule))
		}
		return RowBool(b), nil
	case c == '-' || c >= '0' && c <= '9':
		n, ok := parseRowInt(data)
		if !ok {
			return fail(errNumberRange)
		}
		return RowValue{kind: rowNumber, num: n}, nil
	case c == '[' && listOK:
		var raws []json.RawMessage
		if err := json.Unmarshal(data, &raws); err != nil {
			return fail(fmt.Errorf("%w: malformed list", ErrBadRowRule))
		}
		vs := make([]RowValue, len(raws))
		for i, raw := range raws {
			v, bad := parseRowValue(raw, false)
			if bad != nil {
				return RowValue{}, &rowValueError{sub: "[" + strconv.Itoa(i) + "]" + bad.sub, err: bad.err}
			}
			vs[i] = v
		}
		if bad := checkList(vs); bad != nil {
			return RowValue{}, bad
		}
		return RowValue{kind: rowList, list: vs}, nil
	case c == '[':
		return fail(fmt.Errorf("%w: a list holds constants, not lists", ErrBadRowRule))
	case c == 'n':
		return fail(fmt.Errorf("%w: null matches nothing (want a string, an integer, a boolean, a list of them or a $user reference)", ErrBadRowRule))
	}
	return fail(fmt.Errorf("%w: want a string, an integer, a boolean, a list of them or a $user reference", ErrBadRowRule))
}

// parseRowString reads a JSON string's content: a reference, an escaped
// literal ("$$…") or a plain literal.
func parseRowString(s string) (RowValue, *rowValueError) {
	switch {
	case strings.HasPrefix(s, "$$"):
		return RowText(s[1:]), nil
	case strings.HasPrefix(s, "$user."):
		v := RowUser(s[len("$user."):])
		if v.bad != nil {
			return RowValue{}, &rowValueError{err: fmt.Errorf("%w: reference %q: %w", ErrBadRowRule, s, v.bad.err)}
		}
		return v, nil
	case strings.HasPrefix(s, "$"):
		return RowValue{}, &rowValueError{err: errDollar}
	}
	return RowText(s), nil
}

// parseRowInt parses an integer written as JSON writes one (no leading
// zeros, no fraction, no exponent) within ±MaxRowNumber.
func parseRowInt(b []byte) (int64, bool) {
	digits := b
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 || len(digits) > 16 || digits[0] == '0' && len(digits) > 1 {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil || n > MaxRowNumber || n < -MaxRowNumber {
		return 0, false
	}
	return n, true
}

// UnmarshalJSON implements [json.Unmarshaler]. It accepts any JSON value;
// one that is not a valid row value is kept, with the reason, for
// [Role.Validate] to report at its place.
func (v *RowValue) UnmarshalJSON(data []byte) error {
	if !json.Valid(data) {
		return fmt.Errorf("%w: malformed JSON", ErrBadRowRule)
	}
	got, bad := parseRowValue(data, true)
	if bad != nil {
		bad.raw = bytes.Clone(data)
		*v = RowValue{bad: bad}
		return nil
	}
	*v = got
	return nil
}

// MarshalJSON implements [json.Marshaler], writing the form UnmarshalJSON
// reads: a value decoded as invalid is written back as it was given.
func (v RowValue) MarshalJSON() ([]byte, error) {
	if v.bad != nil {
		if v.bad.raw != nil {
			return bytes.Clone(v.bad.raw), nil
		}
		return nil, v.bad.err
	}
	return v.appendJSON(nil)
}

func (v RowValue) appendJSON(b []byte) ([]byte, error) {
	switch v.kind {
	case rowText:
		s := v.text
		if strings.HasPrefix(s, "$") {
			s = "$" + s
		}
		q, err := json.Marshal(s)
		return append(b, q...), err
	case rowNumber:
		return strconv.AppendInt(b, v.num, 10), nil
	case rowBool:
		return strconv.AppendBool(b, v.b), nil
	case rowUser:
		q, err := json.Marshal("$user." + v.text)
		return append(b, q...), err
	case rowList:
		b = append(b, '[')
		for i, e := range v.list {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = e.appendJSON(b); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	}
	return nil, fmt.Errorf("%w: empty value", ErrBadRowRule)
}

// String returns the value's JSON form, for logs and explanations.
func (v RowValue) String() string {
	b, err := v.MarshalJSON()
	if err != nil {
		return "<invalid>"
	}
	return string(b)
}

// validate returns the value's problem and its place within the value.
func (v RowValue) validate() (sub string, err error) {
	switch {
	case v.bad != nil:
		return v.bad.sub, v.bad.err
	case v.kind == rowInvalid:
		return "", fmt.Errorf("%w: empty value", ErrBadRowRule)
	case v.kind == rowList:
		if bad := checkList(v.list); bad != nil {
			return bad.sub, bad.err
		}
	}
	return "", nil
}

// String returns the condition as JSON with sorted keys, such as
// {"dep_id":"$user.dep_id"}.
func (c Condition) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range slices.Sorted(maps.Keys(c)) {
		if i > 0 {
			b.WriteByte(',')
		}
		q, _ := json.Marshal(k)
		b.Write(q)
		b.WriteByte(':')
		b.WriteString(c[k].String())
	}
	b.WriteByte('}')
	return b.String()
}

// RoleError is a mistake in one field of a role, such as a row rule:
// Field is its place in the role object in the data file's terms
// ("rows.Customer.read[1].dep_id"). It wraps the cause.
type RoleError struct {
	// Role is the role's code.
	Role string
	// Field is the place in the role object.
	Field string
	// Err says what is wrong.
	Err error
}

// Error returns `permissions: role "sales": rows.Customer.read[1].dep_id: …`.
func (e *RoleError) Error() string {
	return fmt.Sprintf("permissions: role %q: %s: %v", e.Role, e.Field, e.Err)
}

// Unwrap returns the cause.
func (e *RoleError) Unwrap() error { return e.Err }

// MaxRowConditions is the most conditions one entity operation of a role
// may list.
const MaxRowConditions = 256

// validateRows checks r.Rows on its own (see the package documentation,
// "Row-level permissions"); errors are [*RoleError]s naming the place, found
// in sorted order.
func (r *Role) validateRows() error {
	fail := func(field string, err error) error {
		return &RoleError{Role: r.Code, Field: field, Err: err}
	}
	for _, entity := range slices.Sorted(maps.Keys(r.Rows)) {
		place := "rows." + entity
		if entity == Wildcard {
			return fail(place, fmt.Errorf("%w: rows restrict a named entity, not %q", ErrBadRowRule, Wildcard))
		}
		if err := ValidateName(entity, false); err != nil {
			return fail("rows", err)
		}
		byOp := r.Rows[entity]
		if len(byOp) == 0 {
			return fail(place, fmt.Errorf("%w: no operations (name the operations to restrict)", ErrBadRowRule))
		}
		granted, _, _ := r.entityGrant(entity)
		for _, name := range slices.Sorted(maps.Keys(byOp)) {
			place := place + "." + name
			op, err := ParseOp(name)
			if err != nil {
				return fail(place, err)
			}
			if !maskOf(granted).has(op) {
				return fail(place, fmt.Errorf("%w: the role does not grant %s:%s (rows restrict an operation the role grants)", ErrBadRowRule, entity, op))
			}
			conds := byOp[name]
			switch {
			case len(conds) == 0:
				return fail(place, fmt.Errorf("%w: an empty list (grant %s without rows for every row, or do not grant it)", ErrBadRowRule, op))
			case len(conds) > MaxRowConditions:
				return fail(place, fmt.Errorf("%w: at most %d conditions", ErrBadRowRule, MaxRowConditions))
			}
			for i, c := range conds {
				place := place + "[" + strconv.Itoa(i) + "]"
				if len(c) == 0 {
					return fail(place, fmt.Errorf("%w: an empty condition would match every row (grant the operation without rows instead)", ErrBadRowRule))
				}
				for _, field := range slices.Sorted(maps.Keys(c)) {
					if err := ValidateName(field, false); err != nil {
						return fail(place, err)
					}
					if sub, err := c[field].validate(); err != nil {
						return fail(place+"."+field+sub, err)
					}
				}
			}
		}
	}
	return nil
}

// cloneRows returns a deep copy of rows.
func cloneRows(rows map[string]map[string][]Condition) map[string]map[string][]Condition {
	if rows == nil {
		return nil
	}
	out := make(map[string]map[string][]Condition, len(rows))
	for e, byOp := range rows {
		var m map[string][]Condition
		if byOp != nil {
			m = make(map[string][]Condition, len(byOp))
			for op, conds := range byOp {
				var cs []Condition
				if conds != nil {
					cs = make([]Condition, len(conds))
					for i, c := range conds {
						cs[i] = maps.Clone(c)
					}
				}
				m[op] = cs
			}
		}
		out[e] = m
	}
	return out
}

// UserFields returns the fields of the user that r's row rules reference
// ("$user.<name>": "id", "username", "company" or an attribute's name),
// sorted and without repeats. Whoever may change one of them for a user
// changes whose rows that user sees (package manage guards them).
func (r *Role) UserFields() []string {
	var names []string
	for _, ops := range r.Rows {
		for _, conds := range ops {
			for _, c := range conds {
				for _, v := range c {
					if v.kind == rowUser && !slices.Contains(names, v.text) {
						names = append(names, v.text)
					}
				}
			}
		}
	}
	slices.Sort(names)
	return names
}
