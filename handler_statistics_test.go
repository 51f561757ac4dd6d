package gatehouse_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStatisticsGolden(t *testing.T) {
	e := newMeteringEnv(t, nil)
	e.user(t, "my_username_for_login", "my_company", nil)
	msk, err := time.LoadLocation(moscow)
	require.NoError(t, err)
	// 2024-02-05 00:30 in Moscow is still 2024-02-04 in UTC: the day is
	// cut in the user's zone.
	e.record(t, planAction(exampleTrace, "my_username_for_login", "my_company", time.Date(2024, 2, 5, 0, 30, 0, 0, msk)))

	rec := e.get(t, "my_username_for_login", "/statistics?from=2024-02-05&to=2024-02-05")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	want, err := json.Marshal(golden(t, "account-service-statistics.response.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(want), rec.Body.String())
}

func TestStatisticsPeriod(t *testing.T) {
	e := newMeteringEnv(t, nil)
	e.user(t, "alice", "acme", nil)
	e.user(t, "bob", "acme", func(u *user.User) { u.Roles = []string{"auditor"} })
	e.record(t, planAction("00000000-0000-4000-8000-000000000001", "alice", "acme", time.Date(2024, 2, 10, 12, 0, 0, 0, time.UTC)))

	t.Run("default is this month up to yesterday", func(t *testing.T) {
		rec := e.get(t, "alice", "/statistics")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var s audit.Statistics
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &s))
		require.Len(t, s.Dates, 20)
		assert.Equal(t, "2024-02-01", s.Dates[0].Date)
		assert.Equal(t, "2024-02-20", s.Dates[19].Date)
		assert.Equal(t, int64(1500), s.Dates[9].Services[0].Methods[0].PointsPerDay)
	})
	t.Run("only the caller's own usage", func(t *testing.T) {
		rec := e.get(t, "bob", "/statistics?from=2024-02-10&to=2024-02-10")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.JSONEq(t, `{"username":"bob","dates":[{"date":"2024-02-10","services":[]}]}`, rec.Body.String())
	})
	for _, tt := range []struct{ query, param string }{
		{"from=2024-02-30", "from"},
		{"from=10.02.2024", "from"},
		{"to=2024-13-01", "to"},
		{"from=2024-02-10&to=2024-02-01", "to"},
		{"from=2000-01-01&to=2024-01-01", "to"},
	} {
		t.Run(tt.query, func(t *testing.T) {
			rec := e.get(t, "alice", "/statistics?"+tt.query)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Contains(t, errorBody(t, rec).Message, tt.param+":")
		})
	}
}

func TestStatisticsReport(t *testing.T) {
	fake := audit.ReportWriterFunc(func(w io.Writer, s audit.Statistics) error {
		points := int64(0)
		for _, d := range s.Dates {
			for _, sv := range d.Services {
				for _, m := range sv.Methods {
					points += m.PointsPerDay
				}
			}
		}
		_, err := fmt.Fprintf(w, "%s %d days %d points", s.Username, len(s.Dates), points)
		return err
	})
	t.Run("written by the configured writer", func(t *testing.T) {
		e := newMeteringEnv(t, func(c *gatehouse.Config) { c.ReportWriter = fake })
		e.user(t, "alice", "acme", nil)
		e.record(t, planAction(exampleTrace, "alice", "acme", time.Date(2024, 2, 10, 12, 0, 0, 0, time.UTC)))
		rec := e.get(t, "alice", "/statistics/report?from=2024-02-01&to=2024-02-10")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Equal(t, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", rec.Header().Get("Content-Type"))
		assert.Equal(t, "attachment; filename=usage_alice_2024-02-01_2024-02-10.xlsx", rec.Header().Get("Content-Disposition"))
		assert.Equal(t, "alice 10 days 1500 points", rec.Body.String())
	})
	t.Run("default period ends yesterday", func(t *testing.T) {
		e := newMeteringEnv(t, func(c *gatehouse.Config) { c.ReportWriter = fake })
		e.user(t, "alice", "acme", nil)
		rec := e.get(t, "alice", "/statistics/report")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Equal(t, "alice 20 days 0 points", rec.Body.String())
	})
	t.Run("bad period", func(t *testing.T) {
		e := newMeteringEnv(t, func(c *gatehouse.Config) { c.ReportWriter = fake })
		e.user(t, "alice", "acme", nil)
		rec := e.get(t, "alice", "/statistics/report?from=x")
		require.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Contains(t, errorBody(t, rec).Message, "from:")
	})
	t.Run("no writer is 501 naming the setting", func(t *testing.T) {
		e := newMeteringEnv(t, nil)
		e.user(t, "alice", "acme", nil)
		rec := e.get(t, "alice", "/statistics/report")
		require.Equal(t, http.StatusNotImplemented, rec.Code)
		msg := errorBody(t, rec).Message
		assert.Contains(t, msg, "Config.ReportWriter")
		assert.Contains(t, msg, "report/xlsx")
	})
	t.Run("a failing writer is a 500 without internals", func(t *testing.T) {
		e := newMeteringEnv(t, func(c *gatehouse.Config) {
			c.ReportWriter = audit.ReportWriterFunc(func(io.Writer, audit.Statistics) error { return errors.New("disk on fire") })
		})
		e.user(t, "alice", "acme", nil)
		rec := e.get(t, "alice", "/statistics/report")
		require.Equal(t, http.StatusInternalServerError, rec.Code)
		assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
		assert.NotContains(t, rec.Body.String(), "fire")
	})
}

func TestQuotasGolden(t *testing.T) {
	e := newMeteringEnv(t, nil)
	e.user(t, "alice", "acme", func(u *user.User) { u.Roles = []string{"planner", "small"} })
	// A second, smaller role: the most generous value of each field wins.
	require.NoError(t, e.store.Roles().PutRole(t.Context(), permissions.Role{Code: "small", Quotas: []permissions.Quota{
		{Service: "UNIVERSAL", MethodGroup: "PLAN", PointsPerRequest: 1, PointsPerDay: 10, PointsPerDateWindow: 10, MaxConcurrentExecution: 1},
	}}))
	e.user(t, "bob", "acme", nil)

	rec := e.get(t, "alice", "/quotas")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	want, err := json.Marshal(golden(t, "account-service-quotas.response.json"))
	require.NoError(t, err)
	assert.JSONEq(t, string(want), rec.Body.String())

	rec = e.get(t, "bob", "/quotas")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"base":{"services":[]}}`, rec.Body.String())
}
