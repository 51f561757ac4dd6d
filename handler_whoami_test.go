package gatehouse_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedPolicy puts two roles, three system parameters and a schema in the
// env's store.
func seedPolicy(t *testing.T, e *authEnv) {
	t.Helper()
	ctx := context.Background()
	roles := []permissions.Role{
		{Code: "viewer", Params: []permissions.Param{{Code: "show_footer", Value: "viewer"}, {Code: "viewer_only", Value: "1"}},
			Entities: map[string][]permissions.Op{"*": {permissions.OpRead}}},
		{Code: "sales", Base: []string{"viewer"},
			Params:     []permissions.Param{{Code: "generate_ddl", Value: "1"}, {Code: "show_footer", Value: "sales"}, {Code: "is_admin", Value: "1"}},
			Entities:   map[string][]permissions.Op{"Customer": {permissions.OpCreate, permissions.OpRead, permissions.OpUpdate}},
			Attributes: map[string]map[string]permissions.Access{"Customer": {"*": permissions.Modify}, "Product": {"*": permissions.Read, "tags": permissions.Hidden}},
			Specifics:  []string{"report_gen", "entity_export_to_file"}},
	}
	for _, r := range roles {
		require.NoError(t, e.store.Roles().PutRole(ctx, r))
	}
	for _, p := range []storage.Parameter{
		{Code: "show_header", Title: "Show Header", Value: "1"},
		{Code: "generate_ddl", Title: "Generate DDL", Value: "0"},
		{Code: "show_footer", Title: "show_footer", Value: "1"},
		{Code: "shortTimeFormat", Value: "HH:mm"},
	} {
		require.NoError(t, e.store.Parameters().PutParameter(ctx, p))
	}
	require.NoError(t, e.store.Parameters().PutSchema(ctx, storage.Schema{
		"Customer": {"name", "type"}, "Product": {"image", "price", "name", "tags"},
	}))
}

func decodeMap(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), rec.Body.String())
	return m
}

// assertErrorBody checks an error body whose trace code is the
// X-Trace-Code header and whose message starts with prefix.
func assertErrorBody(t *testing.T, rec *httptest.ResponseRecorder, status int, prefix string) gatehouse.ErrorBody {
	t.Helper()
	require.Equal(t, status, rec.Code, rec.Body.String())
	var body gatehouse.ErrorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	assert.NotEmpty(t, body.TraceData.Code)
	assert.Equal(t, rec.Header().Get("X-Trace-Code"), body.TraceData.Code)
	assert.Regexp(t, "^"+prefix, body.Message)
	return body
}

func TestWhoamiEndpointsNeedASession(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	for _, q := range []req{
		{method: "GET", path: "/session"},
		{method: "GET", path: "/user"},
		{method: "GET", path: "/userInfo"},
		{method: "GET", path: "/permissions"},
		{method: "GET", path: "/account"},
		{method: "PUT", path: "/account", body: `{"username":"x1","company_key":"acme"}`},
		{method: "GET", path: "/session", header: bearer("not-a-token")},
		{method: "GET", path: "/user", cookie: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
	} {
		t.Run(q.method+" "+q.path, func(t *testing.T) {
			rec := e.do(t, nil, q)
			body := assertErrorBody(t, rec, http.StatusUnauthorized, "not authenticated")
			assert.Contains(t, rec.Header().Get("WWW-Authenticate"), "Bearer")
			assert.Equal(t, "UNIVERSAL", body.TraceData.Service)
			assert.NotEmpty(t, body.TraceData.Operation)
		})
	}
}

func TestSessionDocument(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
		c.SessionSections = map[string]gatehouse.SessionSection{
			"domain": gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) { return "localhost", nil }),
			"alerts": gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) { return []string{}, nil }),
			"events": gatehouse.SessionSectionFunc(func(_ context.Context, a *session.Auth) (any, error) {
				return []map[string]string{{"id": "1", "manager_id": a.User.ID}}, nil
			}),
		}
	})
	seedPolicy(t, e)
	e.addUser(t, "admin", "pw", func(u *user.User) {
		u.Name, u.Email, u.Locale = "Administrator", "admin@example.com", "ru"
		u.Roles = []string{"sales", "viewer", "sales"}
		u.Attributes = map[string]string{"dep_id": "104", "rolesidlist": "{1,2}", "id": "999", "login": "root"}
		u.Parameters = map[string]string{"show_footer": "user", "not_a_system_param": "x"}
	})
	rec := e.do(t, nil, req{method: "GET", path: "/session", header: bearer(e.token(t, "admin", "pw"))})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var doc struct {
		SessionInfo       map[string]any      `json:"sessioninfo"`
		SessionRoles      []map[string]string `json:"session_roles"`
		SessionRoleParams []map[string]string `json:"session_role_params"`
		SessionParameters []map[string]string `json:"session_parameters"`
		Domain            string              `json:"domain"`
		Alerts            []any               `json:"alerts"`
		Events            []map[string]string `json:"events"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))

	t.Run("sessioninfo has the user and its attributes; fixed keys win", func(t *testing.T) {
		assert.Equal(t, map[string]any{
			"id": "id-admin", "login": "admin", "email": "admin@example.com", "title": "Administrator", "lang": "ru",
			"dep_id": "104", "rolesidlist": "{1,2}",
			"bp_process_roles_list": []any{"entity_export_to_file", "report_gen"},
		}, doc.SessionInfo)
	})
	t.Run("each role once, base roles included", func(t *testing.T) {
		assert.Equal(t, []map[string]string{{"code": "sales"}, {"code": "viewer"}}, doc.SessionRoles)
	})
	t.Run("role params: first role wins", func(t *testing.T) {
		assert.Equal(t, []map[string]string{
			{"code": "generate_ddl", "value": "1"}, {"code": "show_footer", "value": "sales"},
			{"code": "is_admin", "value": "1"}, {"code": "viewer_only", "value": "1"},
		}, doc.SessionRoleParams)
	})
	t.Run("system parameters overridden by role then user", func(t *testing.T) {
		assert.Equal(t, []map[string]string{
			{"code": "generate_ddl", "title": "Generate DDL", "value": "1"},
			{"code": "shortTimeFormat", "value": "HH:mm"},
			{"code": "show_footer", "title": "show_footer", "value": "user"},
			{"code": "show_header", "title": "Show Header", "value": "1"},
		}, doc.SessionParameters)
	})
	t.Run("host sections at the top level", func(t *testing.T) {
		assert.Equal(t, "localhost", doc.Domain)
		assert.NotNil(t, doc.Alerts)
		assert.Equal(t, []map[string]string{{"id": "1", "manager_id": "id-admin"}}, doc.Events)
	})
	t.Run("no other keys", func(t *testing.T) {
		m := decodeMap(t, rec)
		assert.Len(t, m, 7)
	})
}

func TestSessionDocumentDefaults(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) { c.DefaultLocale = "kk" })
	e.addUser(t, "bare", "pw", nil)
	rec := e.do(t, nil, req{method: "GET", path: "/session", header: bearer(e.token(t, "bare", "pw"))})
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"sessioninfo":{"id":"id-bare","login":"bare","email":"","title":"","lang":"kk","bp_process_roles_list":[]},
		"session_roles":[],"session_role_params":[],"session_parameters":[]}`, rec.Body.String())
}

func TestSessionDocumentAdminAndReadOnlySpecifics(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	seedPolicy(t, e)
	e.addUser(t, "boss", "pw", func(u *user.User) { u.Admin, u.Roles = true, []string{"sales"} })
	e.addUser(t, "ro", "pw", func(u *user.User) { u.Access, u.Roles = user.AccessReadOnly, []string{"sales"} })
	for name, want := range map[string][]any{
		"boss": {"entity_export_to_file", "report_gen"}, // every name of the catalogue, never "*"
		"ro":   {},
	} {
		t.Run(name, func(t *testing.T) {
			rec := e.do(t, nil, req{method: "GET", path: "/session", header: bearer(e.token(t, name, "pw"))})
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			info := decodeMap(t, rec)["sessioninfo"].(map[string]any)
			assert.Equal(t, want, info["bp_process_roles_list"])
		})
	}
}

func TestSessionSectionFailureIsA500WithoutTheDocument(t *testing.T) {
	cases := map[string]struct {
		sec gatehouse.SessionSection
		log string
	}{
		"error": {gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) {
			return nil, errors.New("events table: connection refused")
		}), `section \"events\"`},
		"a gatehouse error is still a 500": {gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) {
			return nil, &gatehouse.Error{Status: http.StatusNotFound, Message: "nope"}
		}), `section \"events\"`},
		"unencodable value": {gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) {
			return make(chan int), nil
		}), "unsupported type"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) {
				c.SessionSections = map[string]gatehouse.SessionSection{
					"alerts": gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) { return []string{}, nil }),
					"events": tc.sec,
				}
			})
			e.addUser(t, "u1", "pw", nil)
			rec := e.do(t, nil, req{method: "GET", path: "/session", header: bearer(e.token(t, "u1", "pw"))})
			body := assertErrorBody(t, rec, http.StatusInternalServerError, "internal error$")
			assert.Equal(t, "session", body.TraceData.Operation)
			assert.NotContains(t, rec.Body.String(), "sessioninfo")
			assert.NotContains(t, rec.Body.String(), "connection refused")
			assert.Contains(t, e.logs.String(), body.TraceData.Code, "the trace code is logged")
			assert.Contains(t, e.logs.String(), tc.log)
		})
	}
}

func TestSessionDocumentStoreFailureIs503(t *testing.T) {
	c := gatehousetest.NewClock(testStart)
	inner := memstoreNew(c)
	e := newAuthEnv(t, &paramsDownStore{Store: inner}, c, nil)
	e.addUser(t, "u1", "pw", nil)
	tok := e.token(t, "u1", "pw")
	for _, path := range []string{"/session", "/permissions"} {
		t.Run(path, func(t *testing.T) {
			rec := e.do(t, nil, req{method: "GET", path: path, header: bearer(tok)})
			assertErrorBody(t, rec, http.StatusServiceUnavailable, "service unavailable")
			assert.NotContains(t, rec.Body.String(), "disk on fire")
		})
	}
}

func TestNewRefusesBadSessionSections(t *testing.T) {
	ok := gatehouse.SessionSectionFunc(func(context.Context, *session.Auth) (any, error) { return 1, nil })
	for _, name := range []string{"", "sessioninfo", "session_roles", "session_role_params", "session_parameters"} {
		t.Run(name, func(t *testing.T) {
			_, err := gatehouse.New(gatehouse.Config{Keys: testKeys(t), SessionSections: map[string]gatehouse.SessionSection{name: ok}})
			require.Error(t, err)
		})
	}
	t.Run("nil section", func(t *testing.T) {
		_, err := gatehouse.New(gatehouse.Config{Keys: testKeys(t), SessionSections: map[string]gatehouse.SessionSection{"alerts": nil}})
		require.Error(t, err)
	})
}

func TestUserDocument(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	seedPolicy(t, e)
	e.addUser(t, "full", "pw", func(u *user.User) {
		u.Name, u.Email, u.Phone, u.Locale, u.Timezone = "Full Name", "full@example.com", "+71112223333", "en", "Asia/Almaty"
		u.Admin, u.Roles = true, []string{"sales"}
		u.Attributes = map[string]string{"user_client_id": "100"}
		u.Parameters = map[string]string{"show_header": "0"}
	})
	e.addUser(t, "bare", "pw", func(u *user.User) { u.Access = user.AccessReadOnly })
	cases := []struct{ name, want string }{
		{"full", `{"id":"id-full","login":"full","name":"Full Name","email":"full@example.com","emails":["full@example.com"],
			"phone":"+71112223333","company_key":"acme","locale":"en","timezone":"Asia/Almaty","access":"full",
			"admin":true,"blocked":false,"roles":["sales"],"attributes":{"user_client_id":"100"}}`},
		{"bare", `{"id":"id-bare","login":"bare","name":null,"email":null,"emails":[],"phone":null,"company_key":"acme",
			"locale":null,"timezone":"UTC","access":"read_only","admin":false,"blocked":false,"roles":[],"attributes":{}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := e.do(t, nil, req{method: "GET", path: "/user", cookie: e.cookie(t, c.name, "pw").Value})
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.JSONEq(t, c.want, rec.Body.String())
			assert.NotContains(t, rec.Body.String(), gatehousetest.HashPrefix, "never the hash")
		})
	}
}

func TestUserInfo(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	e.addUser(t, "admin", "pw", func(u *user.User) { u.Locale = "ru" })
	e.addUser(t, "nolocale", "pw", nil)
	for name, want := range map[string]string{
		"admin":    `{"username":"admin","locale":"ru"}`,
		"nolocale": `{"username":"nolocale","locale":"en"}`,
	} {
		t.Run(name, func(t *testing.T) {
			rec := e.do(t, nil, req{method: "GET", path: "/userInfo", header: bearer(e.token(t, name, "pw"))})
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.JSONEq(t, want, rec.Body.String())
		})
	}
}

func TestPermissionsDocument(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	seedPolicy(t, e)
	e.addUser(t, "seller", "pw", func(u *user.User) { u.Roles = []string{"sales"} })
	e.addUser(t, "ro", "pw", func(u *user.User) { u.Roles, u.Access = []string{"sales"}, user.AccessReadOnly })
	cases := []struct{ name, want string }{
		{"seller", `{"entities":[
			{"target":"Customer:create","value":1},{"target":"Customer:read","value":1},
			{"target":"Customer:update","value":1},{"target":"Customer:delete","value":0},
			{"target":"Product:create","value":0},{"target":"Product:read","value":1},
			{"target":"Product:update","value":0},{"target":"Product:delete","value":0}],
		 "entityAttributes":[
			{"target":"Customer:name","value":2},{"target":"Customer:type","value":2},
			{"target":"Product:image","value":1},{"target":"Product:price","value":1},
			{"target":"Product:name","value":1},{"target":"Product:tags","value":0}],
		 "specifics":[{"target":"entity_export_to_file","value":1},{"target":"report_gen","value":1}]}`},
		{"ro", `{"entities":[
			{"target":"Customer:create","value":0},{"target":"Customer:read","value":1},
			{"target":"Customer:update","value":0},{"target":"Customer:delete","value":0},
			{"target":"Product:create","value":0},{"target":"Product:read","value":1},
			{"target":"Product:update","value":0},{"target":"Product:delete","value":0}],
		 "entityAttributes":[
			{"target":"Customer:name","value":1},{"target":"Customer:type","value":1},
			{"target":"Product:image","value":1},{"target":"Product:price","value":1},
			{"target":"Product:name","value":1},{"target":"Product:tags","value":0}],
		 "specifics":[{"target":"entity_export_to_file","value":0},{"target":"report_gen","value":0}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := e.do(t, nil, req{method: "GET", path: "/permissions", header: bearer(e.token(t, c.name, "pw"))})
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.JSONEq(t, c.want, rec.Body.String())
		})
	}
	t.Run("a role removed takes effect on the next request", func(t *testing.T) {
		tok := e.token(t, "seller", "pw")
		e.updateUser(t, "id-seller", func(u *user.User) { u.Roles = nil })
		rec := e.do(t, nil, req{method: "GET", path: "/permissions", header: bearer(tok)})
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.NotContains(t, rec.Body.String(), `"value":1`)
	})
}

// paramsDownStore fails every parameter and schema read.
type paramsDownStore struct{ storage.Store }

func (s *paramsDownStore) Parameters() storage.ParameterStore {
	return paramsDown{s.Store.Parameters()}
}

type paramsDown struct{ storage.ParameterStore }

var errDisk = errors.New("disk on fire")

func (paramsDown) ListParameters(context.Context) ([]storage.Parameter, error) { return nil, errDisk }
func (paramsDown) GetSchema(context.Context) (storage.Schema, error)           { return nil, errDisk }

var testStart = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func testKeys(t *testing.T) *token.KeySet {
	t.Helper()
	k, err := token.GenerateEd25519("")
	require.NoError(t, err)
	ks, err := token.NewKeySet(k)
	require.NoError(t, err)
	return ks
}
