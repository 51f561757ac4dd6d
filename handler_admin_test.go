package gatehouse_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// adminData: ada is an admin; max manages users (users_manage) and holds
// sales; rita manages roles; ann holds sales only; rob is a read-only
// manager; zed is a manager of another company.
const adminData = `{
  "schema": {"Customer": ["name", "type"]},
  "parameters": [{"code": "show_header", "title": "Show Header", "value": "1"}],
  "roles": [
    {"code": "viewer", "entities": {"*": ["read"]}},
    {"code": "sales", "base": ["viewer"], "specifics": ["entity_export_to_file"]},
    {"code": "manager", "specifics": ["users_manage"]},
    {"code": "role_admin", "specifics": ["roles_manage"]},
    {"code": "secret", "specifics": ["launch"]}
  ],
  "users": [
    {"username": "ada", "password": "ada-password", "company": "acme", "admin": true},
    {"username": "max", "password": "max-password", "company": "acme", "roles": ["manager", "sales"]},
    {"username": "rita", "password": "rita-password", "company": "acme", "roles": ["role_admin"]},
    {"username": "ann", "password": "ann-password", "company": "acme", "roles": ["sales"], "name": "Ann Example",
     "email": "ann@example.com", "attributes": {"dep_id": "104", "floor": "2"}, "parameters": {"show_header": "0"}},
    {"username": "rob", "password": "rob-password", "company": "acme", "access": "read_only", "roles": ["manager"]},
    {"username": "zed", "password": "zed-password", "company": "globex", "roles": ["manager"]}
  ]
}`

type adminEnv struct {
	*gatehousetest.Env
	admin http.Handler
}

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	d, err := datafile.Parse([]byte(adminData))
	require.NoError(t, err)
	env := gatehousetest.New(t, gatehousetest.WithData(d))
	return &adminEnv{Env: env, admin: env.G.AdminHandler()}
}

// call sends a request to h as who ("" anonymous; otherwise a new bearer
// session of that user); a body is sent as application/json unless ct
// says otherwise.
func (e *adminEnv) call(t *testing.T, h http.Handler, who, method, target, body string, ct ...string) *httptest.ResponseRecorder {
	t.Helper()
	tok := ""
	if who != "" {
		tok = e.LoginAs(t, who).Token
	}
	return e.callToken(t, h, tok, method, target, body, ct...)
}

func (e *adminEnv) callToken(t *testing.T, h http.Handler, tok, method, target, body string, ct ...string) *httptest.ResponseRecorder {
	t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		if len(ct) > 0 {
			r.Header.Set("Content-Type", ct[0])
		}
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	assert.NotEmpty(t, rec.Header().Get("X-Trace-Code"))
	for _, secret := range []string{"password_hash", gatehousetest.HashPrefix, "session_epoch", "-password\""} {
		assert.NotContains(t, rec.Body.String(), secret, "no hash or secret in any answer")
	}
	return rec
}

// errorMessage decodes the error body and returns its message.
func errorMessage(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	var body gatehouse.ErrorBody
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&body), "the error body")
	assert.NotEmpty(t, body.TraceData.Code)
	return body.Message
}

type adminUserDoc struct {
	ID                string            `json:"id"`
	Login             string            `json:"login"`
	Name              *string           `json:"name"`
	Email             *string           `json:"email"`
	Emails            []string          `json:"emails"`
	Phone             *string           `json:"phone"`
	CompanyKey        string            `json:"company_key"`
	Locale            *string           `json:"locale"`
	Timezone          string            `json:"timezone"`
	Access            string            `json:"access"`
	Admin             bool              `json:"admin"`
	Blocked           bool              `json:"blocked"`
	Roles             []string          `json:"roles"`
	Attributes        map[string]string `json:"attributes"`
	Parameters        map[string]string `json:"parameters"`
	CreatedAt         string            `json:"created_at"`
	UpdatedAt         string            `json:"updated_at"`
	PasswordChangedAt *string           `json:"password_changed_at"`
}

func decodeStrict[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&v), "%s", rec.Body.String())
	return v
}

func (e *adminEnv) stored(t *testing.T, username string) user.User {
	t.Helper()
	u, err := e.Store.Users().GetUserByUsername(t.Context(), username)
	require.NoError(t, err)
	return u
}

func TestAdminCreateUser(t *testing.T) {
	e := newAdminEnv(t)
	body := `{"username":"newbie","password":"newbie-password","name":"New Bie","email":"new@example.com","phone":"+15550001",
		"locale":"en","timezone":"Europe/Berlin","access":"full","roles":["sales"],"attributes":{"dep_id":"7"},"parameters":{"show_header":"1"}}`
	rec := e.call(t, e.admin, "max", http.MethodPost, "/users", body)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	u := decodeStrict[adminUserDoc](t, rec)
	assert.Equal(t, "newbie", u.Login)
	assert.Equal(t, "acme", u.CompanyKey, "the caller's company by default")
	assert.Equal(t, []string{"sales"}, u.Roles)
	assert.Equal(t, map[string]string{"dep_id": "7"}, u.Attributes)
	assert.Equal(t, map[string]string{"show_header": "1"}, u.Parameters)
	assert.NotEmpty(t, u.ID)
	assert.True(t, strings.HasSuffix(u.CreatedAt, "Z"), u.CreatedAt)
	require.NotNil(t, u.PasswordChangedAt)

	// The new user logs in with its password.
	login := e.call(t, e.Handler, "", http.MethodPost, "/token", `{"username":"newbie","password":"newbie-password"}`)
	assert.Equal(t, http.StatusOK, login.Code, login.Body.String())

	// Without a password: password_changed_at is null.
	rec = e.call(t, e.admin, "ada", http.MethodPost, "/users", `{"username":"nopass"}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.Nil(t, decodeStrict[adminUserDoc](t, rec).PasswordChangedAt)
}

func TestAdminUserErrors(t *testing.T) {
	e := newAdminEnv(t)
	for _, tc := range []struct {
		name, who, method, target, body string
		ct                              string
		status                          int
		message                         string // a part of the message
	}{
		// users_manage is needed.
		{"list without users_manage", "ann", "GET", "/users", "", "", 403, "(permission)"},
		{"create without users_manage", "ann", "POST", "/users", `{"username":"x1"}`, "", 403, "users_manage"},
		{"read without users_manage", "ann", "GET", "/users/max", "", "", 403, "(permission)"},
		{"roles managers do not manage users", "rita", "GET", "/users/ann", "", "", 403, "(permission)"},
		// Another company's user is absent.
		{"another company's user", "max", "GET", "/users/zed", "", "", 404, "no such user"},
		{"patch another company's user", "max", "PATCH", "/users/zed", `{"name":"Zed Z"}`, "", 404, "no such user"},
		{"delete another company's user", "max", "DELETE", "/users/zed", "", "", 404, "no such user"},
		{"password of another company's user", "max", "PUT", "/users/zed/password", `{"new_password":"long-enough-1"}`, "", 404, "no such user"},
		{"sessions of another company's user", "max", "GET", "/users/zed/sessions", "", "", 404, "no such user"},
		{"no such user", "max", "GET", "/users/nobody", "", "", 404, "no such user"},
		// Creating in another company, or moving a user there.
		{"create in another company", "max", "POST", "/users", `{"username":"x2","company_key":"globex"}`, "", 403, "(company)"},
		{"move to another company", "max", "PATCH", "/users/ann", `{"company_key":"globex"}`, "", 403, "(company)"},
		// Admins: only an admin creates, makes or changes one.
		{"non-admin creates an admin", "max", "POST", "/users", `{"username":"x3","admin":true}`, "", 403, "(admin)"},
		{"non-admin makes a user admin", "max", "PATCH", "/users/ann", `{"admin":true}`, "", 403, "(admin)"},
		{"non-admin changes an admin", "max", "PATCH", "/users/ada", `{"name":"Ada L"}`, "", 403, "(admin)"},
		{"non-admin sets an admin's password", "max", "PUT", "/users/ada/password", `{"new_password":"long-enough-1"}`, "", 403, "(admin)"},
		{"non-admin deletes an admin", "max", "DELETE", "/users/ada", "", "", 403, "(admin)"},
		{"non-admin revokes an admin's sessions", "max", "DELETE", "/users/ada/sessions", "", "", 403, "(admin)"},
		// No escalation.
		{"grant a role not held on create", "max", "POST", "/users", `{"username":"x4","roles":["secret"]}`, "", 403, "(escalation)"},
		{"grant a role not held on patch", "max", "PATCH", "/users/ann", `{"roles":["sales","secret"]}`, "", 403, "(escalation)"},
		// Nobody blocks, deletes or demotes itself.
		{"self-block", "max", "PATCH", "/users/max", `{"blocked":true}`, "", 403, "(self)"},
		{"self-delete", "ada", "DELETE", "/users/ada", "", "", 403, "(self)"},
		{"self-demote admin", "ada", "PATCH", "/users/ada", `{"admin":false}`, "", 403, "(self)"},
		{"self-demote read-only", "max", "PATCH", "/users/max", `{"access":"read_only"}`, "", 403, "(self)"},
		{"self-demote drops a role", "max", "PATCH", "/users/max", `{"roles":["manager"]}`, "", 403, "(self)"},
		// A read-only manager reads, and changes nothing.
		{"read-only create", "rob", "POST", "/users", `{"username":"x5"}`, "", 403, "read-only"},
		{"read-only patch", "rob", "PATCH", "/users/ann", `{"name":"Ann B"}`, "", 403, "read-only"},
		{"read-only delete", "rob", "DELETE", "/users/ann", "", "", 403, "read-only"},
		{"read-only password", "rob", "PUT", "/users/ann/password", `{"new_password":"long-enough-1"}`, "", 403, "read-only"},
		{"read-only revoke", "rob", "DELETE", "/users/ann/sessions", "", "", 403, "read-only"},
		// Usernames are unique up to case.
		{"duplicate username", "max", "POST", "/users", `{"username":"ann"}`, "", 409, `"ann" is taken`},
		{"duplicate username up to case", "max", "POST", "/users", `{"username":"ANN"}`, "", 409, "is taken"},
		{"rename onto a username up to case", "max", "PATCH", "/users/ann", `{"username":"Rita"}`, "", 409, "is taken"},
		// 400 names the field and the rule.
		{"bad username", "max", "POST", "/users", `{"username":"a b"}`, "", 400, "username: "},
		{"missing username", "max", "POST", "/users", `{"password":"long-enough-1"}`, "", 400, "username: "},
		{"weak password", "max", "POST", "/users", `{"username":"x6","password":"short"}`, "", 400, "password: "},
		{"unknown role", "ada", "POST", "/users", `{"username":"x7","roles":["nope"]}`, "", 400, `roles: unknown role "nope" (unknown)`},
		{"unknown field", "max", "POST", "/users", `{"username":"x8","hash":"x"}`, "", 400, "unknown field"},
		{"bad access", "max", "POST", "/users", `{"username":"x9","access":"root"}`, "", 400, "access: "},
		{"bad email on patch", "max", "PATCH", "/users/ann", `{"email":"no"}`, "", 400, "email: "},
		{"patch clears the username", "max", "PATCH", "/users/ann", `{"username":null}`, "", 400, "username: cannot be cleared (required)"},
		{"patch wrong type", "max", "PATCH", "/users/ann", `{"blocked":"yes"}`, "", 400, "blocked: must be a boolean"},
		{"patch unknown field", "max", "PATCH", "/users/ann", `{"id":"x"}`, "", 400, "id: unknown field"},
		{"patch not an object", "max", "PATCH", "/users/ann", `[1]`, "", 400, "body"},
		{"patch null", "max", "PATCH", "/users/ann", `null`, "", 400, "body: must be a JSON object"},
		{"create null", "max", "POST", "/users", `null`, "", 400, "body: must be a JSON object"},
		{"password null", "max", "PUT", "/users/ann/password", `null`, "", 400, "body: must be a JSON object"},
		{"patch other content type", "max", "PATCH", "/users/ann", `{"name":"Ann B"}`, "text/plain", 415, "merge-patch"},
		{"weak new password", "max", "PUT", "/users/ann/password", `{"new_password":"short"}`, "", 400, "new_password: "},
		{"missing new password", "max", "PUT", "/users/ann/password", `{}`, "", 400, "new_password: is required"},
		{"limit out of range", "max", "GET", "/users?limit=0", "", "", 400, "limit: must be 1..1000 (range)"},
		{"offset not a number", "max", "GET", "/users?offset=x", "", "", 400, "offset: must be an integer (type)"},
		// Credentials.
		{"anonymous", "", "GET", "/users", "", "", 401, "not authenticated"},
		{"no such endpoint", "ada", "GET", "/nothing", "", "", 404, "no such endpoint"},
		{"method not allowed", "ada", "POST", "/users/ann", "", "", 405, "not allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ct []string
			if tc.ct != "" {
				ct = []string{tc.ct}
			}
			before := e.stored(t, "ann")
			rec := e.call(t, e.admin, tc.who, tc.method, tc.target, tc.body, ct...)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Contains(t, errorMessage(t, rec), tc.message)
			after := e.stored(t, "ann")
			assert.Equal(t, before.Version, after.Version, "nothing written")
		})
	}
	// Nothing was created by a refused request.
	for _, name := range []string{"x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"} {
		_, err := e.Store.Users().GetUserByUsername(t.Context(), name)
		assert.ErrorIs(t, err, storage.ErrNotFound, name)
	}
}

func TestAdminGetAndListUsers(t *testing.T) {
	e := newAdminEnv(t)
	rec := e.call(t, e.admin, "max", http.MethodGet, "/users/ANN", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	u := decodeStrict[adminUserDoc](t, rec)
	assert.Equal(t, "ann", u.Login, "usernames match up to case")
	assert.Equal(t, []string{"ann@example.com"}, u.Emails)
	assert.Equal(t, map[string]string{"show_header": "0"}, u.Parameters)

	// A read-only manager may read.
	assert.Equal(t, http.StatusOK, e.call(t, e.admin, "rob", http.MethodGet, "/users/ann", "").Code)

	type page struct {
		Users []adminUserDoc `json:"users"`
		Total int            `json:"total"`
	}
	for _, tc := range []struct {
		target string
		logins []string
		total  int
	}{
		{"/users", []string{"ada", "ann", "max", "rita", "rob"}, 5},
		{"/users?offset=1&limit=2", []string{"ann", "max"}, 5},
		{"/users?q=EXAMPLE", []string{"ann"}, 1},
		{"/users?q=nobody", []string{}, 0},
	} {
		t.Run(tc.target, func(t *testing.T) {
			rec := e.call(t, e.admin, "rob", http.MethodGet, tc.target, "")
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			p := decodeStrict[page](t, rec)
			logins := []string{}
			for _, u := range p.Users {
				logins = append(logins, u.Login)
				assert.Equal(t, "acme", u.CompanyKey, "only the caller's company")
			}
			assert.Equal(t, tc.logins, logins)
			assert.Equal(t, tc.total, p.Total)
		})
	}
}

func TestAdminPatchUser(t *testing.T) {
	e := newAdminEnv(t)
	for _, ct := range []string{"application/merge-patch+json", "application/json"} {
		t.Run(ct, func(t *testing.T) {
			// Absent keeps, null clears, objects merge key by key.
			rec := e.call(t, e.admin, "max", http.MethodPatch, "/users/ann",
				`{"name":null,"phone":"+15550002","attributes":{"floor":null,"desk":"9"},"parameters":null}`, ct)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			u := decodeStrict[adminUserDoc](t, rec)
			assert.Nil(t, u.Name, "null clears")
			require.NotNil(t, u.Email, "absent keeps")
			assert.Equal(t, "ann@example.com", *u.Email)
			require.NotNil(t, u.Phone)
			assert.Equal(t, "+15550002", *u.Phone)
			assert.Equal(t, map[string]string{"dep_id": "104", "desk": "9"}, u.Attributes)
			assert.Empty(t, u.Parameters)
			assert.Equal(t, []string{"sales"}, u.Roles)
			s := e.stored(t, "ann")
			assert.Empty(t, s.Name)
			assert.Nil(t, s.Parameters)
		})
	}

	// Roles null clears them; blocking ends the user's sessions.
	tok := e.LoginAs(t, "ann").Token
	rec := e.call(t, e.admin, "ada", http.MethodPatch, "/users/ann", `{"roles":null,"blocked":true,"access":"read_only"}`, "application/merge-patch+json")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	u := decodeStrict[adminUserDoc](t, rec)
	assert.Equal(t, []string{}, u.Roles)
	assert.True(t, u.Blocked)
	assert.Equal(t, "read_only", u.Access)
	assert.Equal(t, http.StatusUnauthorized, e.callToken(t, e.Handler, tok, http.MethodGet, "/user", "").Code)

	// access null is full again; an empty patch changes nothing.
	rec = e.call(t, e.admin, "ada", http.MethodPatch, "/users/ann", `{"access":null,"blocked":null}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	u = decodeStrict[adminUserDoc](t, rec)
	assert.Equal(t, "full", u.Access)
	assert.False(t, u.Blocked)
	v := e.stored(t, "ann").Version
	require.Equal(t, http.StatusOK, e.call(t, e.admin, "ada", http.MethodPatch, "/users/ann", `{}`).Code)
	assert.Equal(t, v, e.stored(t, "ann").Version, "nothing written")

	// A manager grants roles it holds.
	rec = e.call(t, e.admin, "max", http.MethodPatch, "/users/ann", `{"roles":["viewer","sales"]}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, []string{"viewer", "sales"}, decodeStrict[adminUserDoc](t, rec).Roles)

	// An admin makes a user admin.
	rec = e.call(t, e.admin, "ada", http.MethodPatch, "/users/ann", `{"admin":true}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.True(t, decodeStrict[adminUserDoc](t, rec).Admin)
}

func TestAdminPasswordDeleteAndSessions(t *testing.T) {
	e := newAdminEnv(t)
	old := e.LoginAs(t, "ann").Token
	e.LoginAs(t, "ann")

	rec := e.call(t, e.admin, "max", http.MethodGet, "/users/ann/sessions", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	list := decodeStrict[sessionListDoc](t, rec)
	require.Len(t, list.Sessions, 2)
	for _, s := range list.Sessions {
		assert.False(t, s.Current, "not the caller's")
		assert.Len(t, s.ID, 64)
	}

	// Revoke them all.
	rec = e.call(t, e.admin, "max", http.MethodDelete, "/users/ann/sessions", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"revoked":2}`, rec.Body.String())
	assert.Equal(t, http.StatusUnauthorized, e.callToken(t, e.Handler, old, http.MethodGet, "/user", "").Code)

	// An administrator's password reset ends every session and token.
	tok := e.LoginAs(t, "ann").Token
	rec = e.call(t, e.admin, "max", http.MethodPut, "/users/ann/password", `{"new_password":"ann-new-password"}`)
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.Empty(t, rec.Body.String())
	assert.Equal(t, http.StatusUnauthorized, e.callToken(t, e.Handler, tok, http.MethodGet, "/user", "").Code)
	assert.Equal(t, http.StatusOK, e.call(t, e.Handler, "", http.MethodPost, "/token", `{"username":"ann","password":"ann-new-password"}`).Code)

	// Delete: 204, then 404.
	rec = e.call(t, e.admin, "max", http.MethodDelete, "/users/ann", "")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.Equal(t, http.StatusNotFound, e.call(t, e.admin, "max", http.MethodGet, "/users/ann", "").Code)
}

type roleListDoc struct {
	Roles []json.RawMessage `json:"roles"`
}

func TestAdminRoles(t *testing.T) {
	e := newAdminEnv(t)
	rec := e.call(t, e.admin, "rita", http.MethodGet, "/roles", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	roles := decodeStrict[roleListDoc](t, rec)
	require.Len(t, roles.Roles, 5)
	assert.JSONEq(t, `{"code":"manager","specifics":["users_manage"]}`, string(roles.Roles[0]), "the data file's shape, by code")

	// users_manage may read the catalogue too; read-only managers may.
	assert.Equal(t, http.StatusOK, e.call(t, e.admin, "rob", http.MethodGet, "/roles/sales", "").Code)
	rec = e.call(t, e.admin, "max", http.MethodGet, "/roles/sales", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"code":"sales","base":["viewer"],"specifics":["entity_export_to_file"]}`, rec.Body.String())

	// Put: 201 created, 200 replaced; the body's code is optional.
	rec = e.call(t, e.admin, "rita", http.MethodPut, "/roles/support", `{"title":"Support","base":["viewer"],"entities":{"Customer":["read","update"]}}`)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"code":"support","title":"Support","base":["viewer"],"entities":{"Customer":["read","update"]}}`, rec.Body.String())
	rec = e.call(t, e.admin, "ada", http.MethodPut, "/roles/support", `{"code":"support","title":"Support desk"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = e.call(t, e.admin, "rita", http.MethodGet, "/roles/support", "")
	assert.JSONEq(t, `{"code":"support","title":"Support desk"}`, rec.Body.String())

	// A non-admin roles_manage holder changes or deletes only roles nobody
	// holds: widening a held role (its own, or another company's users')
	// would grant its holders more.
	for _, q := range []struct{ method, target, body string }{
		{http.MethodDelete, "/roles/viewer", ""},
		{http.MethodDelete, "/roles/sales?force=true", ""},
		{http.MethodPut, "/roles/sales", `{"specifics":["*"]}`},
		{http.MethodPut, "/roles/role_admin", `{"specifics":["roles_manage","users_manage"]}`},
	} {
		rec = e.call(t, e.admin, "rita", q.method, q.target, q.body)
		require.Equal(t, http.StatusForbidden, rec.Code, "%s %s: %s", q.method, q.target, rec.Body.String())
		assert.Contains(t, errorMessage(t, rec), "(escalation)")
	}

	// Delete while held or included: 409 naming both; force deletes.
	rec = e.call(t, e.admin, "ada", http.MethodDelete, "/roles/viewer", "")
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	assert.Contains(t, errorMessage(t, rec), `role "viewer" is in use: held by 0 user(s), included by sales`)
	rec = e.call(t, e.admin, "ada", http.MethodDelete, "/roles/sales", "")
	require.Equal(t, http.StatusConflict, rec.Code, rec.Body.String())
	assert.Contains(t, errorMessage(t, rec), "held by 2 user(s)")
	rec = e.call(t, e.admin, "ada", http.MethodDelete, "/roles/sales?force=true", "")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.NotContains(t, e.stored(t, "ann").Roles, "sales")
	assert.Equal(t, http.StatusNotFound, e.call(t, e.admin, "rita", http.MethodGet, "/roles/sales", "").Code)
	rec = e.call(t, e.admin, "rita", http.MethodDelete, "/roles/support", "")
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())

	for _, tc := range []struct {
		name, who, method, target, body string
		status                          int
		message                         string
	}{
		{"put without roles_manage", "max", "PUT", "/roles/x", `{}`, 403, "roles_manage"},
		{"delete without roles_manage", "max", "DELETE", "/roles/secret", "", 403, "(permission)"},
		{"read without either", "ann", "GET", "/roles", "", 403, "(permission)"},
		{"read-only put", "rob", "PUT", "/roles/x", `{}`, 403, "read-only"},
		{"code mismatch", "rita", "PUT", "/roles/x", `{"code":"y"}`, 400, "code: must be the path's code"},
		{"unknown base role", "rita", "PUT", "/roles/x", `{"base":["nope"]}`, 400, `role "x": base: unknown role: "nope" (unknown)`},
		{"cycle", "rita", "PUT", "/roles/viewer", `{"base":["viewer"]}`, 400, "(cycle)"},
		{"not in schema", "rita", "PUT", "/roles/x", `{"entities":{"Custmer":["read"]}}`, 400, "did you mean Customer?) (schema)"},
		{"unknown operation", "rita", "PUT", "/roles/x", `{"entities":{"Customer":["fly"]}}`, 400, `entities: unknown operation: "fly"`},
		{"bad code", "rita", "PUT", "/roles/a*b", `{}`, 400, "(name)"},
		{"unknown field", "rita", "PUT", "/roles/x", `{"holders":1}`, 400, "unknown field"},
		{"null", "rita", "PUT", "/roles/x", `null`, 400, "body: must be a JSON object"},
		{"no such role", "rita", "GET", "/roles/nope", "", 404, "no such role"},
		{"delete no such role", "rita", "DELETE", "/roles/nope", "", 404, "no such role"},
		{"bad force", "rita", "DELETE", "/roles/secret?force=yes", "", 400, "force: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.call(t, e.admin, tc.who, tc.method, tc.target, tc.body)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Contains(t, errorMessage(t, rec), tc.message)
		})
	}
	_, err := e.Store.Roles().GetRole(t.Context(), "x")
	assert.ErrorIs(t, err, storage.ErrNotFound, "an invalid role is never stored")
}
