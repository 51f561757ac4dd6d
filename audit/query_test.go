package audit_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var utc3 = time.FixedZone("UTC+3", 3*3600)

func TestParseQueryDefaults(t *testing.T) {
	now := mustTime(t, "2024-02-21T01:30:00Z") // 04:30 in UTC+3
	v := audit.Viewer{Username: "alice", Company: "acme", Location: utc3}
	q, err := audit.ParseQuery(url.Values{}, v, now)
	require.NoError(t, err)
	assert.Equal(t, storage.AuditQuery{
		Company: "acme", Username: "alice",
		From:      time.Date(2024, 2, 21, 0, 0, 0, 0, utc3),
		To:        now,
		SortField: storage.SortByTime, Limit: 100,
	}, q)
	assert.True(t, q.From.Equal(mustTime(t, "2024-02-20T21:00:00Z")), "the day starts in the viewer's zone")
}

func TestParseQueryParams(t *testing.T) {
	now := mustTime(t, "2024-02-21T18:00:00+03:00")
	viewer := audit.Viewer{Username: "alice", Company: "acme", Location: utc3}
	long := func(n int) string { return strings.Repeat("a", n) }
	cases := []struct {
		name    string
		query   string
		param   string // the parameter a failure must name; "" = success
		inspect func(t *testing.T, q storage.AuditQuery)
	}{
		{"offset 0", "offset=0", "", func(t *testing.T, q storage.AuditQuery) { assert.Equal(t, 0, q.Offset) }},
		{"offset max", "offset=10000000", "", func(t *testing.T, q storage.AuditQuery) { assert.Equal(t, 10_000_000, q.Offset) }},
		{"offset -1", "offset=-1", "offset", nil},
		{"offset max+1", "offset=10000001", "offset", nil},
		{"offset not a number", "offset=ten", "offset", nil},
		{"offset empty", "offset=", "offset", nil},
		{"offset twice", "offset=1&offset=2", "offset", nil},
		{"limit 1", "limit=1", "", func(t *testing.T, q storage.AuditQuery) { assert.Equal(t, 1, q.Limit) }},
		{"limit max", "limit=10000000", "", func(t *testing.T, q storage.AuditQuery) { assert.Equal(t, 10_000_000, q.Limit) }},
		{"limit 0", "limit=0", "limit", nil},
		{"limit max+1", "limit=10000001", "limit", nil},
		{"limit float", "limit=1.5", "limit", nil},
		{"from and to", "from=2024-02-21T09:30:00%2B03:00&to=2024-02-21T18:00:00%2B03:00", "", func(t *testing.T, q storage.AuditQuery) {
			assert.True(t, q.From.Equal(mustTime(t, "2024-02-21T06:30:00Z")))
			assert.True(t, q.To.Equal(mustTime(t, "2024-02-21T15:00:00Z")))
		}},
		{"unescaped plus in the offset", "from=2024-02-21T09:30:00+03:00", "", func(t *testing.T, q storage.AuditQuery) {
			assert.True(t, q.From.Equal(mustTime(t, "2024-02-21T06:30:00Z")))
		}},
		{"from equals to", "from=2024-02-21T09:30:00Z&to=2024-02-21T09:30:00Z", "", nil},
		{"from after to by 1s", "from=2024-02-21T09:30:01Z&to=2024-02-21T09:30:00Z", "from", nil},
		{"from without offset", "from=2024-02-21T09:30:00", "from", nil},
		{"from a date", "from=2024-02-21", "from", nil},
		{"to garbage", "to=yesterday", "to", nil},
		{"service_name", "service_name=UNIVERSAL", "", func(t *testing.T, q storage.AuditQuery) { assert.Equal(t, "UNIVERSAL", q.Service) }},
		{"service_name 64", "service_name=" + long(64), "", nil},
		{"service_name 65", "service_name=" + long(65), "service_name", nil},
		{"service_name empty", "service_name=", "service_name", nil},
		{"service_name punctuation", "service_name=A-B", "service_name", nil},
		{"method_group", "method_group=PLAN", "", func(t *testing.T, q storage.AuditQuery) { assert.Equal(t, "PLAN", q.MethodGroup) }},
		{"method_group 65", "method_group=" + long(65), "method_group", nil},
		{"operation_id 3", "operation_id=abc", "", func(t *testing.T, q storage.AuditQuery) { assert.Equal(t, "abc", q.OperationID) }},
		{"operation_id 2", "operation_id=ab", "operation_id", nil},
		{"operation_id 256", "operation_id=" + long(256), "", nil},
		{"operation_id 257", "operation_id=" + long(257), "operation_id", nil},
		{"operation_id 3 runes", "operation_id=%D0%B0%D0%B1%D0%B2", "", nil},
		{"sort_field points", "sort_field=points", "", func(t *testing.T, q storage.AuditQuery) { assert.Equal(t, storage.SortByPoints, q.SortField) }},
		{"sort_field unknown", "sort_field=name", "sort_field", nil},
		{"sort_direction DESC", "sort_direction=DESC", "", func(t *testing.T, q storage.AuditQuery) { assert.True(t, q.Descending) }},
		{"sort_direction ASC", "sort_direction=ASC", "", func(t *testing.T, q storage.AuditQuery) { assert.False(t, q.Descending) }},
		{"sort_direction lower case", "sort_direction=desc", "sort_direction", nil},
		{"unknown parameters are ignored", "foo=bar", "", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			q, err := audit.ParseQuery(v, viewer, now)
			if tc.param == "" {
				require.NoError(t, err)
				assert.Equal(t, "acme", q.Company)
				if tc.inspect != nil {
					tc.inspect(t, q)
				}
				return
			}
			require.ErrorIs(t, err, audit.ErrInvalidParam)
			var pe *audit.ParamError
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, tc.param, pe.Param)
			assert.Contains(t, err.Error(), tc.param)
		})
	}
}

func TestParseQueryUnknownSortFieldListsAllowed(t *testing.T) {
	_, err := audit.ParseQuery(url.Values{"sort_field": {"name"}}, audit.Viewer{Username: "a", Company: "acme"}, time.Now())
	require.Error(t, err)
	for _, f := range storage.AuditSortFields {
		assert.Contains(t, err.Error(), string(f))
	}
}

func TestParseQueryVisibility(t *testing.T) {
	now := time.Now()
	q, err := audit.ParseQuery(url.Values{}, audit.Viewer{Username: "alice", Company: "acme"}, now)
	require.NoError(t, err)
	assert.Equal(t, "alice", q.Username, "a regular user sees only their own actions")
	q, err = audit.ParseQuery(url.Values{}, audit.Viewer{Username: "boss", Company: "acme", ReadAll: true}, now)
	require.NoError(t, err)
	assert.Equal(t, "", q.Username, "audit_read_all sees the company")
	assert.Equal(t, "acme", q.Company, "but only their own company")
	_, err = audit.ParseQuery(url.Values{}, audit.Viewer{Username: "nobody", ReadAll: true}, now)
	assert.ErrorIs(t, err, audit.ErrNoCompany, "a viewer without a company sees nothing")
}
