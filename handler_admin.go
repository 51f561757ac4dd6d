package gatehouse

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse-go/gatehouse/manage"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/user"
)

// adminUser is a user in the answers of the admin API: the GET /user
// document, the user's own parameters, and when it was created, last
// changed and last given a password (null: never). Never a hash.
type adminUser struct {
	UserDocument
	Parameters        map[string]string `json:"parameters"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
	PasswordChangedAt *string           `json:"password_changed_at"`
}

func newAdminUser(u *user.User) adminUser {
	d := adminUser{
		UserDocument: NewUserDocument(u),
		Parameters:   maps.Clone(u.Parameters),
		CreatedAt:    rfc3339(u.CreatedAt),
		UpdatedAt:    rfc3339(u.UpdatedAt),
	}
	if d.Parameters == nil {
		d.Parameters = map[string]string{}
	}
	if !u.PasswordChangedAt.IsZero() {
		t := rfc3339(u.PasswordChangedAt)
		d.PasswordChangedAt = &t
	}
	return d
}

// adminUserPage is the body of GET /users.
type adminUserPage struct {
	Users []adminUser `json:"users"`
	Total int         `json:"total"`
}

// Limits of GET /users.
const (
	maxAdminOffset = 10_000_000
	maxAdminSearch = 256
)

// serveAdminUsers answers GET /users?offset&limit&q: a page of the users
// of the caller's company, ordered by username, and how many match. q
// keeps those whose username, name or e-mail address contains it, ignoring
// case; limit is 1..manage.MaxLimit (default manage.DefaultLimit).
func (g *Gatehouse) serveAdminUsers(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	qv := r.URL.Query()
	q := manage.UserQuery{Limit: manage.DefaultLimit, Search: qv.Get("q")}
	var err error
	if q.Offset, err = intParam(qv.Get("offset"), "offset", 0, 0, maxAdminOffset); err != nil {
		return err
	}
	if q.Limit, err = intParam(qv.Get("limit"), "limit", manage.DefaultLimit, 1, manage.MaxLimit); err != nil {
		return err
	}
	if utf8.RuneCountInString(q.Search) > maxAdminSearch {
		return errorf(http.StatusBadRequest, "q: at most %d characters (length)", maxAdminSearch)
	}
	page, err := g.manage.ListUsers(r.Context(), g.actor(r, a), q)
	if err != nil {
		return manageError(err)
	}
	out := adminUserPage{Users: make([]adminUser, len(page.Users)), Total: page.Total}
	for i := range page.Users {
		out.Users[i] = newAdminUser(&page.Users[i])
	}
	return writeJSON(w, http.StatusOK, out)
}

// intParam parses an optional integer query parameter in min..max.
func intParam(s, name string, def, lo, hi int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errorf(http.StatusBadRequest, "%s: must be an integer (type)", name)
	}
	if n < lo || n > hi {
		return 0, errorf(http.StatusBadRequest, "%s: must be %d..%d (range)", name, lo, hi)
	}
	return n, nil
}

// adminUserCreate is the body of POST /users.
type adminUserCreate struct {
	Username   string            `json:"username"`
	Password   string            `json:"password"`
	Name       string            `json:"name"`
	Email      string            `json:"email"`
	Phone      string            `json:"phone"`
	CompanyKey string            `json:"company_key"`
	Locale     string            `json:"locale"`
	Timezone   string            `json:"timezone"`
	Access     user.Access       `json:"access"`
	Admin      bool              `json:"admin"`
	Blocked    bool              `json:"blocked"`
	Roles      []string          `json:"roles"`
	Attributes map[string]string `json:"attributes"`
	Parameters map[string]string `json:"parameters"`
}

// serveAdminUserCreate answers POST /users: 201 and the user as stored.
// company_key defaults to the caller's own; a username taken up to case
// is 409.
func (g *Gatehouse) serveAdminUserCreate(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var b *adminUserCreate
	if err := g.decodeJSON(r, &b); err != nil {
		return err
	}
	if b == nil {
		return errNotObject
	}
	u, err := g.manage.CreateUser(r.Context(), g.actor(r, a), manage.NewUser{
		Username: b.Username, Password: b.Password, Name: b.Name, Email: b.Email, Phone: b.Phone,
		Company: b.CompanyKey, Locale: b.Locale, Timezone: b.Timezone, Access: b.Access,
		Admin: b.Admin, Blocked: b.Blocked, Roles: b.Roles, Attributes: b.Attributes, Parameters: b.Parameters,
	})
	if err != nil {
		return manageError(err)
	}
	return writeJSON(w, http.StatusCreated, newAdminUser(&u))
}

// errNotObject is the 400 of a body that is JSON null, not an object.
var errNotObject = &Error{Status: http.StatusBadRequest, Message: "body: must be a JSON object (type)"}

// adminTarget reads the user of the path's {username} (up to case) as the
// caller may see it: another company's is 404.
func (g *Gatehouse) adminTarget(r *http.Request, a *session.Auth) (user.User, error) {
	u, err := g.manage.UserByUsername(r.Context(), g.actor(r, a), r.PathValue("username"))
	if err != nil {
		return user.User{}, manageError(err)
	}
	return u, nil
}

// serveAdminUser answers GET /users/{username}.
func (g *Gatehouse) serveAdminUser(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	u, err := g.adminTarget(r, a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newAdminUser(&u))
}

// serveAdminUserUpdate answers PATCH /users/{username}: a JSON merge patch
// (RFC 7396) of the fields of POST /users but password. A member left out
// keeps the field, null clears it (admin and blocked become false, access
// full); attributes and parameters are merged key by key (a null value
// removes the key). username and company_key cannot be null. The change is
// one manage.UpdateUser: validated, retried over concurrent changes, all
// or nothing.
func (g *Gatehouse) serveAdminUserUpdate(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	patch, err := g.decodeMergePatch(r)
	if err != nil {
		return err
	}
	target, err := g.adminTarget(r, a)
	if err != nil {
		return err
	}
	u, err := g.manage.UpdateUser(r.Context(), g.actor(r, a), target.ID, patch.apply)
	if err != nil {
		return manageError(err)
	}
	return writeJSON(w, http.StatusOK, newAdminUser(&u))
}

// userPatch is a parsed merge patch of a user. A nil pointer (or map)
// leaves the field alone.
type userPatch struct {
	strings    map[string]*string // username, name, email, ..., access: the new value ("" clears)
	admin      *bool
	blocked    *bool
	roles      *[]string
	attributes *mapPatch
	parameters *mapPatch
}

// mapPatch is the patch of a string map: clear it first, then set or
// delete (nil) keys.
type mapPatch struct {
	clear bool
	set   map[string]*string
}

func (p *mapPatch) apply(m map[string]string) map[string]string {
	if p.clear {
		m = nil
	}
	for k, v := range p.set {
		if v == nil {
			delete(m, k)
			continue
		}
		if m == nil {
			m = make(map[string]string)
		}
		m[k] = *v
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// apply is the change function of the patch.
func (p *userPatch) apply(u *user.User) error {
	for name, v := range p.strings {
		switch name {
		case "username":
			u.Username = *v
		case "name":
			u.Name = *v
		case "email":
			u.Email = *v
		case "phone":
			u.Phone = *v
		case "company_key":
			u.Company = *v
		case "locale":
			u.Locale = *v
		case "timezone":
			u.Timezone = *v
		case "access":
			u.Access = user.Access(*v)
		}
	}
	if p.admin != nil {
		u.Admin = *p.admin
	}
	if p.blocked != nil {
		u.Blocked = *p.blocked
	}
	if p.roles != nil {
		u.Roles = *p.roles
	}
	if p.attributes != nil {
		u.Attributes = p.attributes.apply(u.Attributes)
	}
	if p.parameters != nil {
		u.Parameters = p.parameters.apply(u.Parameters)
	}
	return nil
}

// decodeMergePatch reads the body of PATCH /users/{username}: a JSON
// object of Content-Type application/merge-patch+json or application/json,
// as strictly as decodeJSON reads any body.
func (g *Gatehouse) decodeMergePatch(r *http.Request) (*userPatch, error) {
	if requireContentType(r, "application/merge-patch+json") == nil {
		// decodeJSON checks for application/json; the body is the same.
		r2 := *r
		r2.Header = r.Header.Clone()
		r2.Header.Set("Content-Type", "application/json")
		r = &r2
	} else if err := requireContentType(r, "application/json"); err != nil {
		return nil, errorf(http.StatusUnsupportedMediaType, "Content-Type must be application/merge-patch+json or application/json")
	}
	var raw map[string]json.RawMessage
	if err := g.decodeJSON(r, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errNotObject
	}
	p := &userPatch{strings: make(map[string]*string)}
	for k, v := range raw {
		switch k {
		case "username", "company_key":
			if isNull(v) {
				return nil, errorf(http.StatusBadRequest, "%s: cannot be cleared (required)", k)
			}
			s, err := patchString(k, v)
			if err != nil {
				return nil, err
			}
			p.strings[k] = s
		case "name", "email", "phone", "locale", "timezone", "access":
			s, err := patchString(k, v)
			if err != nil {
				return nil, err
			}
			p.strings[k] = s
		case "admin", "blocked":
			b := new(bool)
			if !isNull(v) {
				if err := json.Unmarshal(v, b); err != nil {
					return nil, errorf(http.StatusBadRequest, "%s: must be a boolean or null (type)", k)
				}
			}
			if k == "admin" {
				p.admin = b
			} else {
				p.blocked = b
			}
		case "roles":
			roles := []string{}
			if !isNull(v) {
				if err := json.Unmarshal(v, &roles); err != nil {
					return nil, errorf(http.StatusBadRequest, "roles: must be an array of strings or null (type)")
				}
			}
			if len(roles) == 0 {
				roles = nil
			}
			p.roles = &roles
		case "attributes", "parameters":
			mp := &mapPatch{clear: isNull(v)}
			if !mp.clear {
				if err := json.Unmarshal(v, &mp.set); err != nil || mp.set == nil {
					return nil, errorf(http.StatusBadRequest, "%s: must be an object of strings (or null values) or null (type)", k)
				}
			}
			if k == "attributes" {
				p.attributes = mp
			} else {
				p.parameters = mp
			}
		default:
			return nil, errorf(http.StatusBadRequest, "%s: unknown field", k)
		}
	}
	return p, nil
}

// patchString reads a string member of a merge patch; null is "".
func patchString(name string, v json.RawMessage) (*string, error) {
	s := new(string)
	if isNull(v) {
		return s, nil
	}
	if err := json.Unmarshal(v, s); err != nil {
		return nil, errorf(http.StatusBadRequest, "%s: must be a string or null (type)", name)
	}
	return s, nil
}

// passwordSet is the body of PUT /users/{username}/password.
type passwordSet struct {
	NewPassword string `json:"new_password"`
}

// serveAdminUserPassword answers PUT /users/{username}/password: an
// administrator's reset (204). The password policy applies; every session
// and token of the user ends.
func (g *Gatehouse) serveAdminUserPassword(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var b *passwordSet
	if err := g.decodeJSON(r, &b); err != nil {
		return err
	}
	if b == nil {
		return errNotObject
	}
	if b.NewPassword == "" {
		return errorf(http.StatusBadRequest, "new_password: is required (required)")
	}
	u, err := g.adminTarget(r, a)
	if err != nil {
		return err
	}
	if err := g.manage.SetPassword(r.Context(), g.actor(r, a), u.ID, b.NewPassword); err != nil {
		var fe *user.FieldError
		if errors.As(err, &fe) && fe.Field == "password" {
			return errorf(http.StatusBadRequest, "new_password: %s (%s)", fe.Message, fe.Rule)
		}
		return manageError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// serveAdminUserDelete answers DELETE /users/{username} (204): the user's
// sessions are revoked first.
func (g *Gatehouse) serveAdminUserDelete(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	u, err := g.adminTarget(r, a)
	if err != nil {
		return err
	}
	if err := g.manage.DeleteUser(r.Context(), g.actor(r, a), u.ID); err != nil {
		return manageError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// serveAdminUserSessions answers GET /users/{username}/sessions, as GET
// /sessions does for the caller.
func (g *Gatehouse) serveAdminUserSessions(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	u, err := g.adminTarget(r, a)
	if err != nil {
		return err
	}
	ss, err := g.manage.Sessions(r.Context(), g.actor(r, a), u.ID)
	if err != nil {
		return manageError(err)
	}
	return writeJSON(w, http.StatusOK, newSessionList(ss))
}

// serveAdminUserSessionsRevoke answers DELETE /users/{username}/sessions:
// every session and token of the user ends; the body says how many live
// sessions did.
func (g *Gatehouse) serveAdminUserSessionsRevoke(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	u, err := g.adminTarget(r, a)
	if err != nil {
		return err
	}
	n, err := g.manage.RevokeSessions(r.Context(), g.actor(r, a), u.ID)
	if err != nil {
		return manageError(err)
	}
	return writeJSON(w, http.StatusOK, revokedCount{Revoked: n})
}

// roleList is the body of GET /roles.
type roleList struct {
	Roles []permissions.Role `json:"roles"`
}

// serveAdminRoles answers GET /roles: every role, ordered by code, in the
// data file's shape.
func (g *Gatehouse) serveAdminRoles(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	roles, err := g.manage.Roles(r.Context(), g.actor(r, a))
	if err != nil {
		return manageError(err)
	}
	if roles == nil {
		roles = []permissions.Role{}
	}
	return writeJSON(w, http.StatusOK, roleList{Roles: roles})
}

// serveAdminRole answers GET /roles/{code}.
func (g *Gatehouse) serveAdminRole(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	role, err := g.manage.Role(r.Context(), g.actor(r, a), r.PathValue("code"))
	if err != nil {
		return manageError(err)
	}
	return writeJSON(w, http.StatusOK, role)
}

// serveAdminRolePut answers PUT /roles/{code}: the body is the role in
// the data file's shape; its code, when given, must be the path's. 201
// when the role was created, 200 when replaced, with the role. An invalid
// role (a malformed name, an unknown base role, a cycle, a grant the
// schema does not declare) is 400 and never stored.
func (g *Gatehouse) serveAdminRolePut(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	var body *permissions.Role
	if err := g.decodeJSON(r, &body); err != nil {
		for _, e := range []struct {
			err         error
			field, rule string
		}{{permissions.ErrUnknownOp, "entities", "operation"}, {permissions.ErrUnknownAccess, "attributes", "access"}} {
			var he *Error
			if errors.Is(err, e.err) && errors.As(err, &he) {
				msg := strings.ReplaceAll(strings.TrimPrefix(he.Message, "body: "), "permissions: ", "")
				return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("%s: %s (%s)", e.field, msg, e.rule), Err: err}
			}
		}
		return err
	}
	if body == nil {
		return errNotObject
	}
	role := *body
	code := r.PathValue("code")
	if role.Code != "" && role.Code != code {
		return errorf(http.StatusBadRequest, "code: must be the path's code %q or absent (mismatch)", code)
	}
	role.Code = code
	created, err := g.manage.PutRole(r.Context(), g.actor(r, a), role)
	if err != nil {
		return manageError(err)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return writeJSON(w, status, role)
}

// serveAdminRoleDelete answers DELETE /roles/{code}?force=true|false: 204,
// or 409 naming how many users hold the role and which roles include it;
// force=true removes it from them first.
func (g *Gatehouse) serveAdminRoleDelete(w http.ResponseWriter, r *http.Request, a *session.Auth) error {
	force := false
	switch v := r.URL.Query().Get("force"); v {
	case "", "false":
	case "true":
		force = true
	default:
		return errorf(http.StatusBadRequest, "force: must be true or false (type)")
	}
	if err := g.manage.DeleteRole(r.Context(), g.actor(r, a), r.PathValue("code"), force); err != nil {
		return manageError(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
