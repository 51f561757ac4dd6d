package gatehouse_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/require"
)

// moscow is the time zone of the metering tests' users (+03:00, as in the
// account service's examples).
const moscow = "Europe/Moscow"

// meteringNow is 2024-02-21T15:00:00+03:00.
var meteringNow = time.Date(2024, 2, 21, 12, 0, 0, 0, time.UTC)

// planQuota is the account service's /quotas example.
var planQuota = permissions.Quota{Service: "UNIVERSAL", MethodGroup: "PLAN",
	PointsPerRequest: 15, PointsPerDay: 1500, PointsPerDateWindow: 1500, MaxConcurrentExecution: 5}

// meteringEnv is an authEnv with the roles of the metering tests:
// "planner" holds planQuota, "auditor" may read the company's audit.
type meteringEnv struct {
	*authEnv
	tokens map[string]string
}

func newMeteringEnv(t *testing.T, mod func(*gatehouse.Config)) *meteringEnv {
	t.Helper()
	e := newAuthEnv(t, nil, gatehousetest.NewClock(meteringNow), mod)
	t.Cleanup(func() { _ = e.g.Close() })
	ctx := context.Background()
	require.NoError(t, e.store.Roles().PutRole(ctx, permissions.Role{Code: "planner", Quotas: []permissions.Quota{planQuota}}))
	require.NoError(t, e.store.Roles().PutRole(ctx, permissions.Role{Code: "auditor", Specifics: []string{audit.PermissionReadAll}}))
	return &meteringEnv{authEnv: e, tokens: map[string]string{}}
}

// user adds a user of company in Moscow time and logs them in.
func (e *meteringEnv) user(t *testing.T, username, company string, mod func(*user.User)) {
	t.Helper()
	e.addUser(t, username, "password1", func(u *user.User) {
		u.Company, u.Timezone = company, moscow
		if mod != nil {
			mod(u)
		}
	})
	e.tokens[username] = e.token(t, username, "password1")
}

// get sends GET path as username ("" for nobody) to the API.
func (e *meteringEnv) get(t *testing.T, username, path string) *httptest.ResponseRecorder {
	t.Helper()
	var h map[string]string
	if username != "" {
		h = bearer(e.tokens[username])
	}
	return e.do(t, nil, req{method: http.MethodGet, path: path, header: h})
}

// record writes an action straight through the Gatehouse's recorder.
func (e *meteringEnv) record(t *testing.T, a audit.Action) {
	t.Helper()
	require.NoError(t, e.g.Audit().Record(context.Background(), a))
}

// planAction is an action of username like the account service's example.
func planAction(code, username, company string, at time.Time) audit.Action {
	return audit.Action{TraceCode: code, Time: at, Service: "UNIVERSAL", OperationID: "run_plan_calculation",
		MethodGroup: "PLAN", Points: 1500, UniquePoints: 1500, Username: username, Company: company,
		Duration: 26*time.Hour + 12*time.Minute + 34*time.Second + 300*time.Millisecond, Outcome: "ok"}
}

// golden reads an example of the account service copied into testdata.
func golden(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	var v map[string]any
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

// errorBody decodes an error body.
func errorBody(t *testing.T, rec *httptest.ResponseRecorder) gatehouse.ErrorBody {
	t.Helper()
	var body gatehouse.ErrorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
	require.NotEmpty(t, body.TraceData.Code)
	require.Equal(t, rec.Header().Get("X-Trace-Code"), body.TraceData.Code)
	return body
}

// auditRecords returns the company's stored records of operation op.
func (e *meteringEnv) auditRecords(t *testing.T, company, op string) []storage.AuditRecord {
	t.Helper()
	page, err := e.store.Audit().QueryAudit(context.Background(), storage.AuditQuery{Company: company, OperationID: op, Limit: 100})
	require.NoError(t, err)
	return page.Records
}
