package gatehouse_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const exampleTrace = "11111111-2222-3333-4444-555555555555"

func TestAuditGoldenShape(t *testing.T) {
	e := newMeteringEnv(t, nil)
	e.user(t, "my_username_for_login", "my_company", nil)
	msk, err := time.LoadLocation(moscow)
	require.NoError(t, err)
	e.record(t, planAction(exampleTrace, "my_username_for_login", "my_company", time.Date(2024, 2, 21, 9, 30, 0, 0, msk)))

	rec := e.get(t, "my_username_for_login", "/audit?method_group=PLAN")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))

	want := golden(t, "account-service-audit.response.json")
	action := want["actions"].([]any)[0].(map[string]any)
	// The example's client is a placeholder; ours names the action's company
	// and user.
	action["tracedata"].(map[string]any)["client"] = "my_company_|_my_username_for_login"
	// Years and months are never written: their length varies.
	action["statistics"].(map[string]any)["duration"] = "P1DT2H12M34.3S"
	// The test's own login (POST /token) is an action the user may see
	// too, left out by the method_group filter.
	want["statistics"].(map[string]any)["overall"].(map[string]any)["total"] = 2
	wantJSON, err := json.Marshal(want)
	require.NoError(t, err)
	assert.JSONEq(t, string(wantJSON), rec.Body.String())
}

func TestAuditVisibility(t *testing.T) {
	e := newMeteringEnv(t, nil)
	e.user(t, "alice", "acme", nil)
	e.user(t, "bob", "acme", nil)
	e.user(t, "carol", "acme", func(u *user.User) { u.Roles = []string{"auditor"} })
	e.user(t, "root", "acme", func(u *user.User) { u.Admin = true })
	e.user(t, "dave", "globex", nil)
	e.user(t, "reader", "acme", func(u *user.User) { u.Access = user.AccessReadOnly; u.Roles = []string{"auditor"} })
	at := meteringNow.Add(-time.Hour)
	for i, name := range []string{"alice", "bob", "carol", "root", "dave", "reader"} {
		company := "acme"
		if name == "dave" {
			company = "globex"
		}
		e.record(t, planAction("00000000-0000-4000-8000-00000000000"+string(rune('1'+i)), name, company, at))
	}

	tests := []struct {
		viewer string
		want   []string
	}{
		{"alice", []string{"alice"}},
		{"bob", []string{"bob"}},
		{"carol", []string{"alice", "bob", "carol", "reader", "root"}},
		{"root", []string{"alice", "bob", "carol", "reader", "root"}},
		{"dave", []string{"dave"}},
		// A read-only user may GET, but holds no specific permission.
		{"reader", []string{"reader"}},
	}
	for _, tt := range tests {
		t.Run(tt.viewer, func(t *testing.T) {
			rec := e.get(t, tt.viewer, "/audit?method_group=PLAN&sort_field=username")
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var page audit.PageDocument
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page))
			var got []string
			for _, a := range page.Actions {
				got = append(got, a.Username)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, len(tt.want), page.Statistics.Filter.Total)
		})
	}
}

func TestAuditParameters(t *testing.T) {
	e := newMeteringEnv(t, nil)
	e.user(t, "alice", "acme", nil)
	for i := range 3 {
		e.record(t, planAction("00000000-0000-4000-8000-00000000000"+string(rune('1'+i)), "alice", "acme",
			meteringNow.Add(-time.Duration(3-i)*time.Minute)))
	}
	t.Run("paging and order", func(t *testing.T) {
		rec := e.get(t, "alice", "/audit?method_group=PLAN&offset=1&limit=1&sort_field=time&sort_direction=DESC")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var page audit.PageDocument
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page))
		require.Len(t, page.Actions, 1)
		assert.Equal(t, "00000000-0000-4000-8000-000000000002", page.Actions[0].TraceData.Code)
		assert.Equal(t, 3, page.Statistics.Filter.Total)
	})
	t.Run("from excludes earlier actions", func(t *testing.T) {
		from := url.QueryEscape(meteringNow.Add(-90 * time.Second).Format(time.RFC3339))
		rec := e.get(t, "alice", "/audit?method_group=PLAN&from="+from)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var page audit.PageDocument
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &page))
		assert.Len(t, page.Actions, 1)
	})

	bad := []struct {
		query, param string
	}{
		{"offset=-1", "offset"},
		{"offset=10000001", "offset"},
		{"offset=x", "offset"},
		{"limit=0", "limit"},
		{"limit=10000001", "limit"},
		{"from=yesterday", "from"},
		{"to=2024-02-21", "to"},
		{"operation_id=ab", "operation_id"},
		{"sort_direction=UP", "sort_direction"},
		{"limit=1&limit=2", "limit"},
	}
	for _, tt := range bad {
		t.Run(tt.query, func(t *testing.T) {
			rec := e.get(t, "alice", "/audit?"+tt.query)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			body := errorBody(t, rec)
			assert.True(t, strings.HasPrefix(body.Message, tt.param+":"), body.Message)
			assert.Equal(t, "audit", body.TraceData.Operation)
			assert.Equal(t, "acme_|_alice", body.TraceData.Client)
		})
	}
	t.Run("unknown sort field lists the allowed ones", func(t *testing.T) {
		rec := e.get(t, "alice", "/audit?sort_field=name")
		require.Equal(t, http.StatusBadRequest, rec.Code)
		msg := errorBody(t, rec).Message
		assert.Contains(t, msg, "sort_field")
		for _, f := range storage.AuditSortFields {
			assert.Contains(t, msg, string(f))
		}
	})
}

func TestMeteringEndpointsNeedSession(t *testing.T) {
	e := newMeteringEnv(t, nil)
	for _, path := range []string{"/audit", "/trace/" + exampleTrace, "/statistics", "/statistics/report", "/quotas"} {
		t.Run(path, func(t *testing.T) {
			rec := e.get(t, "", path)
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.NotEmpty(t, rec.Header().Get("WWW-Authenticate"))
			errorBody(t, rec)
			rec = e.do(t, nil, req{method: http.MethodGet, path: path, header: bearer("not.a.token")})
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
		})
	}
}

func TestReadOnlyUserMayGetMetering(t *testing.T) {
	e := newMeteringEnv(t, nil)
	e.user(t, "reader", "acme", func(u *user.User) { u.Access = user.AccessReadOnly })
	for _, path := range []string{"/audit", "/statistics", "/quotas"} {
		t.Run(path, func(t *testing.T) {
			assert.Equal(t, http.StatusOK, e.get(t, "reader", path).Code)
		})
	}
	t.Run("POST is refused", func(t *testing.T) {
		rec := e.do(t, nil, req{method: http.MethodPost, path: "/audit", header: bearer(e.tokens["reader"])})
		assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	})
}
