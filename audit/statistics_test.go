package audit_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse/audit"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func record(t *testing.T, rec *audit.Recorder, username, at, service, group string, points, unique int64) {
	t.Helper()
	require.NoError(t, rec.Record(context.Background(), audit.Action{
		Time: mustTime(t, at), Username: username, Company: "acme",
		Service: service, OperationID: "run_plan_calculation", MethodGroup: group,
		Points: points, UniquePoints: unique,
	}))
}

func day(y int, m time.Month, d int, loc *time.Location) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

func TestStatisticsCutsDaysInTheViewersZone(t *testing.T) {
	store := newAuditStore(t)
	rec, err := audit.New(store, audit.Config{})
	require.NoError(t, err)
	record(t, rec, "alice", "2024-02-20T20:59:59Z", "UNIVERSAL", "PLAN", 1, 1)  // 23:59:59 on the 20th in UTC+3
	record(t, rec, "alice", "2024-02-20T23:30:00Z", "UNIVERSAL", "PLAN", 10, 7) // 02:30 on the 21st in UTC+3
	record(t, rec, "alice", "2024-02-21T05:00:00Z", "UNIVERSAL", "PLAN", 5, 5)
	record(t, rec, "alice", "2024-02-21T06:00:00Z", "ROUTING", "TRACE", 3, 0)
	record(t, rec, "alice", "2024-02-21T06:00:00Z", "ROUTING", "NOTRACE", 2, 2)
	record(t, rec, "alice", "2024-02-21T06:00:00Z", "ACCOUNT", "LOGIN", 0, 0)        // security event: no points
	record(t, rec, "bob", "2024-02-21T06:00:00Z", "UNIVERSAL", "PLAN", 100, 100)     // someone else
	record(t, rec, "alice", "2024-02-21T21:00:00Z", "UNIVERSAL", "PLAN", 1000, 1000) // 00:00 on the 22nd

	alice := audit.Viewer{Username: "alice", Company: "acme", ReadAll: true, Location: utc3}
	p := audit.Period{From: day(2024, 2, 20, utc3), To: day(2024, 2, 21, utc3)}
	st, err := audit.CollectStatistics(context.Background(), store, alice, p)
	require.NoError(t, err)
	assert.Equal(t, audit.Statistics{Username: "alice", Dates: []audit.DateStatistics{
		{Date: "2024-02-20", Services: []audit.ServiceStatistics{
			{Service: "UNIVERSAL", Methods: []audit.MethodStatistics{{MethodGroup: "PLAN", UniquePointsPerDay: 1, PointsPerDay: 1}}},
		}},
		{Date: "2024-02-21", Services: []audit.ServiceStatistics{
			{Service: "ROUTING", Methods: []audit.MethodStatistics{
				{MethodGroup: "NOTRACE", UniquePointsPerDay: 2, PointsPerDay: 2},
				{MethodGroup: "TRACE", UniquePointsPerDay: 0, PointsPerDay: 3},
			}},
			{Service: "UNIVERSAL", Methods: []audit.MethodStatistics{{MethodGroup: "PLAN", UniquePointsPerDay: 12, PointsPerDay: 15}}},
		}},
	}}, st)

	// The same actions in UTC: the 23:30 action stays on the 20th.
	p = audit.Period{From: day(2024, 2, 20, time.UTC), To: day(2024, 2, 20, time.UTC)}
	alice.Location = time.UTC
	st, err = audit.CollectStatistics(context.Background(), store, alice, p)
	require.NoError(t, err)
	require.Len(t, st.Dates, 1)
	assert.Equal(t, int64(11), st.Dates[0].Services[0].Methods[0].PointsPerDay)
}

func TestStatisticsListsEveryDayAndPages(t *testing.T) {
	store := newAuditStore(t)
	rec, err := audit.New(store, audit.Config{})
	require.NoError(t, err)
	n := audit.StatisticsPageSize*2 + 17
	for i := range n {
		record(t, rec, "alice", time.Date(2024, 3, 2, 10, 0, i%60, 0, time.UTC).Format(time.RFC3339), "UNIVERSAL", "PLAN", 2, 1)
	}
	v := audit.Viewer{Username: "alice", Company: "acme"}
	st, err := audit.CollectStatistics(context.Background(), store, v, audit.Period{From: day(2024, 3, 1, time.UTC), To: day(2024, 3, 3, time.UTC)})
	require.NoError(t, err)
	require.Len(t, st.Dates, 3)
	assert.Equal(t, "2024-03-01", st.Dates[0].Date)
	assert.Empty(t, st.Dates[0].Services)
	assert.NotNil(t, st.Dates[0].Services, "an empty day has services: []")
	assert.Equal(t, int64(2*n), st.Dates[1].Services[0].Methods[0].PointsPerDay)
	assert.Equal(t, int64(n), st.Dates[1].Services[0].Methods[0].UniquePointsPerDay)

	st, err = audit.CollectStatistics(context.Background(), store, v, audit.Period{From: day(2024, 3, 2, time.UTC), To: day(2024, 3, 1, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, []audit.DateStatistics{}, st.Dates)
}

func TestStatisticsJSONShape(t *testing.T) {
	want, err := os.ReadFile("../testdata/account-service-statistics.response.json") // the account service's example, copied into the repository
	require.NoError(t, err)
	st := audit.Statistics{Username: "my_username_for_login", Dates: []audit.DateStatistics{{Date: "2024-02-05",
		Services: []audit.ServiceStatistics{{Service: "UNIVERSAL", Methods: []audit.MethodStatistics{{MethodGroup: "PLAN", UniquePointsPerDay: 1500, PointsPerDay: 1500}}}}}}}
	got, err := json.Marshal(st)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
}

func TestStatisticsPeriodDefaults(t *testing.T) {
	cases := []struct {
		name     string
		now      string
		from, to time.Time
		empty    bool
	}{
		{"mid month", "2024-02-21T10:00:00+03:00", day(2024, 2, 1, utc3), day(2024, 2, 20, utc3), false},
		{"second of the month", "2024-02-02T00:00:00+03:00", day(2024, 2, 1, utc3), day(2024, 2, 1, utc3), false},
		{"first of the month is empty", "2024-03-01T23:59:59+03:00", day(2024, 3, 1, utc3), day(2024, 2, 29, utc3), true},
		{"the month is the viewer's: 22:30 UTC on the 29th is March 1st in UTC+3", "2024-02-29T22:30:00Z", day(2024, 3, 1, utc3), day(2024, 2, 29, utc3), true},
	}
	for _, tc := range cases {
		for name, fn := range map[string]func(url.Values, time.Time, *time.Location) (audit.Period, error){
			"statistics": audit.StatisticsPeriod, "report": audit.ReportPeriod,
		} {
			t.Run(name+": "+tc.name, func(t *testing.T) {
				p, err := fn(url.Values{}, mustTime(t, tc.now), utc3)
				require.NoError(t, err)
				assert.True(t, tc.from.Equal(p.From), "from %v", p.From)
				assert.True(t, tc.to.Equal(p.To), "to %v", p.To)
				assert.Equal(t, tc.empty, p.Empty())
			})
		}
	}
}

func TestStatisticsPeriodParams(t *testing.T) {
	now := mustTime(t, "2024-02-21T10:00:00Z")
	cases := []struct {
		name     string
		query    string
		param    string
		from, to string
	}{
		{"both", "from=2024-01-10&to=2024-01-12", "", "2024-01-10", "2024-01-12"},
		{"one day", "from=2024-01-10&to=2024-01-10", "", "2024-01-10", "2024-01-10"},
		{"only from", "from=2024-01-10", "", "2024-01-10", "2024-02-20"},
		{"only to", "to=2024-02-10", "", "2024-02-01", "2024-02-10"},
		{"to before from", "from=2024-01-10&to=2024-01-09", "to", "", ""},
		{"from after the default to is empty, not an error", "from=2024-02-21", "", "2024-02-21", "2024-02-20"},
		{"3653 days", "from=2014-01-01&to=2024-01-01", "", "2014-01-01", "2024-01-01"},
		{"3654 days", "from=2014-01-01&to=2024-01-02", "to", "", ""},
		{"3654 days up to the default", "from=2014-02-18", "from", "", ""},
		{"from not a date", "from=2024-1-10", "from", "", ""},
		{"from 30 February", "from=2024-02-30", "from", "", ""},
		{"to date-time", "to=2024-02-10T00:00:00Z", "to", "", ""},
		{"to twice", "to=2024-02-10&to=2024-02-11", "to", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := url.ParseQuery(tc.query)
			require.NoError(t, err)
			p, err := audit.StatisticsPeriod(v, now, time.UTC)
			if tc.param != "" {
				var pe *audit.ParamError
				require.ErrorAs(t, err, &pe)
				assert.Equal(t, tc.param, pe.Param)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.from, p.From.Format(audit.DateLayout))
			assert.Equal(t, tc.to, p.To.Format(audit.DateLayout))
		})
	}
}

func TestStatisticsToIsInclusive(t *testing.T) {
	store := newAuditStore(t)
	rec, err := audit.New(store, audit.Config{})
	require.NoError(t, err)
	record(t, rec, "alice", "2024-01-12T23:59:59Z", "UNIVERSAL", "PLAN", 1, 1)
	record(t, rec, "alice", "2024-01-13T00:00:00Z", "UNIVERSAL", "PLAN", 100, 1)
	record(t, rec, "alice", "2024-01-09T23:59:59Z", "UNIVERSAL", "PLAN", 1000, 1)
	p, err := audit.StatisticsPeriod(url.Values{"from": {"2024-01-10"}, "to": {"2024-01-12"}}, time.Now(), time.UTC)
	require.NoError(t, err)
	st, err := audit.CollectStatistics(context.Background(), store, audit.Viewer{Username: "alice", Company: "acme"}, p)
	require.NoError(t, err)
	require.Len(t, st.Dates, 3)
	var total int64
	for _, d := range st.Dates {
		for _, s := range d.Services {
			for _, m := range s.Methods {
				total += m.PointsPerDay
			}
		}
	}
	assert.Equal(t, int64(1), total)
}
