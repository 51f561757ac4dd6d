package gatehouse_test

import (
	"net/http"
	"testing"

	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrace(t *testing.T) {
	e := newMeteringEnv(t, nil)
	e.user(t, "alice", "acme", nil)
	e.user(t, "bob", "acme", nil)
	e.user(t, "carol", "acme", func(u *user.User) { u.Roles = []string{"auditor"} })
	e.user(t, "dave", "globex", func(u *user.User) { u.Admin = true })
	a := planAction(exampleTrace, "alice", "acme", meteringNow)
	a.Attachments = []storage.Attachment{
		{Flow: storage.FlowInput, Stage: 0, ContentType: "application/json", Data: []byte(`{"plan":1}`)},
		{Flow: storage.FlowOutput, Stage: 1, ContentType: "text/csv", Data: []byte("a,b\n1,2\n")},
	}
	e.record(t, a)

	ok := []struct {
		name, viewer, query, ctype, body string
	}{
		{"default is INPUT stage 0", "alice", "", "application/json", `{"plan":1}`},
		{"OUTPUT stage 1", "alice", "?data_flow_type=OUTPUT&data_flow_stage=1", "text/csv", "a,b\n1,2\n"},
		{"company reader", "carol", "?data_flow_type=INPUT&data_flow_stage=0&data_flow_convert=ORIGIN", "application/json", `{"plan":1}`},
	}
	for _, tt := range ok {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.get(t, tt.viewer, "/trace/"+exampleTrace+tt.query)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, tt.ctype, rec.Header().Get("Content-Type"))
			assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
			assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "sandbox")
			assert.Contains(t, rec.Header().Get("Content-Disposition"), "attachment")
			assert.Equal(t, tt.body, rec.Body.String())
		})
	}

	notFound := []struct {
		name, viewer, path string
	}{
		{"no such stage", "alice", "/trace/" + exampleTrace + "?data_flow_type=OUTPUT&data_flow_stage=0"},
		{"no such action", "alice", "/trace/00000000-0000-4000-8000-000000000000"},
		{"another user's action", "bob", "/trace/" + exampleTrace},
		{"another company's action, even for its admin", "dave", "/trace/" + exampleTrace},
	}
	for _, tt := range notFound {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.get(t, tt.viewer, tt.path)
			require.Equal(t, http.StatusNotFound, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
			body := errorBody(t, rec)
			assert.Equal(t, "trace", body.TraceData.Operation)
			assert.NotContains(t, rec.Body.String(), "plan")
		})
	}

	bad := []struct {
		path, param string
	}{
		{"/trace/not-a-uuid", "tracecode"},
		{"/trace/11111111-2222-3333-4444-55555555555G", "tracecode"},
		{"/trace/" + exampleTrace + "?data_flow_type=SIDEWAYS", "data_flow_type"},
		{"/trace/" + exampleTrace + "?data_flow_stage=4", "data_flow_stage"},
		{"/trace/" + exampleTrace + "?data_flow_stage=-1", "data_flow_stage"},
		{"/trace/" + exampleTrace + "?data_flow_convert=JSON", "data_flow_convert"},
	}
	for _, tt := range bad {
		t.Run(tt.path, func(t *testing.T) {
			rec := e.get(t, "alice", tt.path)
			require.Equal(t, http.StatusBadRequest, rec.Code, rec.Body.String())
			assert.Contains(t, errorBody(t, rec).Message, tt.param+":")
		})
	}
}
