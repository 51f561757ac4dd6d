package audit_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	codeAlice = "11111111-0000-4000-8000-000000000001"
	codeBob   = "11111111-0000-4000-8000-000000000002"
	codeEve   = "11111111-0000-4000-8000-000000000003"
)

// seedCompanies stores one action of alice and bob (acme) and eve (globex).
func seedCompanies(t *testing.T, now time.Time) storage.AuditStore {
	t.Helper()
	store := newAuditStore(t)
	rec, err := audit.New(store, audit.Config{})
	require.NoError(t, err)
	for _, a := range []audit.Action{
		{TraceCode: codeAlice, Username: "alice", Company: "acme"},
		{TraceCode: codeBob, Username: "bob", Company: "acme"},
		{TraceCode: codeEve, Username: "eve", Company: "globex"},
	} {
		a.Time, a.OperationID, a.Service, a.Points = now, "run_plan_calculation", "UNIVERSAL", 1
		a.Attachments = []storage.Attachment{
			{Flow: storage.FlowInput, ContentType: "application/json", Data: []byte(`{"in":"` + a.Username + `"}`)},
			{Flow: storage.FlowOutput, Stage: 2, ContentType: "text/csv", Data: []byte("out," + a.Username)},
		}
		require.NoError(t, rec.Record(context.Background(), a))
	}
	return store
}

func compile(t *testing.T, admin bool, specifics ...string) *permissions.Set {
	t.Helper()
	set, err := permissions.Compile(permissions.CompileConfig{
		Roles: []permissions.Role{{Code: "r", Specifics: specifics}},
		Held:  []string{"r"}, Admin: admin,
	})
	require.NoError(t, err)
	return set
}

func TestNewViewer(t *testing.T) {
	u := user.User{Username: "alice", Company: "acme", Timezone: "UTC"}
	v, err := audit.NewViewer(u, compile(t, false))
	require.NoError(t, err)
	assert.False(t, v.ReadAll)
	v, err = audit.NewViewer(u, compile(t, false, audit.PermissionReadAll))
	require.NoError(t, err)
	assert.True(t, v.ReadAll)
	v, err = audit.NewViewer(u, compile(t, true))
	require.NoError(t, err)
	assert.True(t, v.ReadAll, "admins read the company's audit")
	v, err = audit.NewViewer(u, nil)
	require.NoError(t, err)
	assert.False(t, v.ReadAll)
	_, err = audit.NewViewer(user.User{Username: "x", Company: "acme", Timezone: "Mars/Olympus"}, nil)
	assert.Error(t, err, "a time zone that does not load is an error, not UTC")
}

func TestAuditVisibility(t *testing.T) {
	now := mustTime(t, "2024-02-21T12:00:00Z")
	store := seedCompanies(t, now)
	cases := []struct {
		name   string
		viewer audit.Viewer
		see    []string
	}{
		{"a regular user sees their own", audit.Viewer{Username: "alice", Company: "acme"}, []string{codeAlice}},
		{"audit_read_all sees the company", audit.Viewer{Username: "alice", Company: "acme", ReadAll: true}, []string{codeAlice, codeBob}},
		{"never another company", audit.Viewer{Username: "eve", Company: "globex", ReadAll: true}, []string{codeEve}},
		{"a namesake in another company sees nothing", audit.Viewer{Username: "alice", Company: "globex"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q, err := audit.ParseQuery(url.Values{}, tc.viewer, now)
			require.NoError(t, err)
			page, err := store.QueryAudit(context.Background(), q)
			require.NoError(t, err)
			var got []string
			for _, r := range page.Records {
				got = append(got, r.TraceCode)
			}
			assert.ElementsMatch(t, tc.see, got)
			assert.Equal(t, len(tc.see), page.Total)

			for _, code := range []string{codeAlice, codeBob, codeEve} {
				tr, err := audit.ParseTraceRequest(code, url.Values{})
				require.NoError(t, err)
				rec, att, err := audit.Trace(context.Background(), store, tc.viewer, tr)
				visible := false
				for _, c := range tc.see {
					visible = visible || c == code
				}
				if !visible {
					assert.ErrorIs(t, err, audit.ErrNotFound, "trace %s must be hidden", code)
					continue
				}
				require.NoError(t, err)
				assert.Equal(t, code, rec.TraceCode)
				assert.Equal(t, "application/json", att.ContentType)
				assert.Equal(t, `{"in":"`+rec.Username+`"}`, string(att.Data))
			}
		})
	}
}

func TestTraceFlowAndStage(t *testing.T) {
	now := mustTime(t, "2024-02-21T12:00:00Z")
	store := seedCompanies(t, now)
	alice := audit.Viewer{Username: "alice", Company: "acme"}
	tr, err := audit.ParseTraceRequest(codeAlice, url.Values{"data_flow_type": {"OUTPUT"}, "data_flow_stage": {"2"}})
	require.NoError(t, err)
	_, att, err := audit.Trace(context.Background(), store, alice, tr)
	require.NoError(t, err)
	assert.Equal(t, "text/csv", att.ContentType)
	assert.Equal(t, "out,alice", string(att.Data))

	tr.Stage = 1
	_, _, err = audit.Trace(context.Background(), store, alice, tr)
	assert.ErrorIs(t, err, audit.ErrNotFound, "no attachment at that stage")
	tr = audit.TraceRequest{TraceCode: "11111111-0000-4000-8000-00000000000f", Flow: storage.FlowInput}
	_, _, err = audit.Trace(context.Background(), store, alice, tr)
	assert.ErrorIs(t, err, audit.ErrNotFound, "no such action")
}

func TestParseTraceRequest(t *testing.T) {
	cases := []struct {
		name  string
		code  string
		query string
		param string
		want  audit.TraceRequest
	}{
		{"defaults", codeAlice, "", "", audit.TraceRequest{TraceCode: codeAlice, Flow: storage.FlowInput}},
		{"output stage 3", codeAlice, "data_flow_type=OUTPUT&data_flow_stage=3", "", audit.TraceRequest{TraceCode: codeAlice, Flow: storage.FlowOutput, Stage: 3}},
		{"stage 0", codeAlice, "data_flow_stage=0", "", audit.TraceRequest{TraceCode: codeAlice, Flow: storage.FlowInput}},
		{"origin", codeAlice, "data_flow_convert=ORIGIN", "", audit.TraceRequest{TraceCode: codeAlice, Flow: storage.FlowInput}},
		{"not a uuid", "11111111-2222", "", "tracecode", audit.TraceRequest{}},
		{"upper-case uuid", "11111111-0000-4000-8000-00000000000A", "", "tracecode", audit.TraceRequest{}},
		{"stage 4", codeAlice, "data_flow_stage=4", "data_flow_stage", audit.TraceRequest{}},
		{"stage -1", codeAlice, "data_flow_stage=-1", "data_flow_stage", audit.TraceRequest{}},
		{"flow lower case", codeAlice, "data_flow_type=input", "data_flow_type", audit.TraceRequest{}},
		{"convert JSON", codeAlice, "data_flow_convert=JSON", "data_flow_convert", audit.TraceRequest{}},
		{"convert other", codeAlice, "data_flow_convert=PDF", "data_flow_convert", audit.TraceRequest{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			got, err := audit.ParseTraceRequest(tc.code, v)
			if tc.param == "" {
				require.NoError(t, err)
				assert.Equal(t, tc.want, got)
				return
			}
			var pe *audit.ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.param, pe.Param)
		})
	}
}
