package storagetest

import (
	"fmt"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
)

func hostileUserChecks() []check {
	return []check{
		{"a store should keep hostile strings in a user's name, roles, attributes and parameters byte for byte", func(t reporter, e *env) {
			h := hostile()
			u := newUser("u1", "alice", "acme")
			u.Name, u.Email, u.Phone = h[len(h)-1], h[0], h[4]
			u.Roles = hostileCodes()
			u.Attributes = map[string]string{}
			u.Parameters = map[string]string{}
			for i, s := range h {
				u.Attributes[s] = h[(i+1)%len(h)]
				u.Parameters[s] = h[(i+2)%len(h)]
			}
			got := createUser(t, e, u)
			want := u
			want.Version, want.CreatedAt, want.UpdatedAt = got.Version, got.CreatedAt, got.UpdatedAt
			requireUser(t, e, want)
			list, err := e.Users().ListUsers(ctx(t), storage.UserQuery{Company: "acme", Limit: 10})
			noErr(t, err)
			hasLen(t, list, 1)
			equal(t, normUser(want), normUser(list[0]))
		}},
	}
}

func hostileRoleChecks() []check {
	return []check{
		{"a store should keep roles with hostile codes and contents byte for byte, each apart", func(t reporter, e *env) {
			var want []permissions.Role
			for _, code := range hostileCodes() {
				r := newRole(code)
				r.Title = code
				r.Base = []string{code}
				r.Params = []permissions.Param{{Code: code, Value: code}}
				r.Entities = map[string][]permissions.Op{code: {permissions.OpRead}}
				r.Attributes = map[string]map[string]permissions.Access{code: {code: permissions.Read}}
				r.Specifics = []string{code}
				r.Quotas = []permissions.Quota{{Service: code, MethodGroup: code, PointsPerDay: 1}}
				putRole(t, e, r)
				want = append(want, r)
			}
			for _, r := range want {
				requireRole(t, e, r)
			}
			list, err := e.Roles().ListRoles(ctx(t))
			noErr(t, err)
			elementsMatch(t, normRoles(want), normRoles(list))
			noErr(t, e.Roles().DeleteRole(ctx(t), want[0].Code))
			list, err = e.Roles().ListRoles(ctx(t))
			noErr(t, err)
			elementsMatch(t, normRoles(want[1:]), normRoles(list), "deleting one hostile code removed others")
		}},
	}
}

func hostileParameterChecks() []check {
	return []check{
		{"a store should keep parameters and a schema with hostile codes and values byte for byte, each apart", func(t reporter, e *env) {
			var want []storage.Parameter
			schema := storage.Schema{}
			values := hostile()
			for i, code := range hostileCodes() {
				p := storage.Parameter{Code: code, Title: values[i], Value: values[len(values)-1-i]}
				putParameter(t, e, p)
				want = append(want, p)
				schema[values[i]] = []string{values[i], code}
			}
			got, err := e.Parameters().ListParameters(ctx(t))
			noErr(t, err)
			elementsMatch(t, want, got)
			noErr(t, e.Parameters().DeleteParameter(ctx(t), want[0].Code))
			got, err = e.Parameters().ListParameters(ctx(t))
			noErr(t, err)
			elementsMatch(t, want[1:], got, "deleting one hostile code removed others")
			noErr(t, e.Parameters().PutSchema(ctx(t), schema))
			requireSchema(t, e, schema)
		}},
	}
}

func hostileSessionChecks() []check {
	return []check{
		{"a store should keep hostile strings in a session byte for byte", func(t reporter, e *env) {
			h := hostile()
			for i, s := range h {
				x := newSession(i, "u1", e.now().Add(time.Duration(i)*time.Millisecond))
				x.UserAgent = s
				x.ClientIP = h[len(h)-1-i]
				createSession(t, e, x)
				requireSession(t, e, x)
			}
			list, err := e.Sessions().ListSessions(ctx(t), "u1")
			noErr(t, err)
			hasLen(t, list, len(h))
		}},
	}
}

func hostileAuditChecks() []check {
	return []check{
		{"a store should keep hostile strings in audit records byte for byte and match them exactly in queries", func(t reporter, e *env) {
			h := hostile()
			var recs []storage.AuditRecord
			for i, s := range h {
				r := newAudit(i+1, s)
				r.Username, r.Server, r.Service, r.OperationID, r.MethodGroup = s, s, s, s, s
				r.Outcome, r.ClientIP, r.Detail = s, s, s
				r.Attachments[0].ContentType = s
				r.Attachments[0].Data = []byte(s)
				appendAudit(t, e, r)
				recs = append(recs, r)
			}
			for i, r := range recs {
				requireAudit(t, e, r)
				p := queryAudit(t, e, storage.AuditQuery{
					Company: r.Company, Username: r.Username, Service: r.Service,
					OperationID: r.OperationID, MethodGroup: r.MethodGroup, Limit: 100,
				})
				equal(t, []string{r.TraceCode}, traceCodes(p.Records), "company %q", r.Company)
				equal(t, 1, p.Total, "Total for company %q", r.Company)
				equal(t, stripData(r), stripData(p.Records[0]))
				att, err := e.Audit().Attachment(ctx(t), r.TraceCode, storage.FlowInput, 0)
				noErr(t, err)
				equal(t, []byte(h[i]), att.Data)
			}
		}},
	}
}

func hostileCounterChecks() []check {
	return []check{
		{"a store should keep counters and slots with hostile keys and holders apart", func(t reporter, e *env) {
			keys := append(hostile(), "k", "k*", "k:", "k?", "k%", "k_", "K")
			for i, k := range keys {
				equal(t, int64(i+1), increment(t, e, k, int64(i+1), time.Hour), "key %q", k)
				isTrue(t, acquire(t, e, k, k, len(keys), time.Hour), "slot key %q", k)
				for j := 0; j < i%3; j++ {
					isTrue(t, acquire(t, e, k, fmt.Sprintf("%s#%d", k, j), len(keys), time.Hour))
				}
			}
			for i, k := range keys {
				v, _, err := e.Counters().Counter(ctx(t), k)
				noErr(t, err, "key %q", k)
				equal(t, int64(i+1), v, "key %q", k)
				equal(t, 1+i%3, slots(t, e, k), "slots of key %q", k)
			}
			isTrue(t, counterGone(t, e, "k\n"), "a key that was never incremented")
			noErr(t, e.Counters().ResetCounter(ctx(t), "k*"))
			noErr(t, e.Counters().ReleaseSlot(ctx(t), "k*", "k*"))
			for i, k := range keys {
				if k == "k*" {
					continue
				}
				v, _, err := e.Counters().Counter(ctx(t), k)
				noErr(t, err, "resetting \"k*\" reset %q", k)
				equal(t, int64(i+1), v, "key %q", k)
				equal(t, 1+i%3, slots(t, e, k), "releasing in \"k*\" released in %q", k)
			}
		}},
	}
}
