package storagetest

import (
	"fmt"
	"slices"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

func auditQueryChecks() []check {
	return []check{
		{"a store should sort audit records by every sort field, ascending and descending, breaking ties by time then trace code", func(t reporter, e *env) {
			rs := loadFixture(t, e)
			acme := slices.DeleteFunc(slices.Clone(rs), func(r storage.AuditRecord) bool { return r.Company != "acme" })
			for _, field := range storage.AuditSortFields {
				for _, desc := range []bool{false, true} {
					run(t, fmt.Sprintf("%s descending=%v", field, desc), func(t reporter) {
						want := slices.Clone(acme)
						sortAudit(want, field, desc)
						p := queryAudit(t, e, storage.AuditQuery{Company: "acme", SortField: field, Descending: desc, Limit: 100})
						equal(t, traceCodes(want), traceCodes(p.Records))
					})
				}
			}
			run(t, "default field is time", func(t reporter) {
				want := slices.Clone(acme)
				sortAudit(want, storage.SortByTime, true)
				p := queryAudit(t, e, storage.AuditQuery{Company: "acme", Descending: true, Limit: 100})
				equal(t, traceCodes(want), traceCodes(p.Records))
			})
		}},
		{"a store should filter audit records by username, time range, service, operation and method group, counting Total and Filtered", func(t reporter, e *env) {
			rs := loadFixture(t, e)
			at := func(minute int) time.Time { return fixedTime().Add(time.Duration(minute) * time.Minute) }
			for _, tc := range []struct {
				name            string
				q               storage.AuditQuery
				want            []int
				total, filtered int
			}{
				{"no filter", storage.AuditQuery{}, []int{1, 2, 3, 4, 5, 6, 7, 8}, 8, 8},
				{"username", storage.AuditQuery{Username: "alice"}, []int{1, 3, 6, 8}, 4, 4},
				{"username and service", storage.AuditQuery{Username: "alice", Service: "billing"}, []int{1, 6}, 4, 2},
				{"unknown username", storage.AuditQuery{Username: "dave"}, nil, 0, 0},
				{"from and to, inclusive", storage.AuditQuery{From: at(2), To: at(4)}, []int{3, 4, 5, 6}, 8, 4},
				{"from only", storage.AuditQuery{From: at(4)}, []int{6, 7, 8}, 8, 3},
				{"to only", storage.AuditQuery{To: at(1)}, []int{1, 2}, 8, 2},
				{"from = to", storage.AuditQuery{From: at(5), To: at(5)}, []int{7, 8}, 8, 2},
				{"between records", storage.AuditQuery{From: at(1).Add(time.Millisecond), To: at(2).Add(-time.Millisecond)}, nil, 8, 0},
				{"service", storage.AuditQuery{Service: "crm"}, []int{3, 4, 8}, 8, 3},
				{"operation", storage.AuditQuery{OperationID: "read"}, []int{2, 3, 6, 7}, 8, 4},
				{"method group", storage.AuditQuery{MethodGroup: "fact"}, []int{2, 5, 6}, 8, 3},
				{"every filter", storage.AuditQuery{Username: "alice", From: at(1), To: at(5), Service: "crm", OperationID: "create", MethodGroup: "plan"}, []int{8}, 4, 1},
				{"no match", storage.AuditQuery{Service: "billing", MethodGroup: "nothing"}, nil, 8, 0},
			} {
				run(t, tc.name, func(t reporter) {
					q := tc.q
					q.Company, q.Limit = "acme", 100
					p := queryAudit(t, e, q)
					equal(t, selectAudit(rs, tc.want...), traceCodes(p.Records), "records")
					equal(t, tc.total, p.Total, "Total")
					equal(t, tc.filtered, p.Filtered, "Filtered")
				})
			}
		}},
		{"a store should page audit records with offset and limit, counting every match in Filtered", func(t reporter, e *env) {
			rs := loadFixture(t, e)
			all := selectAudit(rs, 1, 2, 3, 4, 5, 6, 7, 8)
			for _, tc := range []struct{ offset, limit, from, to int }{
				{0, 3, 0, 3}, {3, 3, 3, 6}, {6, 3, 6, 8}, {8, 3, 8, 8}, {100, 1, 8, 8}, {7, 1, 7, 8}, {0, 1, 0, 1},
			} {
				p := queryAudit(t, e, storage.AuditQuery{Company: "acme", Offset: tc.offset, Limit: tc.limit})
				equal(t, normSlice(all[tc.from:tc.to]), normSlice(traceCodes(p.Records)), "offset %d limit %d", tc.offset, tc.limit)
				equal(t, 8, p.Total, "Total")
				equal(t, 8, p.Filtered, "Filtered")
			}
			p := queryAudit(t, e, storage.AuditQuery{Company: "acme", Service: "billing", Offset: 1, Limit: 1})
			equal(t, selectAudit(rs, 2), traceCodes(p.Records))
			equal(t, 3, p.Filtered)
		}},
		{"a store should never return or count another company's audit records", func(t reporter, e *env) {
			rs := loadFixture(t, e)
			p := queryAudit(t, e, storage.AuditQuery{Company: "globex", Limit: 100})
			equal(t, selectAudit(rs, 9, 10, 11), traceCodes(p.Records))
			equal(t, 3, p.Total)
			equal(t, 3, p.Filtered)
			p = queryAudit(t, e, storage.AuditQuery{Company: "globex", Username: "alice", Limit: 100})
			equal(t, selectAudit(rs, 9, 11), traceCodes(p.Records))
			equal(t, 2, p.Total)
			p = queryAudit(t, e, storage.AuditQuery{Company: "acme", Username: "dave", Limit: 100})
			empty(t, p.Records)
			equal(t, 0, p.Total)
			for _, company := range []string{"initech", "acm", "acme ", "ACME", "acm%", "acm_", "*", "%", "acme,globex", "acme' OR '1'='1"} {
				p = queryAudit(t, e, storage.AuditQuery{Company: company, Limit: 100})
				empty(t, p.Records, "company %q", company)
				equal(t, 0, p.Total, "company %q", company)
			}
		}},
		{"a store should return audit query records without attachment data but with content type, flow and stage", func(t reporter, e *env) {
			rs := loadFixture(t, e)
			p := queryAudit(t, e, storage.AuditQuery{Company: "acme", Limit: 100})
			hasLen(t, p.Records, 8)
			byCode := map[string]storage.AuditRecord{}
			for _, r := range rs {
				byCode[r.TraceCode] = r
			}
			for _, got := range p.Records {
				for _, a := range got.Attachments {
					empty(t, a.Data, "record %s attachment %s/%d carries data", got.TraceCode, a.Flow, a.Stage)
				}
				equal(t, stripData(byCode[got.TraceCode]), stripData(got))
			}
			requireAudit(t, e, rs[0]) // the data is still stored
		}},
		{"a store should reject an audit query without a company, with Limit < 1, a negative offset or an unknown sort field as ErrInvalid", func(t reporter, e *env) {
			loadFixture(t, e)
			for _, q := range []storage.AuditQuery{
				{Limit: 10},
				{Company: "acme"},
				{Company: "acme", Limit: -1},
				{Company: "acme", Offset: -1, Limit: 10},
				{Company: "acme", Limit: 10, SortField: "trace_code"},
				{Company: "acme", Limit: 10, SortField: "Time"},
				{Company: "acme", Limit: 10, SortField: "time; DROP TABLE audit"},
			} {
				_, err := e.Audit().QueryAudit(ctx(t), q)
				errIs(t, err, storage.ErrInvalid, "%+v", q)
			}
		}},
	}
}
