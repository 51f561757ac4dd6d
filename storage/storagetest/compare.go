package storagetest

import (
	"cmp"
	"slices"
	"time"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/user"
)

// The norm functions return deep copies of values in a canonical form, so
// that values equal as a database sees them compare equal with equal
// (reflect.DeepEqual): times in UTC without a monotonic reading, empty
// slices and maps as nil, attachments ordered by flow and stage.

func normTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

func normSlice[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func normMap[M ~map[K]V, K comparable, V any](m M) M {
	if len(m) == 0 {
		return nil
	}
	c := make(M, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

func normUser(u user.User) user.User {
	u.Roles = normSlice(u.Roles)
	u.Attributes = normMap(u.Attributes)
	u.Parameters = normMap(u.Parameters)
	u.PasswordChangedAt = normTime(u.PasswordChangedAt)
	u.ResetExpiresAt = normTime(u.ResetExpiresAt)
	if len(u.RecoveryCodes) == 0 {
		u.RecoveryCodes = nil
	}
	u.CreatedAt = normTime(u.CreatedAt)
	u.UpdatedAt = normTime(u.UpdatedAt)
	return u
}

func normUsers(us []user.User) []user.User {
	out := make([]user.User, len(us))
	for i, u := range us {
		out[i] = normUser(u)
	}
	return out
}

func normRole(r permissions.Role) permissions.Role {
	r.Base = normSlice(r.Base)
	r.Params = normSlice(r.Params)
	r.Specifics = normSlice(r.Specifics)
	r.Quotas = normSlice(r.Quotas)
	if len(r.Entities) == 0 {
		r.Entities = nil
	} else {
		e := make(map[string][]permissions.Op, len(r.Entities))
		for k, v := range r.Entities {
			e[k] = normSlice(v)
		}
		r.Entities = e
	}
	if len(r.Attributes) == 0 {
		r.Attributes = nil
	} else {
		a := make(map[string]map[string]permissions.Access, len(r.Attributes))
		for k, v := range r.Attributes {
			a[k] = normMap(v)
		}
		r.Attributes = a
	}
	return r
}

func normRoles(rs []permissions.Role) []permissions.Role {
	out := make([]permissions.Role, len(rs))
	for i, r := range rs {
		out[i] = normRole(r)
	}
	return out
}

func normSchema(s storage.Schema) storage.Schema {
	if len(s) == 0 {
		return nil
	}
	c := make(storage.Schema, len(s))
	for k, v := range s {
		c[k] = normSlice(v)
	}
	return c
}

func normSession(s storage.Session) storage.Session {
	s.CreatedAt = normTime(s.CreatedAt)
	s.ExpiresAt = normTime(s.ExpiresAt)
	s.LastSeenAt = normTime(s.LastSeenAt)
	return s
}

func normSessions(ss []storage.Session) []storage.Session {
	out := make([]storage.Session, len(ss))
	for i, s := range ss {
		out[i] = normSession(s)
	}
	return out
}

func normAttachment(a storage.Attachment) storage.Attachment {
	a.Data = normSlice(a.Data)
	return a
}

func normAudit(r storage.AuditRecord) storage.AuditRecord {
	r.Time = normTime(r.Time)
	if len(r.Attachments) == 0 {
		r.Attachments = nil
		return r
	}
	atts := make([]storage.Attachment, len(r.Attachments))
	for i, a := range r.Attachments {
		atts[i] = normAttachment(a)
	}
	slices.SortFunc(atts, func(a, b storage.Attachment) int {
		return cmp.Or(cmp.Compare(a.Flow, b.Flow), cmp.Compare(a.Stage, b.Stage))
	})
	r.Attachments = atts
	return r
}

// stripData returns r as a query page carries it: attachments without data.
func stripData(r storage.AuditRecord) storage.AuditRecord {
	r = normAudit(r)
	for i := range r.Attachments {
		r.Attachments[i].Data = nil
	}
	return r
}
