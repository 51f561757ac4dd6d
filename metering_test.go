package gatehouse_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tightQuota allows 15 points a request, 30 a day and one request at a
// time.
var tightQuota = permissions.Quota{Service: "UNIVERSAL", MethodGroup: "PLAN",
	PointsPerRequest: 15, PointsPerDay: 30, MaxConcurrentExecution: 1}

// hostRoute is a host handler behind Authenticate and RequireQuota. The
// query says what it does: points=n costs n points; mode=block waits for
// release; mode=panic panics; mode=fail answers 500; mode=missing 404.
type hostRoute struct {
	e        *meteringEnv
	h        http.Handler
	entered  chan struct{}
	release  chan struct{}
	attached chan error
}

func newHostRoute(t *testing.T, service string) (*meteringEnv, *hostRoute) {
	t.Helper()
	e := newMeteringEnv(t, nil)
	require.NoError(t, e.store.Roles().PutRole(t.Context(), permissions.Role{Code: "tight", Quotas: []permissions.Quota{tightQuota}}))
	e.user(t, "alice", "acme", func(u *user.User) { u.Roles = []string{"tight"} })
	hr := &hostRoute{e: e, entered: make(chan struct{}, 1), release: make(chan struct{}), attached: make(chan error, 4)}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("mode") {
		case "block":
			hr.entered <- struct{}{}
			<-hr.release
		case "panic":
			panic("host bug")
		case "fail":
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		case "missing":
			http.NotFound(w, r)
			return
		}
		e.clock.Add(2 * time.Second)
		hr.attached <- gatehouse.AttachData(r.Context(), storage.Attachment{
			Flow: storage.FlowOutput, Stage: 0, ContentType: "text/plain", Data: []byte("planned"),
		})
		hr.attached <- gatehouse.AttachData(r.Context(), storage.Attachment{Flow: storage.FlowOutput, Stage: 0})
		w.WriteHeader(http.StatusCreated)
	})
	hr.h = e.g.Authenticate(e.g.RequireQuota(gatehouse.Metered{
		Service: service, MethodGroup: "PLAN", Operation: "run_plan_calculation",
		Points: func(r *http.Request) int64 {
			n, _ := strconv.ParseInt(r.URL.Query().Get("points"), 10, 64)
			return n
		},
	})(inner))
	return e, hr
}

func (hr *hostRoute) call(t *testing.T, query string) *httptest.ResponseRecorder {
	t.Helper()
	return hr.e.do(t, hr.h, req{method: http.MethodPost, path: "/plan?" + query, header: bearer(hr.e.tokens["alice"])})
}

func TestRequireQuotaChargesAndAudits(t *testing.T) {
	e, hr := newHostRoute(t, "UNIVERSAL")
	rec := hr.call(t, "points=10")
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	require.NoError(t, <-hr.attached)
	require.ErrorIs(t, <-hr.attached, audit.ErrInvalidAction, "one attachment per flow and stage")
	code := rec.Header().Get("X-Trace-Code")
	require.NotEmpty(t, code)

	recs := e.auditRecords(t, "acme", "run_plan_calculation")
	require.Len(t, recs, 1)
	got := recs[0]
	assert.Equal(t, code, got.TraceCode)
	assert.Equal(t, "ok", got.Outcome)
	assert.Equal(t, int64(10), got.Points)
	assert.Equal(t, int64(10), got.UniquePoints)
	assert.Equal(t, 2*time.Second, got.Duration)
	assert.Equal(t, "alice", got.Username)
	assert.Equal(t, "UNIVERSAL", got.Service)
	assert.Equal(t, "PLAN", got.MethodGroup)
	assert.Equal(t, "server_name", got.Server)

	// The action's data is served by GET /trace, and its points by
	// GET /statistics.
	tr := e.get(t, "alice", "/trace/"+code+"?data_flow_type=OUTPUT")
	require.Equal(t, http.StatusOK, tr.Code, tr.Body.String())
	assert.Equal(t, "text/plain", tr.Header().Get("Content-Type"))
	assert.Equal(t, "planned", tr.Body.String())
	st := e.get(t, "alice", "/statistics?from=2024-02-21&to=2024-02-21")
	require.Equal(t, http.StatusOK, st.Code)
	assert.JSONEq(t, `{"username":"alice","dates":[{"date":"2024-02-21","services":[{"service":"UNIVERSAL","methods":[
		{"method_group":"PLAN","unique_points_per_day":10,"points_per_day":10}]}]}]}`, st.Body.String())
}

func TestRequireQuotaRefuses(t *testing.T) {
	t.Run("points_per_day: 429 with Retry-After, denial audited", func(t *testing.T) {
		e, hr := newHostRoute(t, "UNIVERSAL")
		for range 2 {
			require.Equal(t, http.StatusCreated, hr.call(t, "points=15").Code)
		}
		rec := hr.call(t, "points=1")
		require.Equal(t, http.StatusTooManyRequests, rec.Code, rec.Body.String())
		// 15:00 in Moscow: the day ends in 9 hours.
		ra, err := strconv.Atoi(rec.Header().Get("Retry-After"))
		require.NoError(t, err)
		assert.InDelta(t, 9*3600, ra, 3600)
		body := errorBody(t, rec)
		assert.Contains(t, body.Message, "points_per_day")
		assert.Equal(t, "run_plan_calculation", body.TraceData.Operation)
		assert.Equal(t, "acme_|_alice", body.TraceData.Client)

		recs := e.auditRecords(t, "acme", "run_plan_calculation")
		require.Len(t, recs, 3)
		denied := recs[2]
		assert.Equal(t, body.TraceData.Code, denied.TraceCode)
		assert.Equal(t, "denied", denied.Outcome)
		assert.Zero(t, denied.Points)
		assert.Contains(t, denied.Detail, "points_per_day")
	})
	t.Run("points_per_request: 429 without Retry-After", func(t *testing.T) {
		_, hr := newHostRoute(t, "UNIVERSAL")
		rec := hr.call(t, "points=16")
		require.Equal(t, http.StatusTooManyRequests, rec.Code)
		assert.Empty(t, rec.Header().Get("Retry-After"))
		assert.Contains(t, errorBody(t, rec).Message, "points_per_request")
	})
	t.Run("no quota for the service: 403", func(t *testing.T) {
		_, hr := newHostRoute(t, "ROUTING")
		rec := hr.call(t, "points=1")
		require.Equal(t, http.StatusForbidden, rec.Code)
		assert.Contains(t, errorBody(t, rec).Message, "ROUTING/PLAN")
	})
	t.Run("negative points: 500 without internals", func(t *testing.T) {
		_, hr := newHostRoute(t, "UNIVERSAL")
		rec := hr.call(t, "points=-1")
		require.Equal(t, http.StatusInternalServerError, rec.Code)
		assert.Equal(t, "internal error", errorBody(t, rec).Message)
	})
	t.Run("without Authenticate in front: 401", func(t *testing.T) {
		e, _ := newHostRoute(t, "UNIVERSAL")
		h := e.g.RequireQuota(gatehouse.Metered{Service: "UNIVERSAL", MethodGroup: "PLAN", Operation: "op_x"})(
			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("handler ran") }))
		rec := e.do(t, h, req{method: http.MethodPost, path: "/plan", header: bearer(e.tokens["alice"])})
		require.Equal(t, http.StatusUnauthorized, rec.Code)
		errorBody(t, rec)
	})
}

func TestRequireQuotaConcurrencySlot(t *testing.T) {
	_, hr := newHostRoute(t, "UNIVERSAL")
	done := make(chan int)
	go func() {
		r := httptest.NewRequest(http.MethodPost, "/plan?points=1&mode=block", nil)
		r.Header.Set("Authorization", "Bearer "+hr.e.tokens["alice"])
		rec := httptest.NewRecorder()
		hr.h.ServeHTTP(rec, r)
		done <- rec.Code
	}()
	<-hr.entered
	rec := hr.call(t, "points=1")
	require.Equal(t, http.StatusTooManyRequests, rec.Code, rec.Body.String())
	assert.Equal(t, "1", rec.Header().Get("Retry-After"))
	assert.Contains(t, errorBody(t, rec).Message, "max_concurrent_execution")

	close(hr.release)
	assert.Equal(t, http.StatusCreated, <-done)
	assert.Equal(t, http.StatusCreated, hr.call(t, "points=1").Code, "the slot is free once the handler returned")
}

func TestRequireQuotaReleasesOnPanic(t *testing.T) {
	e, hr := newHostRoute(t, "UNIVERSAL")
	func() {
		defer func() { assert.Equal(t, "host bug", recover(), "the panic goes on") }()
		hr.call(t, "points=1&mode=panic")
		t.Error("no panic")
	}()
	assert.Equal(t, http.StatusCreated, hr.call(t, "points=1").Code, "the slot is free after a panic")

	recs := e.auditRecords(t, "acme", "run_plan_calculation")
	require.Len(t, recs, 2)
	outcomes := map[string]int64{}
	for _, r := range recs {
		outcomes[r.Outcome] = r.Points
	}
	assert.Equal(t, map[string]int64{"panic": 1, "ok": 1}, outcomes, "an operation that ran is charged")
}

func TestRequireQuotaOutcomes(t *testing.T) {
	for _, tt := range []struct{ mode, outcome string }{{"fail", "failed"}, {"missing", "rejected"}} {
		t.Run(tt.mode, func(t *testing.T) {
			e, hr := newHostRoute(t, "UNIVERSAL")
			hr.call(t, "points=1&mode="+tt.mode)
			recs := e.auditRecords(t, "acme", "run_plan_calculation")
			require.Len(t, recs, 1)
			assert.Equal(t, tt.outcome, recs[0].Outcome)
		})
	}
}

func TestAttachDataOutsideRequireQuota(t *testing.T) {
	err := gatehouse.AttachData(context.Background(), storage.Attachment{Flow: storage.FlowInput})
	assert.ErrorIs(t, err, gatehouse.ErrNoMeteredAction)
}

func TestSecurityEventsGoThroughTheRecorder(t *testing.T) {
	e := newMeteringEnv(t, func(c *gatehouse.Config) { c.Audit.Buffer = 16 })
	e.user(t, "alice", "acme", nil) // one login
	rec := e.do(t, nil, req{method: http.MethodPost, path: "/token", body: `{"username":"alice","password":"wrong"}`})
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	require.NoError(t, e.g.Close()) // flushes the buffer
	assert.Equal(t, uint64(2), e.g.Audit().Stats().Written)
	outcomes := map[string]bool{}
	for _, r := range e.auditRecords(t, "acme", "login") {
		outcomes[r.Outcome] = true
		assert.Equal(t, "AUTH", r.MethodGroup)
	}
	assert.Len(t, outcomes, 2, "a successful and a failed login")
}
