package audit_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFormatDuration(t *testing.T) {
	cases := []struct {
		d    time.Duration
		want string
	}{
		{0, "PT0S"},
		{250 * time.Millisecond, "PT0.25S"},
		{time.Second, "PT1S"},
		{time.Minute, "PT1M"},
		{time.Hour, "PT1H"},
		{24 * time.Hour, "P1D"},
		{24*time.Hour + 2*time.Hour + 12*time.Minute + 34*time.Second + 300*time.Millisecond, "P1DT2H12M34.3S"},
		{-90 * time.Second, "-PT1M30S"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			assert.Equal(t, tc.want, audit.FormatDuration(tc.d))
		})
	}
}

func TestPageDocumentMatchesTheAccountService(t *testing.T) {
	want, err := os.ReadFile("../testdata/account-service-audit.response.json") // the account service's example, copied into the repository
	require.NoError(t, err)
	var example audit.PageDocument
	require.NoError(t, json.Unmarshal(want, &example))
	page := storage.AuditPage{Total: 1, Filtered: 1, Records: []storage.AuditRecord{{
		TraceCode: "11111111-2222-3333-4444-555555555555", Time: mustTime(t, "2024-02-21T06:30:00Z"),
		Username: "my_username_for_login", Company: "my_company", Server: "server_name",
		Service: "UNIVERSAL", OperationID: "run_plan_calculation", MethodGroup: "PLAN",
		Points: 1500, Duration: 2*time.Hour + 12*time.Minute + 34*time.Second + 300*time.Millisecond,
	}}}
	doc := audit.NewPageDocument(page, utc3)
	got, err := json.Marshal(doc)
	require.NoError(t, err)
	// The example's client and duration are placeholders; the rest must match.
	example.Actions[0].TraceData.Client = "my_company_|_my_username_for_login"
	example.Actions[0].Statistics.Duration = "PT2H12M34.3S"
	wantDoc, err := json.Marshal(example)
	require.NoError(t, err)
	assert.JSONEq(t, string(wantDoc), string(got))

	empty, err := json.Marshal(audit.NewPageDocument(storage.AuditPage{}, nil))
	require.NoError(t, err)
	assert.JSONEq(t, `{"actions":[],"statistics":{"overall":{"total":0},"filter":{"total":0}}}`, string(empty))
}

func TestReportFileName(t *testing.T) {
	p := audit.Period{From: day(2024, 2, 1, time.UTC), To: day(2024, 2, 20, time.UTC)}
	assert.Equal(t, "usage_alice_2024-02-01_2024-02-20.xlsx", audit.ReportFileName("alice", p))
	assert.Equal(t, "usage_a__b_2024-02-01_2024-02-20.xlsx", audit.ReportFileName(`a";b`, p))
}
