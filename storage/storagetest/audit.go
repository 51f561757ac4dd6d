package storagetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse-go/gatehouse/storage"
)

func appendAudit(t reporter, e *env, r storage.AuditRecord) {
	t.Helper()
	noErr(t, e.Audit().AppendAudit(ctx(t), r), "AppendAudit(%q)", r.TraceCode)
}

func requireAudit(t reporter, e *env, want storage.AuditRecord) {
	t.Helper()
	got, err := e.Audit().GetAudit(ctx(t), want.TraceCode)
	noErr(t, err, "GetAudit(%q)", want.TraceCode)
	equal(t, normAudit(want), normAudit(got))
}

// newAudit returns a record with every field filled in and two attachments.
func newAudit(n int, company string) storage.AuditRecord {
	return storage.AuditRecord{
		TraceCode:    traceCode(n),
		Time:         fixedTime().Add(time.Duration(n) * time.Minute),
		Username:     "alice",
		Company:      company,
		Server:       "api-1",
		Service:      "UNIVERSAL",
		OperationID:  "plan_create",
		MethodGroup:  "PLAN",
		Points:       5,
		UniquePoints: 2,
		Duration:     1500 * time.Millisecond,
		Outcome:      "ok",
		ClientIP:     "203.0.113.7",
		Detail:       "created a plan",
		Attachments: []storage.Attachment{
			{Flow: storage.FlowInput, Stage: 0, ContentType: "application/json", Data: []byte(`{"plan":1}`)},
			{Flow: storage.FlowOutput, Stage: storage.MaxStage, ContentType: "text/csv", Data: []byte("a,b\n1,2\n")},
		},
	}
}

// auditFixture is the data set the query checks run on: eight records of
// company "acme" with ties on every sort field, and three of "globex" that
// share acme's usernames, services and times.
func auditFixture() []storage.AuditRecord {
	rows := []struct {
		n                           int
		company, user, svc, op, grp string
		minute                      int
		points                      int64
		ms                          int
	}{
		{1, "acme", "alice", "billing", "create", "plan", 0, 5, 100},
		{2, "acme", "bob", "billing", "read", "fact", 1, 3, 300},
		{3, "acme", "alice", "crm", "read", "plan", 2, 5, 100},
		{4, "acme", "carol", "crm", "update", "plan", 2, 1, 200},
		{5, "acme", "bob", "analytics", "create", "fact", 3, 8, 100},
		{6, "acme", "alice", "billing", "read", "fact", 4, 3, 50},
		{7, "acme", "carol", "analytics", "read", "plan", 5, 0, 300},
		{8, "acme", "alice", "crm", "create", "plan", 5, 5, 200},
		{9, "globex", "alice", "billing", "create", "plan", 0, 5, 100},
		{10, "globex", "dave", "crm", "read", "fact", 3, 2, 100},
		{11, "globex", "alice", "billing", "read", "fact", 4, 3, 100},
	}
	out := make([]storage.AuditRecord, len(rows))
	for i, r := range rows {
		out[i] = storage.AuditRecord{
			TraceCode: traceCode(r.n), Time: fixedTime().Add(time.Duration(r.minute) * time.Minute),
			Username: r.user, Company: r.company, Server: "api-1", Service: r.svc,
			OperationID: r.op, MethodGroup: r.grp, Points: r.points, UniquePoints: r.points / 2,
			Duration: time.Duration(r.ms) * time.Millisecond, Outcome: "ok",
		}
	}
	out[0].Attachments = newAudit(1, "acme").Attachments
	return out
}

// sortAudit orders records as QueryAudit must: by field, then time, then
// trace code, all reversed when descending.
func sortAudit(rs []storage.AuditRecord, field storage.AuditSortField, desc bool) {
	by := map[storage.AuditSortField]func(a, b storage.AuditRecord) int{
		storage.SortByTime:        func(a, b storage.AuditRecord) int { return a.Time.Compare(b.Time) },
		storage.SortByUsername:    func(a, b storage.AuditRecord) int { return cmp.Compare(a.Username, b.Username) },
		storage.SortByService:     func(a, b storage.AuditRecord) int { return cmp.Compare(a.Service, b.Service) },
		storage.SortByOperationID: func(a, b storage.AuditRecord) int { return cmp.Compare(a.OperationID, b.OperationID) },
		storage.SortByMethodGroup: func(a, b storage.AuditRecord) int { return cmp.Compare(a.MethodGroup, b.MethodGroup) },
		storage.SortByPoints:      func(a, b storage.AuditRecord) int { return cmp.Compare(a.Points, b.Points) },
		storage.SortByDuration:    func(a, b storage.AuditRecord) int { return cmp.Compare(a.Duration, b.Duration) },
	}[field]
	slices.SortFunc(rs, func(a, b storage.AuditRecord) int {
		c := cmp.Or(by(a, b), a.Time.Compare(b.Time), cmp.Compare(a.TraceCode, b.TraceCode))
		if desc {
			return -c
		}
		return c
	})
}

// traceCodes returns the records' trace codes in order.
func traceCodes(rs []storage.AuditRecord) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.TraceCode
	}
	return out
}

// queryAudit runs q and requires it to succeed.
func queryAudit(t reporter, e *env, q storage.AuditQuery) storage.AuditPage {
	t.Helper()
	p, err := e.Audit().QueryAudit(ctx(t), q)
	noErr(t, err, "QueryAudit(%+v)", q)
	return p
}

// loadFixture appends the fixture and returns it.
func loadFixture(t reporter, e *env) []storage.AuditRecord {
	t.Helper()
	rs := auditFixture()
	for _, r := range rs {
		appendAudit(t, e, r)
	}
	return rs
}

// selectAudit returns the fixture records with these numbers, in time order.
func selectAudit(rs []storage.AuditRecord, ns ...int) []string {
	var out []storage.AuditRecord
	for _, n := range ns {
		for _, r := range rs {
			if r.TraceCode == traceCode(n) {
				out = append(out, r)
			}
		}
	}
	sortAudit(out, storage.SortByTime, false)
	return traceCodes(out)
}

func auditRecordChecks() []check {
	return []check{
		{"a store should append an audit record and return it with its attachments", func(t reporter, e *env) {
			r := newAudit(1, "acme")
			appendAudit(t, e, r)
			requireAudit(t, e, r)
			bare := storage.AuditRecord{TraceCode: traceCode(2), Time: fixedTime(), Company: "acme"}
			appendAudit(t, e, bare)
			requireAudit(t, e, bare)
		}},
		{"a store should return an audit record's time in UTC", func(t reporter, e *env) {
			r := newAudit(1, "acme")
			r.Time = r.Time.In(time.FixedZone("UTC+5", 5*3600))
			appendAudit(t, e, r)
			got, err := e.Audit().GetAudit(ctx(t), r.TraceCode)
			noErr(t, err)
			isTrue(t, got.Time.Equal(r.Time), "time %v, appended %v", got.Time, r.Time)
			equal(t, time.UTC, got.Time.Location())
		}},
		{"a store should return ErrNotFound for a missing audit record or attachment", func(t reporter, e *env) {
			r := newAudit(1, "acme")
			appendAudit(t, e, r)
			_, err := e.Audit().GetAudit(ctx(t), traceCode(2))
			errIs(t, err, storage.ErrNotFound, "GetAudit")
			_, err = e.Audit().Attachment(ctx(t), traceCode(2), storage.FlowInput, 0)
			errIs(t, err, storage.ErrNotFound, "Attachment of a missing record")
			for _, k := range []struct {
				flow  storage.Flow
				stage int
			}{{storage.FlowInput, 1}, {storage.FlowOutput, 0}, {storage.FlowInput, storage.MaxStage}} {
				_, err = e.Audit().Attachment(ctx(t), r.TraceCode, k.flow, k.stage)
				errIs(t, err, storage.ErrNotFound, "Attachment %s/%d", k.flow, k.stage)
			}
		}},
		{"a store should return each attachment of an audit record by flow and stage", func(t reporter, e *env) {
			r := newAudit(1, "acme")
			r.Attachments = nil
			for _, f := range []storage.Flow{storage.FlowInput, storage.FlowOutput} {
				for s := 0; s <= storage.MaxStage; s++ {
					r.Attachments = append(r.Attachments, storage.Attachment{
						Flow: f, Stage: s, ContentType: fmt.Sprintf("text/x-%s-%d", strings.ToLower(string(f)), s),
						Data: fmt.Appendf(nil, "%s stage %d\x00\xff", f, s),
					})
				}
			}
			r.Attachments[3].Data = nil // an attachment without data
			appendAudit(t, e, r)
			requireAudit(t, e, r)
			for _, want := range r.Attachments {
				got, err := e.Audit().Attachment(ctx(t), r.TraceCode, want.Flow, want.Stage)
				noErr(t, err, "Attachment %s/%d", want.Flow, want.Stage)
				equal(t, normAttachment(want), normAttachment(got))
			}
		}},
		{"a store should reject a duplicate trace code as ErrConflict and keep the first record", func(t reporter, e *env) {
			first := newAudit(1, "acme")
			appendAudit(t, e, first)
			second := newAudit(1, "globex")
			second.Detail = "second"
			errIs(t, e.Audit().AppendAudit(ctx(t), second), storage.ErrConflict)
			requireAudit(t, e, first)
			p := queryAudit(t, e, storage.AuditQuery{Company: "globex", Limit: 10})
			empty(t, p.Records, "the rejected record is listed")
		}},
		{"a store should reject an audit record with an empty trace code or a bad attachment as ErrInvalid and store nothing", func(t reporter, e *env) {
			empty := newAudit(1, "acme")
			empty.TraceCode = ""
			errIs(t, e.Audit().AppendAudit(ctx(t), empty), storage.ErrInvalid, "empty trace code")
			for i, atts := range [][]storage.Attachment{
				{{Flow: "SIDEWAYS", Stage: 0}},
				{{Flow: "", Stage: 0}},
				{{Flow: "input", Stage: 0}},
				{{Flow: storage.FlowInput, Stage: -1}},
				{{Flow: storage.FlowOutput, Stage: storage.MaxStage + 1}},
				{{Flow: storage.FlowInput, Stage: 1}, {Flow: storage.FlowOutput, Stage: 1}, {Flow: storage.FlowInput, Stage: 1}},
			} {
				r := newAudit(2+i, "acme")
				r.Attachments = atts
				errIs(t, e.Audit().AppendAudit(ctx(t), r), storage.ErrInvalid, "attachments %+v", atts)
				_, err := e.Audit().GetAudit(ctx(t), r.TraceCode)
				errIs(t, err, storage.ErrNotFound, "a rejected record was stored: %+v", atts)
			}
			p := queryAudit(t, e, storage.AuditQuery{Company: "acme", Limit: 100})
			equal(t, 0, p.Total, "rejected records are counted")
		}},
		{"a store should not let a caller change an audit record through a value passed in or returned", func(t reporter, e *env) {
			in := newAudit(1, "acme")
			want := in.Clone()
			appendAudit(t, e, in)
			in.Attachments[0].Data[0] = 'X'
			in.Attachments[0].ContentType = "mutated"
			requireAudit(t, e, want)

			got, err := e.Audit().GetAudit(ctx(t), want.TraceCode)
			noErr(t, err)
			for i := range got.Attachments {
				got.Attachments[i].Data[0] = 'X'
				got.Attachments[i].Stage = 2
			}
			att, err := e.Audit().Attachment(ctx(t), want.TraceCode, storage.FlowInput, 0)
			noErr(t, err)
			att.Data[0] = 'X'
			p := queryAudit(t, e, storage.AuditQuery{Company: "acme", Limit: 10})
			hasLen(t, p.Records, 1)
			p.Records[0].Username = "mutated"
			for i := range p.Records[0].Attachments {
				p.Records[0].Attachments[i].ContentType = "mutated"
			}
			requireAudit(t, e, want)
			att, err = e.Audit().Attachment(ctx(t), want.TraceCode, storage.FlowInput, 0)
			noErr(t, err)
			equal(t, want.Attachments[0].Data, att.Data)
		}},
	}
}
