package datafile

import (
	"errors"
	"fmt"
	"slices"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// Validate checks the whole data file and returns the first mistake as a
// *Error naming its place. Parse calls it; call it again
// after changing a File in code.
func (d *File) Validate() error {
	if d.Service.Version != (Version{}) {
		if err := d.Service.Version.Validate(); err != nil {
			return &Error{Place: "service.version", Err: err}
		}
	}
	for entity, attrs := range d.Schema {
		place := "schema." + entity
		if err := permissions.ValidateName(entity, false); err != nil {
			return &Error{Place: "schema", Err: err}
		}
		seen := make(map[string]bool, len(attrs))
		for i, a := range attrs {
			if err := permissions.ValidateName(a, false); err != nil {
				return &Error{Place: fmt.Sprintf("%s[%d]", place, i), Err: err}
			}
			if seen[a] {
				return placeErr(fmt.Sprintf("%s[%d]", place, i), "duplicate attribute %q", a)
			}
			seen[a] = true
		}
	}
	specifics := make(map[string]int, len(d.Specifics))
	for i, n := range d.Specifics {
		place := fmt.Sprintf("specifics[%d]", i)
		if err := permissions.ValidateName(n, false); err != nil {
			return &Error{Place: place, Err: err}
		}
		if j, dup := specifics[n]; dup {
			return placeErr(place, "duplicate specific permission %q (also specifics[%d])", n, j)
		}
		specifics[n] = i
	}
	params := make(map[string]bool, len(d.Parameters))
	for i, p := range d.Parameters {
		place := fmt.Sprintf("parameters[%d].code", i)
		if err := permissions.ValidateName(p.Code, false); err != nil {
			return &Error{Place: place, Err: err}
		}
		if params[p.Code] {
			return placeErr(place, "duplicate parameter %q", p.Code)
		}
		params[p.Code] = true
	}
	roles := make(map[string]int, len(d.Roles))
	for i := range d.Roles {
		r := &d.Roles[i]
		place := fmt.Sprintf("roles[%d]", i)
		if err := r.Validate(); err != nil {
			// A mistake in a row rule names its place in the role
			// (rows.Customer.read[1].dep_id).
			var re *permissions.RoleError
			if errors.As(err, &re) {
				return &Error{Place: place + "." + re.Field, Err: re.Err}
			}
			return &Error{Place: place, Err: err}
		}
		if j, dup := roles[r.Code]; dup {
			return placeErr(place+".code", "duplicate role %q (also roles[%d])", r.Code, j)
		}
		roles[r.Code] = i
		// With a schema declared, a grant naming anything outside it is a
		// typo that would otherwise pass silently (and a hidden grant with a
		// misspelt name leaves the real attribute to "*").
		if d.Schema != nil {
			if err := r.ValidateSchema(permissions.Schema(d.Schema)); err != nil {
				var se *permissions.SchemaError
				if errors.As(err, &se) {
					return &Error{Place: place + "." + se.Field, Err: problemError{se}}
				}
				return &Error{Place: place, Err: err}
			}
		}
	}
	for i := range d.Roles {
		for j, b := range d.Roles[i].Base {
			if _, ok := roles[b]; !ok {
				return placeErr(fmt.Sprintf("roles[%d].base[%d]", i, j), "unknown role %q", b)
			}
		}
	}
	if err := permissions.ValidateRoles(d.Roles); err != nil {
		// Only a cycle is left to find; name the first role on it.
		place := "roles"
		for i := range d.Roles {
			if err2 := permissions.ValidateRoles(withoutRole(d.Roles, i)); err2 == nil {
				place = fmt.Sprintf("roles[%d].base", i)
				break
			}
		}
		return &Error{Place: place, Err: err}
	}
	// Usernames are unique up to case, as in every store: "alice" and
	// "Alice" would be two confusable identities in the audit and in every
	// UI. The fold is the stores' own (storage.FoldUsername).
	usernames := make(map[string]int, len(d.Users))
	for i := range d.Users {
		if err := d.validateUser(i, roles, params); err != nil {
			return err
		}
		u := d.Users[i].Username
		folded := storage.FoldUsername(u)
		if j, dup := usernames[folded]; dup {
			place := fmt.Sprintf("users[%d].username", i)
			if other := d.Users[j].Username; other != u {
				return placeErr(place, "%q equals users[%d].username %q up to case", u, j, other)
			}
			return placeErr(place, "duplicate username %q (also users[%d])", u, j)
		}
		usernames[folded] = i
	}
	return nil
}

// withoutRole returns roles less the i-th, and less every base reference to
// it, to find a role whose removal breaks a cycle.
func withoutRole(roles []permissions.Role, i int) []permissions.Role {
	code := roles[i].Code
	out := make([]permissions.Role, 0, len(roles)-1)
	for j, r := range roles {
		if j == i {
			continue
		}
		r.Base = slices.DeleteFunc(slices.Clone(r.Base), func(b string) bool { return b == code })
		out = append(out, r)
	}
	return out
}

func (d *File) validateUser(i int, roles map[string]int, params map[string]bool) error {
	du := &d.Users[i]
	place := fmt.Sprintf("users[%d]", i)
	u := du.user()
	if err := u.Validate(); err != nil {
		var fe *user.FieldError
		if errors.As(err, &fe) {
			field := fe.Field
			if field == "company_key" {
				field = "company" // the data file's name for it
			}
			return &Error{Place: place + "." + field, Err: errors.New(fe.Message)}
		}
		return &Error{Place: place, Err: err}
	}
	switch {
	case du.Password != "" && du.PasswordHash != "":
		return placeErr(place, "give password or password_hash, not both")
	case du.Password == "" && du.PasswordHash == "":
		return placeErr(place, "password or password_hash is required")
	case du.Password != "":
		if err := (user.PasswordPolicy{}).Validate(du.Password); err != nil {
			var fe *user.FieldError
			if errors.As(err, &fe) {
				err = errors.New(fe.Message)
			}
			return &Error{Place: place + ".password", Err: err}
		}
	default:
		if err := user.CheckHash(du.PasswordHash); err != nil {
			return &Error{Place: place + ".password_hash", Err: err}
		}
	}
	for j, r := range du.Roles {
		if _, ok := roles[r]; !ok {
			return placeErr(fmt.Sprintf("%s.roles[%d]", place, j), "unknown role %q", r)
		}
	}
	for code := range du.Parameters {
		if !params[code] {
			return placeErr(place+".parameters."+code, "unknown parameter %q (declare it in parameters)", code)
		}
	}
	return nil
}

// problemError shows a SchemaError without its role and place, which the
// Error around it names in the data file's terms, and still
// unwraps to it (and so to permissions.ErrNotInSchema).
type problemError struct{ se *permissions.SchemaError }

func (e problemError) Error() string { return e.se.Problem() }
func (e problemError) Unwrap() error { return e.se }

// Warning is something in a valid data file that is almost
// certainly not what its author meant, such as a "hidden" attribute grant
// that a base role overrides (roles combine by union, so it hides
// nothing). It does not stop the file from loading.
type Warning struct {
	// Place is a path into the file, as in [Error].
	Place string
	// Message says what is wrong and why.
	Message string
}

// String returns "data file: Place: Message".
func (w Warning) String() string {
	return "data file: " + w.Place + ": " + w.Message
}

// Warnings returns the warnings about d, in file order: today every
// "hidden" attribute grant of a role that a role it includes (through
// base) overrides, so that its holders see the attribute after all (see
// permissions.OverriddenHidden). [File.Apply] returns them in its
// report and [Gatehouse.ApplyDataFile] also logs each one. Call it after
// [File.Validate]; the warnings of an invalid file are incomplete.
func (d *File) Warnings() []Warning {
	index := make(map[string]int, len(d.Roles))
	for i, r := range d.Roles {
		if _, dup := index[r.Code]; !dup {
			index[r.Code] = i
		}
	}
	var out []Warning
	for _, o := range permissions.OverriddenHidden(d.Roles) {
		out = append(out, Warning{
			Place: fmt.Sprintf("roles[%d].%s", index[o.Role], o.Field()),
			Message: fmt.Sprintf("hidden has no effect: base role %q grants %s (roles[%d]) and roles combine by union, so holders of %q get %s; hide it in %q too or grant less there",
				o.By, o.Grant, index[o.By], o.Role, o.Access, o.By),
		})
	}
	return out
}
