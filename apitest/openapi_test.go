package apitest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/totp"
)

const (
	xlsxType   = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	traceCode  = "11111111-2222-3333-4444-555555555555"
	unknownUID = "99999999-8888-7777-6666-555555555555"
)

// stubReport stands in for report/xlsx, which the core module (and so this
// test) does not depend on: the document only says the body is a file.
type stubReport struct{}

func (stubReport) Write(w io.Writer, stats audit.Statistics) error {
	_, err := fmt.Fprintf(w, "PK stub report of %s, %d days", stats.Username, len(stats.Dates))
	return err
}

// resetTokens keeps the password reset tokens the server hands out.
var resetTokens = &tokenBox{}

type tokenBox struct {
	mu     sync.Mutex
	tokens map[string]string // username → last token
}

func (b *tokenBox) SendPasswordReset(_ context.Context, d session.ResetDelivery) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.tokens == nil {
		b.tokens = map[string]string{}
	}
	b.tokens[d.User.Username] = d.Token
	return nil
}

func (b *tokenBox) get(username string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.tokens[username]
}

// newEnv returns a gatehouse with the test data, a report writer and one
// recorded action of ann with attached data.
func newEnv(t *testing.T, withReport bool) *gatehousetest.Env {
	t.Helper()
	env := gatehousetest.New(t, gatehousetest.WithDataFile("testdata/gatehouse.json"),
		gatehousetest.WithConfig(func(c *gatehouse.Config) {
			if withReport {
				c.ReportWriter = stubReport{}
				c.Session.MFA.Key = bytes.Repeat([]byte{1}, 32)
				c.Session.PasswordReset.Sender = resetTokens
			}
		}))
	err := env.G.Audit().Record(context.Background(), audit.Action{
		TraceCode: traceCode, Time: env.Clock.Now().Add(-time.Hour),
		Service: "UNIVERSAL", OperationID: "run_plan_calculation", MethodGroup: "PLAN",
		Points: 15, UniquePoints: 10, Duration: 1500 * time.Millisecond, Outcome: "ok",
		Username: "ann", Company: "acme",
		Attachments: []storage.Attachment{{Flow: storage.FlowInput, Stage: 0, ContentType: "application/json", Data: []byte(`{"plan":1}`)},
			{Flow: storage.FlowOutput, Stage: 1, ContentType: "text/csv", Data: []byte("a,b\n1,2\n")}},
	})
	require.NoError(t, err)
	return env
}

// loadSpec fetches the document from the API itself, as a client would,
// and checks that it is a valid OpenAPI document.
func loadSpec(t *testing.T, env *gatehousetest.Env, name string) (*openapi3.T, []byte) {
	t.Helper()
	rec := env.Serve(nil, httptest.NewRequest(http.MethodGet, "/docs/"+name, nil))
	require.Equal(t, http.StatusOK, rec.Code)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(rec.Body.Bytes())
	require.NoError(t, err, "load %s", name)
	require.NoError(t, doc.Validate(loader.Context), "validate %s", name)
	require.True(t, doc.IsOpenAPI31OrLater())
	return doc, rec.Body.Bytes()
}

// The YAML file is the JSON document, read by a real YAML parser.
func TestOpenAPIYAMLIsTheJSONDocument(t *testing.T) {
	env := newEnv(t, false)
	_, js := loadSpec(t, env, gatehouse.DocsOpenAPIJSON)
	_, ys := loadSpec(t, env, gatehouse.DocsOpenAPIYAML)
	var fromJSON, fromYAML any
	require.NoError(t, json.Unmarshal(js, &fromJSON))
	require.NoError(t, yaml.Unmarshal(ys, &fromYAML))
	// YAML numbers decode as int; compare through JSON.
	b, err := json.Marshal(fromYAML)
	require.NoError(t, err)
	var normalized any
	require.NoError(t, json.Unmarshal(b, &normalized))
	assert.Equal(t, fromJSON, normalized)
}

// A case is one request: the operation it must route to, whether the
// OpenAPI document accepts the request, and the status the server must
// answer. Every response is validated against the document.
type apiCase struct {
	name        string
	op          string // operationId
	method      string
	target      string // path and query
	body        string
	contentType string
	auth        string // "", "bearer:<user>", "cookie:<user>", "bearer-bad"
	header      map[string]string
	validReq    bool
	status      int
}

func TestAPIConformsToOpenAPI(t *testing.T) {
	env := newEnv(t, true)
	doc, _ := loadSpec(t, env, gatehouse.DocsOpenAPIJSON)
	router, err := gorillamux.NewRouter(doc)
	require.NoError(t, err)

	tokenBody := `{"username":"ann","password":"ann-password","ttl_seconds":3600}`
	account := `{"username":"ann","company_key":"acme","name":"Ann B. Example","email":"ann@example.org","phone":null}`
	cases := []apiCase{
		{name: "token", op: "token", method: "POST", target: "/token", body: tokenBody, validReq: true, status: 200},
		{name: "token ttl out of range", op: "token", method: "POST", target: "/token", body: `{"username":"ann","password":"x","ttl_seconds":5}`, status: 400},
		{name: "token unknown field", op: "token", method: "POST", target: "/token", body: `{"username":"ann","password":"x","totp":"1"}`, status: 400},
		{name: "token otp and recovery code", op: "token", method: "POST", target: "/token", body: `{"username":"ann","password":"ann-password","otp":"123456","recovery_code":"aaaa-bbbb-cccc-dddd"}`, validReq: true, status: 400},
		{name: "token otp too long", op: "token", method: "POST", target: "/token", body: `{"username":"ann","password":"ann-password","otp":"12345678901234567"}`, status: 400},
		{name: "token bad username", op: "token", method: "POST", target: "/token", body: `{"username":"a b","password":"x"}`, status: 400},
		{name: "token wrong password", op: "token", method: "POST", target: "/token", body: `{"username":"ann","password":"wrong"}`, validReq: true, status: 401},
		{name: "token not JSON", op: "token", method: "POST", target: "/token", body: tokenBody, contentType: "text/plain", status: 415},

		{name: "token check valid", op: "token_check", method: "POST", target: "/token/check", body: "TOKEN:ann", validReq: true, status: 200},
		{name: "token check forged", op: "token_check", method: "POST", target: "/token/check", body: `"a.b.c"`, validReq: true, status: 200},
		{name: "token check too large", op: "token_check", method: "POST", target: "/token/check", body: `"` + strings.Repeat("a", 1<<20) + `"`, validReq: true, status: 413},

		{name: "password", op: "password", method: "POST", target: "/password", auth: "bearer:pat", body: `{"current_password":"pat-password","new_password":"pat-password-2"}`, validReq: true, status: 200},
		{name: "password wrong current", op: "password", method: "POST", target: "/password", auth: "bearer:ann", body: `{"current_password":"nope","new_password":"ann-password-2"}`, validReq: true, status: 403},
		{name: "password too weak for the policy", op: "password", method: "POST", target: "/password", auth: "bearer:ann", body: `{"current_password":"ann-password","new_password":"short"}`, validReq: true, status: 400},
		{name: "password missing field", op: "password", method: "POST", target: "/password", auth: "bearer:ann", body: `{"current_password":"ann-password"}`, status: 400},
		{name: "password anonymous", op: "password", method: "POST", target: "/password", body: `{"current_password":"a","new_password":"bbbbbbbbb"}`, status: 401},

		{name: "login JSON", op: "login", method: "POST", target: "/login", body: `{"username":"ann","password":"ann-password"}`, validReq: true, status: 204},
		{name: "login form", op: "login", method: "POST", target: "/login?next=%2Forders", body: "username=ann&password=ann-password&submit=Log+in", contentType: "application/x-www-form-urlencoded", header: map[string]string{"Sec-Fetch-Mode": "navigate"}, validReq: true, status: 303},
		{name: "login form wrong password", op: "login", method: "POST", target: "/login", body: "username=ann&password=wrong&next=%2F", contentType: "application/x-www-form-urlencoded", header: map[string]string{"Sec-Fetch-Mode": "navigate"}, validReq: true, status: 303},
		{name: "login form from a script", op: "login", method: "POST", target: "/login", body: "username=ann&password=ann-password", contentType: "application/x-www-form-urlencoded", header: map[string]string{"Sec-Fetch-Mode": "cors"}, validReq: true, status: 204},
		{name: "login wrong password", op: "login", method: "POST", target: "/login", body: `{"username":"ann","password":"wrong"}`, validReq: true, status: 401},
		{name: "login credentials in the query", op: "login", method: "POST", target: "/login?password=x", body: `{"username":"ann","password":"ann-password"}`, validReq: true, status: 400},
		{name: "login cross-origin", op: "login", method: "POST", target: "/login", body: `{"username":"ann","password":"ann-password"}`, header: map[string]string{"Sec-Fetch-Site": "cross-site"}, validReq: true, status: 403},

		{name: "logout", op: "logout", method: "POST", target: "/logout", auth: "bearer:ann", validReq: true, status: 204},
		{name: "logout with the cookie", op: "logout", method: "POST", target: "/logout", auth: "cookie:ann", validReq: true, status: 204},
		{name: "logout anonymous", op: "logout", method: "POST", target: "/logout", status: 401},
		{name: "logout form", op: "logout", method: "POST", target: "/logout", auth: "cookie:ann", body: "next=%2Fbye", contentType: "application/x-www-form-urlencoded", header: map[string]string{"Accept": "text/html"}, validReq: true, status: 303},
		{name: "logout cookie cross-origin", op: "logout", method: "POST", target: "/logout", auth: "cookie:ann", header: map[string]string{"Sec-Fetch-Site": "cross-site"}, validReq: true, status: 403},
		{name: "delete session", op: "session_delete", method: "DELETE", target: "/session", auth: "bearer:ann", validReq: true, status: 204},
		{name: "delete session bad token", op: "session_delete", method: "DELETE", target: "/session", auth: "bearer-bad", validReq: true, status: 401},

		{name: "session", op: "session", method: "GET", target: "/session", auth: "bearer:ann", validReq: true, status: 200},
		{name: "session with the cookie", op: "session", method: "GET", target: "/session", auth: "cookie:ann", validReq: true, status: 200},
		{name: "session anonymous", op: "session", method: "GET", target: "/session", status: 401},
		{name: "user", op: "user", method: "GET", target: "/user", auth: "bearer:ann", validReq: true, status: 200},
		{name: "user without optional fields", op: "user", method: "GET", target: "/user", auth: "bearer:rob", validReq: true, status: 200},
		{name: "user bad token", op: "user", method: "GET", target: "/user", auth: "bearer-bad", validReq: true, status: 401},
		{name: "userInfo", op: "user_info", method: "GET", target: "/userInfo", auth: "bearer:ann", validReq: true, status: 200},
		{name: "userInfo anonymous", op: "user_info", method: "GET", target: "/userInfo", status: 401},
		{name: "permissions", op: "permissions", method: "GET", target: "/permissions", auth: "bearer:ann", validReq: true, status: 200},
		{name: "permissions anonymous", op: "permissions", method: "GET", target: "/permissions", status: 401},

		{name: "account", op: "account", method: "GET", target: "/account", auth: "bearer:ann", validReq: true, status: 200},
		{name: "account of a user without name, email, phone", op: "account", method: "GET", target: "/account", auth: "bearer:rob", validReq: true, status: 200},
		{name: "account anonymous", op: "account", method: "GET", target: "/account", status: 401},
		{name: "account update", op: "account_update", method: "PUT", target: "/account", auth: "bearer:ann", body: account, validReq: true, status: 200},
		{name: "account update immutable username", op: "account_update", method: "PUT", target: "/account", auth: "bearer:ann", body: `{"username":"bob","company_key":"acme"}`, validReq: true, status: 400},
		{name: "account update phone too short", op: "account_update", method: "PUT", target: "/account", auth: "bearer:ann", body: `{"username":"ann","company_key":"acme","phone":"123"}`, status: 400},
		{name: "account update timezone out of range", op: "account_update", method: "PUT", target: "/account", auth: "bearer:ann", body: `{"username":"ann","company_key":"acme","timezone":13}`, status: 400},
		{name: "account update read-only", op: "account_update", method: "PUT", target: "/account", auth: "bearer:rob", body: `{"username":"rob","company_key":"acme"}`, validReq: true, status: 403},
		{name: "account update anonymous", op: "account_update", method: "PUT", target: "/account", body: account, status: 401},

		{name: "audit", op: "audit", method: "GET", target: "/audit", auth: "bearer:ann", validReq: true, status: 200},
		{name: "audit every parameter", op: "audit", method: "GET", target: "/audit?" + url.Values{
			"offset": {"0"}, "limit": {"10"}, "from": {"2025-03-01T00:00:00+01:00"}, "to": {"2025-03-01T18:00:00Z"},
			"service_name": {"UNIVERSAL"}, "operation_id": {"run_plan_calculation"}, "method_group": {"PLAN"},
			"sort_field": {"points"}, "sort_direction": {"DESC"}}.Encode(), auth: "bearer:ann", validReq: true, status: 200},
		{name: "audit limit 0", op: "audit", method: "GET", target: "/audit?limit=0", auth: "bearer:ann", status: 400},
		{name: "audit offset too large", op: "audit", method: "GET", target: "/audit?offset=10000001", auth: "bearer:ann", status: 400},
		{name: "audit unknown sort field", op: "audit", method: "GET", target: "/audit?sort_field=password", auth: "bearer:ann", status: 400},
		{name: "audit bad direction", op: "audit", method: "GET", target: "/audit?sort_direction=UP", auth: "bearer:ann", status: 400},
		{name: "audit from after to", op: "audit", method: "GET", target: "/audit?from=2025-03-01T10:00:00Z&to=2025-03-01T09:00:00Z", auth: "bearer:ann", validReq: true, status: 400},
		{name: "audit anonymous", op: "audit", method: "GET", target: "/audit", status: 401},

		{name: "trace", op: "trace", method: "GET", target: "/trace/" + traceCode, auth: "bearer:ann", validReq: true, status: 200},
		{name: "trace every parameter", op: "trace", method: "GET", target: "/trace/" + traceCode + "?data_flow_type=INPUT&data_flow_stage=0&data_flow_convert=ORIGIN", auth: "bearer:ann", validReq: true, status: 200},
		{name: "trace unknown", op: "trace", method: "GET", target: "/trace/" + unknownUID, auth: "bearer:ann", validReq: true, status: 404},
		{name: "trace no such stage", op: "trace", method: "GET", target: "/trace/" + traceCode + "?data_flow_type=OUTPUT&data_flow_stage=3", auth: "bearer:ann", validReq: true, status: 404},
		{name: "trace of a CSV attachment", op: "trace", method: "GET", target: "/trace/" + traceCode + "?data_flow_type=OUTPUT&data_flow_stage=1", auth: "bearer:ann", validReq: true, status: 200},
		{name: "trace of another user", op: "trace", method: "GET", target: "/trace/" + traceCode, auth: "bearer:rob", validReq: true, status: 404},
		{name: "trace code not a UUID", op: "trace", method: "GET", target: "/trace/ABC", auth: "bearer:ann", status: 400},
		{name: "trace stage out of range", op: "trace", method: "GET", target: "/trace/" + traceCode + "?data_flow_stage=4", auth: "bearer:ann", status: 400},
		{name: "trace conversion", op: "trace", method: "GET", target: "/trace/" + traceCode + "?data_flow_convert=XLSX", auth: "bearer:ann", status: 400},
		{name: "trace anonymous", op: "trace", method: "GET", target: "/trace/" + traceCode, status: 401},

		{name: "statistics", op: "statistics", method: "GET", target: "/statistics?from=2025-02-01&to=2025-03-01", auth: "bearer:ann", validReq: true, status: 200},
		{name: "statistics default period", op: "statistics", method: "GET", target: "/statistics", auth: "bearer:ann", validReq: true, status: 200},
		{name: "statistics bad date", op: "statistics", method: "GET", target: "/statistics?from=01.02.2025", auth: "bearer:ann", status: 400},
		{name: "statistics to before from", op: "statistics", method: "GET", target: "/statistics?from=2025-03-01&to=2025-02-01", auth: "bearer:ann", validReq: true, status: 400},
		{name: "statistics period too long", op: "statistics", method: "GET", target: "/statistics?from=2000-01-01&to=2025-03-01", auth: "bearer:ann", validReq: true, status: 400},
		{name: "statistics anonymous", op: "statistics", method: "GET", target: "/statistics", status: 401},
		{name: "report", op: "statistics_report", method: "GET", target: "/statistics/report?from=2025-02-01&to=2025-03-01", auth: "bearer:ann", validReq: true, status: 200},
		{name: "report bad date", op: "statistics_report", method: "GET", target: "/statistics/report?to=2025-13-01", auth: "bearer:ann", status: 400},
		{name: "report anonymous", op: "statistics_report", method: "GET", target: "/statistics/report", status: 401},

		{name: "quotas", op: "quotas", method: "GET", target: "/quotas", auth: "bearer:ann", validReq: true, status: 200},
		{name: "quotas none", op: "quotas", method: "GET", target: "/quotas", auth: "bearer:rob", validReq: true, status: 200},
		{name: "quotas anonymous", op: "quotas", method: "GET", target: "/quotas", status: 401},

		{name: "sessions", op: "sessions", method: "GET", target: "/sessions", auth: "bearer:ann", validReq: true, status: 200},
		{name: "sessions with the cookie", op: "sessions", method: "GET", target: "/sessions", auth: "cookie:rob", validReq: true, status: 200},
		{name: "sessions anonymous", op: "sessions", method: "GET", target: "/sessions", status: 401},
		{name: "session revoke", op: "session_revoke", method: "DELETE", target: "/sessions/SID:ann", auth: "bearer:ann", validReq: true, status: 204},
		{name: "session revoke of a read-only user", op: "session_revoke", method: "DELETE", target: "/sessions/SID:rob", auth: "bearer:rob", validReq: true, status: 204},
		{name: "session revoke of another user", op: "session_revoke", method: "DELETE", target: "/sessions/SID:max", auth: "bearer:ann", validReq: true, status: 404},
		{name: "session revoke unknown", op: "session_revoke", method: "DELETE", target: "/sessions/" + strings.Repeat("0", 64), auth: "bearer:ann", validReq: true, status: 404},
		{name: "session revoke anonymous", op: "session_revoke", method: "DELETE", target: "/sessions/" + strings.Repeat("0", 64), status: 401},
		{name: "sessions revoke others", op: "sessions_revoke_others", method: "POST", target: "/sessions/revoke-others", auth: "bearer:rob", validReq: true, status: 200},
		{name: "sessions revoke others cross-origin", op: "sessions_revoke_others", method: "POST", target: "/sessions/revoke-others", auth: "cookie:ann", header: map[string]string{"Sec-Fetch-Site": "cross-site"}, validReq: true, status: 403},

		{name: "admin users", op: "admin_users", method: "GET", target: "/admin/users", auth: "bearer:ada", validReq: true, status: 200},
		{name: "admin users every parameter", op: "admin_users", method: "GET", target: "/admin/users?offset=1&limit=2&q=a", auth: "bearer:max", validReq: true, status: 200},
		{name: "admin users limit 0", op: "admin_users", method: "GET", target: "/admin/users?limit=0", auth: "bearer:ada", status: 400},
		{name: "admin users without users_manage", op: "admin_users", method: "GET", target: "/admin/users", auth: "bearer:ann", validReq: true, status: 403},
		{name: "admin users anonymous", op: "admin_users", method: "GET", target: "/admin/users", status: 401},
		{name: "admin user create", op: "admin_user_create", method: "POST", target: "/admin/users", auth: "bearer:max", body: `{"username":"newbie","password":"newbie-password","name":"New Bie","email":"new@example.com","phone":"+15550001","locale":"en","timezone":"Europe/Berlin","access":"full","admin":false,"blocked":false,"roles":["sales"],"attributes":{"dep_id":"7"},"parameters":{"show_header":"0"}}`, validReq: true, status: 201},
		{name: "admin user create without a password", op: "admin_user_create", method: "POST", target: "/admin/users", auth: "bearer:ada", body: `{"username":"nopass"}`, validReq: true, status: 201},
		{name: "admin user create taken up to case", op: "admin_user_create", method: "POST", target: "/admin/users", auth: "bearer:ada", body: `{"username":"ANN"}`, validReq: true, status: 409},
		{name: "admin user create bad username", op: "admin_user_create", method: "POST", target: "/admin/users", auth: "bearer:ada", body: `{"username":"a b"}`, status: 400},
		{name: "admin user create weak password", op: "admin_user_create", method: "POST", target: "/admin/users", auth: "bearer:ada", body: `{"username":"weak","password":"short"}`, validReq: true, status: 400},
		{name: "admin user create an admin as a non-admin", op: "admin_user_create", method: "POST", target: "/admin/users", auth: "bearer:max", body: `{"username":"boss","admin":true}`, validReq: true, status: 403},
		{name: "admin user create not JSON", op: "admin_user_create", method: "POST", target: "/admin/users", auth: "bearer:ada", body: `{"username":"x1"}`, contentType: "text/plain", status: 415},
		{name: "admin user", op: "admin_user", method: "GET", target: "/admin/users/newbie", auth: "bearer:max", validReq: true, status: 200},
		{name: "admin user up to case", op: "admin_user", method: "GET", target: "/admin/users/ANN", auth: "bearer:ada", validReq: true, status: 200},
		{name: "admin user unknown", op: "admin_user", method: "GET", target: "/admin/users/nobody", auth: "bearer:ada", validReq: true, status: 404},
		{name: "admin user update", op: "admin_user_update", method: "PATCH", target: "/admin/users/newbie", auth: "bearer:max", body: `{"name":null,"phone":"+15550002","attributes":{"dep_id":null,"floor":"2"},"parameters":null,"roles":["viewer"]}`, contentType: "application/merge-patch+json", validReq: true, status: 200},
		{name: "admin user update as application/json", op: "admin_user_update", method: "PATCH", target: "/admin/users/newbie", auth: "bearer:ada", body: `{"access":"read_only","blocked":true,"admin":null,"email":null,"locale":null,"timezone":null}`, validReq: true, status: 200},
		{name: "admin user update bad email", op: "admin_user_update", method: "PATCH", target: "/admin/users/newbie", auth: "bearer:ada", body: `{"email":"no"}`, contentType: "application/merge-patch+json", validReq: true, status: 400},
		{name: "admin user update self-block", op: "admin_user_update", method: "PATCH", target: "/admin/users/max", auth: "bearer:max", body: `{"blocked":true}`, contentType: "application/merge-patch+json", validReq: true, status: 403},
		{name: "admin user update rename taken", op: "admin_user_update", method: "PATCH", target: "/admin/users/newbie", auth: "bearer:ada", body: `{"username":"Pat"}`, contentType: "application/merge-patch+json", validReq: true, status: 409},
		{name: "admin user update unknown", op: "admin_user_update", method: "PATCH", target: "/admin/users/nobody", auth: "bearer:ada", body: `{"name":"No Body"}`, contentType: "application/merge-patch+json", validReq: true, status: 404},
		{name: "admin user password", op: "admin_user_password", method: "PUT", target: "/admin/users/newbie/password", auth: "bearer:max", body: `{"new_password":"newbie-password-2"}`, validReq: true, status: 204},
		{name: "admin user password weak", op: "admin_user_password", method: "PUT", target: "/admin/users/newbie/password", auth: "bearer:max", body: `{"new_password":"short"}`, validReq: true, status: 400},
		{name: "admin user password of an admin", op: "admin_user_password", method: "PUT", target: "/admin/users/ada/password", auth: "bearer:max", body: `{"new_password":"long-enough-1"}`, validReq: true, status: 403},
		{name: "admin user sessions", op: "admin_user_sessions", method: "GET", target: "/admin/users/ann/sessions", auth: "bearer:ada", validReq: true, status: 200},
		{name: "admin user sessions unknown", op: "admin_user_sessions", method: "GET", target: "/admin/users/nobody/sessions", auth: "bearer:ada", validReq: true, status: 404},
		{name: "admin user sessions revoke", op: "admin_user_sessions_revoke", method: "DELETE", target: "/admin/users/pat/sessions", auth: "bearer:max", validReq: true, status: 200},
		{name: "admin user sessions revoke read-only", op: "admin_user_sessions_revoke", method: "DELETE", target: "/admin/users/pat/sessions", auth: "bearer:rob", validReq: true, status: 403},
		{name: "admin user delete", op: "admin_user_delete", method: "DELETE", target: "/admin/users/nopass", auth: "bearer:max", validReq: true, status: 204},
		{name: "admin user delete self", op: "admin_user_delete", method: "DELETE", target: "/admin/users/ada", auth: "bearer:ada", validReq: true, status: 403},
		{name: "admin user delete unknown", op: "admin_user_delete", method: "DELETE", target: "/admin/users/nopass", auth: "bearer:max", validReq: true, status: 404},

		{name: "admin roles", op: "admin_roles", method: "GET", target: "/admin/roles", auth: "bearer:max", validReq: true, status: 200},
		{name: "admin roles without a permission", op: "admin_roles", method: "GET", target: "/admin/roles", auth: "bearer:ann", validReq: true, status: 403},
		{name: "admin role", op: "admin_role", method: "GET", target: "/admin/roles/sales", auth: "bearer:ada", validReq: true, status: 200},
		{name: "admin role unknown", op: "admin_role", method: "GET", target: "/admin/roles/nope", auth: "bearer:ada", validReq: true, status: 404},
		{name: "admin role put creates", op: "admin_role_put", method: "PUT", target: "/admin/roles/support", auth: "bearer:max", body: `{"title":"Support","base":["viewer"],"params":[{"code":"show_header","value":"1"}],"entities":{"Customer":["read","update"]},"attributes":{"Customer":{"name":"modify"}},"specifics":["ticket_close"],"quotas":[{"service":"UNIVERSAL","method_group":"PLAN","points_per_request":1,"points_per_day":10,"points_per_date_window":10,"max_concurrent_execution":1}]}`, validReq: true, status: 201},
		{name: "admin role put replaces", op: "admin_role_put", method: "PUT", target: "/admin/roles/support", auth: "bearer:ada", body: `{"code":"support","title":"Support desk"}`, validReq: true, status: 200},
		{name: "admin role put not in schema", op: "admin_role_put", method: "PUT", target: "/admin/roles/support", auth: "bearer:ada", body: `{"entities":{"Custmer":["read"]}}`, validReq: true, status: 400},
		{name: "admin role put code mismatch", op: "admin_role_put", method: "PUT", target: "/admin/roles/support", auth: "bearer:ada", body: `{"code":"other"}`, validReq: true, status: 400},
		{name: "admin role put unknown operation", op: "admin_role_put", method: "PUT", target: "/admin/roles/support", auth: "bearer:ada", body: `{"entities":{"Customer":["fly"]}}`, status: 400},
		{name: "admin role delete in use", op: "admin_role_delete", method: "DELETE", target: "/admin/roles/viewer", auth: "bearer:ada", validReq: true, status: 409},
		{name: "admin role delete held, non-admin", op: "admin_role_delete", method: "DELETE", target: "/admin/roles/viewer?force=true", auth: "bearer:max", validReq: true, status: 403},
		{name: "admin role delete", op: "admin_role_delete", method: "DELETE", target: "/admin/roles/support", auth: "bearer:max", validReq: true, status: 204},
		{name: "admin role delete unknown", op: "admin_role_delete", method: "DELETE", target: "/admin/roles/support", auth: "bearer:max", validReq: true, status: 404},
		{name: "admin role delete bad force", op: "admin_role_delete", method: "DELETE", target: "/admin/roles/viewer?force=maybe", auth: "bearer:max", status: 400},
		{name: "admin role delete forced", op: "admin_role_delete", method: "DELETE", target: "/admin/roles/viewer?force=true", auth: "bearer:ada", validReq: true, status: 204},

		{name: "health", op: "health", method: "GET", target: "/health", validReq: true, status: 200},
		{name: "version", op: "version", method: "GET", target: "/version", validReq: true, status: 200},
		{name: "jwks", op: "jwks", method: "GET", target: "/.well-known/jwks.json", validReq: true, status: 200},

		{name: "docs json", op: "docs", method: "GET", target: "/docs/openapi.json", validReq: true, status: 200},
		{name: "docs yaml", op: "docs", method: "GET", target: "/docs/openapi.yaml", validReq: true, status: 200},
		{name: "docs html", op: "docs", method: "GET", target: "/docs/file_en.html", validReq: true, status: 200},
		{name: "docs name too short", op: "docs", method: "GET", target: "/docs/a.yml", status: 400},
		{name: "docs unknown", op: "docs", method: "GET", target: "/docs/file_ru.html", validReq: true, status: 404},
		{name: "docs index", op: "docs_index", method: "GET", target: "/docs", validReq: true, status: 302},
		{name: "docs index slash", op: "docs_index_slash", method: "GET", target: "/docs/", validReq: true, status: 302},
	}

	seen := make(map[string][]int) // operationId → statuses answered
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status := runCase(t, env, router, tc)
			seen[tc.op] = append(seen[tc.op], status)
		})
	}

	// Without a report writer, the report is 501, as documented; so is a
	// TOTP enrolment without a key.
	t.Run("report not configured", func(t *testing.T) {
		bare := newEnv(t, false)
		status := runCase(t, bare, router, apiCase{op: "statistics_report", method: "GET", target: "/statistics/report", auth: "bearer:ann", validReq: true, status: 501})
		seen["statistics_report"] = append(seen["statistics_report"], status)
		status = runCase(t, bare, router, apiCase{op: "mfa_totp", method: "POST", target: "/mfa/totp", auth: "bearer:ann", validReq: true, status: 501})
		seen["mfa_totp"] = append(seen["mfa_totp"], status)
		status = runCase(t, bare, router, apiCase{op: "password_reset_request", method: "POST", target: "/password/reset", body: `{"username":"ann"}`, validReq: true, status: 501})
		seen["password_reset_request"] = append(seen["password_reset_request"], status)
	})

	// Two-factor login, by the read-only rob (his own credentials): enrol,
	// confirm, log in with a code, turn it off.
	t.Run("totp", func(t *testing.T) {
		run := func(tc apiCase) []byte {
			t.Helper()
			status, body := runCaseBody(t, env, router, tc)
			seen[tc.op] = append(seen[tc.op], status)
			return body
		}
		bearer := map[string]string{"Authorization": "Bearer " + env.LoginAs(t, "rob").Token}
		var e struct {
			Secret string `json:"secret"`
		}
		require.NoError(t, json.Unmarshal(run(apiCase{name: "begin", op: "mfa_totp", method: "POST", target: "/mfa/totp", header: bearer, validReq: true, status: 200}), &e))
		key, err := totp.DecodeSecret(e.Secret)
		require.NoError(t, err)
		code := func() string { return totp.Code(key, totp.Step(env.Clock.Now())) }
		run(apiCase{name: "begin with {}", op: "mfa_totp", method: "POST", target: "/mfa/totp", body: `{}`, header: bearer, validReq: true, status: 200})
		require.NoError(t, json.Unmarshal(run(apiCase{name: "begin again", op: "mfa_totp", method: "POST", target: "/mfa/totp", header: bearer, validReq: true, status: 200}), &e))
		key, err = totp.DecodeSecret(e.Secret)
		require.NoError(t, err)
		run(apiCase{name: "begin anonymous", op: "mfa_totp", method: "POST", target: "/mfa/totp", status: 401})
		run(apiCase{name: "confirm wrong code", op: "mfa_totp_confirm", method: "POST", target: "/mfa/totp/confirm", body: `{"code":"12345x"}`, header: bearer, validReq: true, status: 400})
		run(apiCase{name: "confirm without code", op: "mfa_totp_confirm", method: "POST", target: "/mfa/totp/confirm", body: `{}`, header: bearer, status: 400})
		var rc struct {
			RecoveryCodes []string `json:"recovery_codes"`
		}
		require.NoError(t, json.Unmarshal(run(apiCase{name: "confirm", op: "mfa_totp_confirm", method: "POST", target: "/mfa/totp/confirm", body: `{"code":"` + code() + `"}`, header: bearer, validReq: true, status: 200}), &rc))
		require.Len(t, rc.RecoveryCodes, 10)
		run(apiCase{name: "confirm again", op: "mfa_totp_confirm", method: "POST", target: "/mfa/totp/confirm", body: `{"code":"` + code() + `"}`, header: bearer, validReq: true, status: 409})
		run(apiCase{name: "begin while enabled", op: "mfa_totp", method: "POST", target: "/mfa/totp", header: bearer, validReq: true, status: 409})

		login := `{"username":"rob","password":"rob-password"`
		msg := run(apiCase{name: "token without otp", op: "token", method: "POST", target: "/token", body: login + `}`, validReq: true, status: 401})
		assert.Contains(t, string(msg), "one-time code required")
		run(apiCase{name: "token with the confirmed code again", op: "token", method: "POST", target: "/token", body: login + `,"otp":"` + code() + `"}`, validReq: true, status: 401})
		env.Clock.Add(totp.Period)
		run(apiCase{name: "token with otp", op: "token", method: "POST", target: "/token", body: login + `,"otp":"` + code() + `"}`, validReq: true, status: 200})
		run(apiCase{name: "login with a recovery code", op: "login", method: "POST", target: "/login", body: login + `,"recovery_code":"` + rc.RecoveryCodes[0] + `"}`, validReq: true, status: 204})
		run(apiCase{name: "login form without otp", op: "login", method: "POST", target: "/login", body: "username=rob&password=rob-password", contentType: "application/x-www-form-urlencoded", validReq: true, status: 401})
		env.Clock.Add(totp.Period)
		run(apiCase{name: "login form with otp", op: "login", method: "POST", target: "/login", body: "username=rob&password=rob-password&otp=" + code(), contentType: "application/x-www-form-urlencoded", validReq: true, status: 204})

		run(apiCase{name: "disable wrong password", op: "mfa_totp_disable", method: "DELETE", target: "/mfa/totp", body: `{"password":"wrong-password"}`, header: bearer, validReq: true, status: 403})
		run(apiCase{name: "disable without password", op: "mfa_totp_disable", method: "DELETE", target: "/mfa/totp", body: `{}`, header: bearer, status: 400})
		run(apiCase{name: "disable", op: "mfa_totp_disable", method: "DELETE", target: "/mfa/totp", body: `{"password":"rob-password"}`, header: bearer, validReq: true, status: 204})
		run(apiCase{name: "disable again", op: "mfa_totp_disable", method: "DELETE", target: "/mfa/totp", body: `{"password":"rob-password"}`, header: bearer, validReq: true, status: 409})
		run(apiCase{name: "token after disable", op: "token", method: "POST", target: "/token", body: login + `}`, validReq: true, status: 200})
	})

	// Password reset, for max: the same answer for a user and for nobody.
	t.Run("password reset", func(t *testing.T) {
		run := func(tc apiCase) []byte {
			t.Helper()
			status, body := runCaseBody(t, env, router, tc)
			seen[tc.op] = append(seen[tc.op], status)
			return body
		}
		known := run(apiCase{name: "request", op: "password_reset_request", method: "POST", target: "/password/reset", body: `{"username":"max"}`, validReq: true, status: 202})
		unknown := run(apiCase{name: "request for nobody", op: "password_reset_request", method: "POST", target: "/password/reset", body: `{"username":"nobody"}`, validReq: true, status: 202})
		assert.Equal(t, string(known), string(unknown), "one body whether or not the user exists")
		run(apiCase{name: "request bad username", op: "password_reset_request", method: "POST", target: "/password/reset", body: `{"username":"a b"}`, status: 400})
		env.G.Sessions().WaitPasswordResets()
		tok := resetTokens.get("max")
		require.NotEmpty(t, tok)
		run(apiCase{name: "confirm weak password", op: "password_reset", method: "POST", target: "/password/reset/confirm", body: `{"token":"` + tok + `","new_password":"short"}`, validReq: true, status: 400})
		run(apiCase{name: "confirm forged token", op: "password_reset", method: "POST", target: "/password/reset/confirm", body: `{"token":"bWF4.` + strings.Repeat("A", 43) + `","new_password":"max-password-2"}`, validReq: true, status: 400})
		run(apiCase{name: "confirm", op: "password_reset", method: "POST", target: "/password/reset/confirm", body: `{"token":"` + tok + `","new_password":"max-password-2"}`, validReq: true, status: 204})
		run(apiCase{name: "confirm again", op: "password_reset", method: "POST", target: "/password/reset/confirm", body: `{"token":"` + tok + `","new_password":"max-password-3"}`, validReq: true, status: 400})
		run(apiCase{name: "token with the new password", op: "token", method: "POST", target: "/token", body: `{"username":"max","password":"max-password-2"}`, validReq: true, status: 200})
		for i := 0; i < 4; i++ {
			run(apiCase{name: "request again", op: "password_reset_request", method: "POST", target: "/password/reset", body: `{"username":"nobody"}`, validReq: true, status: 202})
		}
		run(apiCase{name: "request over the limit", op: "password_reset_request", method: "POST", target: "/password/reset", body: `{"username":"nobody"}`, validReq: true, status: 429})
		env.G.Sessions().WaitPasswordResets()
	})

	// API keys: ann makes one, uses it, lists and revokes it; an admin
	// lists and revokes another; the refusals.
	t.Run("api keys", func(t *testing.T) {
		run := func(tc apiCase) []byte {
			t.Helper()
			status, body := runCaseBody(t, env, router, tc)
			seen[tc.op] = append(seen[tc.op], status)
			return body
		}
		ann := map[string]string{"Authorization": "Bearer " + env.LoginAs(t, "ann").Token}
		var k struct {
			ID  string `json:"id"`
			Key string `json:"key"`
		}
		require.NoError(t, json.Unmarshal(run(apiCase{name: "create", op: "api_key_create", method: "POST", target: "/api-keys", body: `{"name":"ci","ttl_seconds":3600,"roles":["sales"]}`, header: ann, validReq: true, status: 201}), &k))
		run(apiCase{name: "create without a name", op: "api_key_create", method: "POST", target: "/api-keys", body: `{"ttl_seconds":3600}`, header: ann, status: 400})
		run(apiCase{name: "create with a role not held", op: "api_key_create", method: "POST", target: "/api-keys", body: `{"name":"x","roles":["nope"]}`, header: ann, validReq: true, status: 400})
		run(apiCase{name: "create read-only", op: "api_key_create", method: "POST", target: "/api-keys", body: `{"name":"x"}`, auth: "bearer:rob", validReq: true, status: 403})
		run(apiCase{name: "create anonymous", op: "api_key_create", method: "POST", target: "/api-keys", body: `{"name":"x"}`, status: 401})
		keyed := map[string]string{"Authorization": "Bearer " + k.Key}
		run(apiCase{name: "user by api key", op: "user", method: "GET", target: "/user", header: keyed, validReq: true, status: 200})
		run(apiCase{name: "create by api key", op: "api_key_create", method: "POST", target: "/api-keys", body: `{"name":"wider"}`, header: keyed, validReq: true, status: 403})
		run(apiCase{name: "list", op: "api_keys", method: "GET", target: "/api-keys", header: ann, validReq: true, status: 200})
		run(apiCase{name: "list anonymous", op: "api_keys", method: "GET", target: "/api-keys", status: 401})
		run(apiCase{name: "admin list", op: "admin_user_api_keys", method: "GET", target: "/admin/users/ann/api-keys", auth: "bearer:ada", validReq: true, status: 200})
		run(apiCase{name: "admin list unknown", op: "admin_user_api_keys", method: "GET", target: "/admin/users/nobody/api-keys", auth: "bearer:ada", validReq: true, status: 404})
		run(apiCase{name: "revoke unknown", op: "api_key_revoke", method: "DELETE", target: "/api-keys/" + strings.Repeat("A", 22), header: ann, validReq: true, status: 404})
		run(apiCase{name: "revoke", op: "api_key_revoke", method: "DELETE", target: "/api-keys/" + k.ID, header: ann, validReq: true, status: 204})
		run(apiCase{name: "user by a revoked api key", op: "user", method: "GET", target: "/user", header: keyed, validReq: true, status: 401})
		require.NoError(t, json.Unmarshal(run(apiCase{name: "create another", op: "api_key_create", method: "POST", target: "/api-keys", body: `{"name":"ci 2"}`, header: ann, validReq: true, status: 201}), &k))
		run(apiCase{name: "admin revoke read-only", op: "admin_user_api_key_revoke", method: "DELETE", target: "/admin/users/ann/api-keys/" + k.ID, auth: "bearer:rob", validReq: true, status: 403})
		run(apiCase{name: "admin revoke unknown", op: "admin_user_api_key_revoke", method: "DELETE", target: "/admin/users/ann/api-keys/" + strings.Repeat("A", 22), auth: "bearer:ada", validReq: true, status: 404})
		run(apiCase{name: "admin revoke", op: "admin_user_api_key_revoke", method: "DELETE", target: "/admin/users/ann/api-keys/" + k.ID, auth: "bearer:ada", validReq: true, status: 204})
	})

	// Every operation of the document was driven to a success (a 2xx, or
	// the 302 of an operation that documents nothing else) and, where
	// the document lists a client error, to one of those.
	t.Run("coverage", func(t *testing.T) {
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				statuses := seen[op.OperationID]
				// A 2xx, except for the redirects that document only a 3xx.
				success := func(s int) bool { return s >= 200 && s < 300 }
				if op.Responses.Value("302") != nil && op.Responses.Len() == 1 {
					success = func(s int) bool { return s == 302 }
				}
				assert.True(t, slices.ContainsFunc(statuses, success), "%s %s (%s): no success tested", method, path, op.OperationID)
				if documentsClientError(op) {
					assert.True(t, slices.ContainsFunc(statuses, func(s int) bool { return s >= 400 && s < 500 }), "%s %s (%s): no error tested", method, path, op.OperationID)
				}
			}
		}
	})
}

func documentsClientError(op *openapi3.Operation) bool {
	for code := range op.Responses.Map() {
		if strings.HasPrefix(code, "4") {
			return true
		}
	}
	return false
}

// runCase sends tc through the gatehouse handler, checks the request and
// the response against the document, and returns the status.
func runCase(t *testing.T, env *gatehousetest.Env, router routers.Router, tc apiCase) int {
	t.Helper()
	status, _ := runCaseBody(t, env, router, tc)
	return status
}

// runCaseBody is runCase, and returns the response body too.
func runCaseBody(t *testing.T, env *gatehousetest.Env, router routers.Router, tc apiCase) (int, []byte) {
	t.Helper()
	body := tc.body
	if strings.HasPrefix(body, "TOKEN:") {
		body = `"` + env.LoginAs(t, strings.TrimPrefix(body, "TOKEN:")).Token + `"`
	}
	newReq := func(target string) *http.Request {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		r := httptest.NewRequest(tc.method, target, rd)
		if body != "" {
			ct := tc.contentType
			if ct == "" {
				ct = "application/json"
			}
			r.Header.Set("Content-Type", ct)
		}
		for k, v := range tc.header {
			r.Header.Set(k, v)
		}
		return r
	}
	target := tc.target
	if pre, who, ok := strings.Cut(target, "SID:"); ok {
		target = pre + env.LoginAs(t, who).Result.Session.IDHash
	}
	req := newReq(target)
	switch kind, who, _ := strings.Cut(tc.auth, ":"); kind {
	case "bearer":
		req = env.Authorize(t, req, who)
	case "cookie":
		req = env.WithCookie(t, req, who)
	case "bearer-bad":
		req.Header.Set("Authorization", "Bearer a.b.c")
	case "":
	default:
		t.Fatalf("unknown auth %q", tc.auth)
	}

	// The request as the document sees it (a copy: validation reads the body).
	vreq := req.Clone(context.Background())
	vreq.Body = io.NopCloser(strings.NewReader(body))
	route, params, err := router.FindRoute(vreq)
	require.NoError(t, err, "the document has no operation for %s %s", tc.method, target)
	require.Equal(t, tc.op, route.Operation.OperationID)
	opts := &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    presentCredentials,
	}
	reqIn := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route, Options: opts}
	reqErr := openapi3filter.ValidateRequest(context.Background(), reqIn)
	if tc.validReq {
		assert.NoError(t, reqErr, "the document should accept this request")
	} else {
		assert.Error(t, reqErr, "the document should refuse this request")
	}

	rec := env.Serve(apiHandler(env), req)
	assert.Equal(t, tc.status, rec.Code, "body: %.300s", rec.Body.String())
	respIn := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: reqIn,
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Body:                   io.NopCloser(bytes.NewReader(rec.Body.Bytes())),
		Options:                opts,
	}
	assert.NoError(t, openapi3filter.ValidateResponse(context.Background(), respIn), "response %d: %.300s", rec.Code, rec.Body.String())
	return rec.Code, rec.Body.Bytes()
}

// apiHandler serves the API as the demo server does: Handler at the root
// and AdminHandler under /admin, where the document describes it.
func apiHandler(env *gatehousetest.Env) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/", env.Handler)
	mux.Handle("/admin/", http.StripPrefix("/admin", env.G.AdminHandler()))
	return mux
}

// presentCredentials accepts a security scheme when the request carries its
// credential at all: the server, not the document, decides whether it is
// good. An anonymous request to an operation that needs a session is thus
// one the document refuses.
func presentCredentials(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	switch in.SecurityScheme.Type {
	case "http":
		if strings.HasPrefix(r.Header.Get("Authorization"), "Bearer ") {
			return nil
		}
	case "apiKey":
		if _, err := r.Cookie(in.SecurityScheme.Name); err == nil {
			return nil
		}
	}
	return in.NewError(nil)
}
