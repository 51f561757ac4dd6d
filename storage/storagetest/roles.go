package storagetest

import (
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
)

func putRole(t reporter, e *env, r permissions.Role) {
	t.Helper()
	noErr(t, e.Roles().PutRole(ctx(t), r), "PutRole(%q)", r.Code)
}

func requireRole(t reporter, e *env, want permissions.Role) {
	t.Helper()
	got, err := e.Roles().GetRole(ctx(t), want.Code)
	noErr(t, err, "GetRole(%q)", want.Code)
	equal(t, normRole(want), normRole(got))
}

func roleChecks() []check {
	return []check{
		{"a store should change the policy version with every role put or deleted, and only then", func(t reporter, e *env) {
			roles := e.Roles()
			version := func() int64 {
				t.Helper()
				v, err := roles.PolicyVersion(ctx(t))
				noErr(t, err)
				return v
			}
			seen := map[int64]bool{}
			v0 := version()
			seen[v0] = true
			putRole(t, e, newRole("sales"))
			v1 := version()
			isFalse(t, seen[v1], "a put must change the version")
			seen[v1] = true
			_, err := roles.GetRole(ctx(t), "sales")
			noErr(t, err)
			_, err = roles.ListRoles(ctx(t))
			noErr(t, err)
			equal(t, v1, version(), "reads must not change the version")
			putRole(t, e, permissions.Role{Code: "sales", Title: "Changed"})
			v2 := version()
			isFalse(t, seen[v2], "replacing a role must change the version")
			seen[v2] = true
			noErr(t, roles.DeleteRole(ctx(t), "sales"))
			v3 := version()
			isFalse(t, seen[v3], "a delete must change the version")
			errIs(t, roles.DeleteRole(ctx(t), "sales"), storage.ErrNotFound)
			equal(t, v3, version(), "a failed delete must not change the version")
		}},
		{"a store should put a role and return it as it was put", func(t reporter, e *env) {
			r := newRole("sales")
			putRole(t, e, r)
			requireRole(t, e, r)
			bare := permissions.Role{Code: "bare"}
			putRole(t, e, bare)
			requireRole(t, e, bare)
		}},
		{"a store should replace a role put again with the same code", func(t reporter, e *env) {
			putRole(t, e, newRole("sales"))
			r := permissions.Role{Code: "sales", Title: "Replaced", Specifics: []string{"other"}}
			putRole(t, e, r)
			requireRole(t, e, r)
			list, err := e.Roles().ListRoles(ctx(t))
			noErr(t, err)
			equal(t, []permissions.Role{normRole(r)}, normRoles(list))
		}},
		{"a store should list every role ordered by code", func(t reporter, e *env) {
			codes := []string{"viewer", "admin", "sales", "auditor", "sales_eu"}
			want := map[string]permissions.Role{}
			for _, c := range codes {
				want[c] = newRole(c)
				putRole(t, e, want[c])
			}
			list, err := e.Roles().ListRoles(ctx(t))
			noErr(t, err)
			var order []permissions.Role
			for _, c := range []string{"admin", "auditor", "sales", "sales_eu", "viewer"} {
				order = append(order, normRole(want[c]))
			}
			equal(t, order, normRoles(list))
		}},
		{"a store should list no roles when none was put", func(t reporter, e *env) {
			list, err := e.Roles().ListRoles(ctx(t))
			noErr(t, err)
			empty(t, list)
		}},
		{"a store should delete a role and return ErrNotFound for a missing one", func(t reporter, e *env) {
			putRole(t, e, newRole("sales"))
			putRole(t, e, newRole("viewer"))
			noErr(t, e.Roles().DeleteRole(ctx(t), "sales"))
			_, err := e.Roles().GetRole(ctx(t), "sales")
			errIs(t, err, storage.ErrNotFound, "GetRole after delete")
			errIs(t, e.Roles().DeleteRole(ctx(t), "sales"), storage.ErrNotFound, "second delete")
			_, err = e.Roles().GetRole(ctx(t), "nobody")
			errIs(t, err, storage.ErrNotFound, "GetRole of a missing role")
			requireRole(t, e, newRole("viewer"))
		}},
		{"a store should reject a role with an empty code as ErrInvalid", func(t reporter, e *env) {
			errIs(t, e.Roles().PutRole(ctx(t), permissions.Role{Title: "no code"}), storage.ErrInvalid)
			list, err := e.Roles().ListRoles(ctx(t))
			noErr(t, err)
			empty(t, list)
		}},
		{"a store should store a role without validating its grants", func(t reporter, e *env) {
			r := permissions.Role{Code: "odd", Base: []string{"missing", "odd"}, Entities: map[string][]permissions.Op{"": {permissions.OpDelete}}}
			putRole(t, e, r)
			requireRole(t, e, r)
		}},
		{"a store should keep whether a role came from the data file", func(t reporter, e *env) {
			file := newRole("sales")
			file.FromDataFile = true
			putRole(t, e, file)
			putRole(t, e, newRole("custom"))
			requireRole(t, e, file)
			requireRole(t, e, newRole("custom"))
			list, err := e.Roles().ListRoles(ctx(t))
			noErr(t, err)
			equal(t, []permissions.Role{normRole(newRole("custom")), normRole(file)}, normRoles(list), "ListRoles")
			// Put again, a role takes the new origin, either way.
			putRole(t, e, newRole("sales"))
			requireRole(t, e, newRole("sales"))
			file = newRole("custom")
			file.FromDataFile = true
			putRole(t, e, file)
			requireRole(t, e, file)
		}},
		{"a store should not let a caller change a role through a value passed in or returned", func(t reporter, e *env) {
			in := newRole("sales")
			want := newRole("sales")
			putRole(t, e, in)
			mutateRole(&in)
			requireRole(t, e, want)

			got, err := e.Roles().GetRole(ctx(t), "sales")
			noErr(t, err)
			mutateRole(&got)
			list, err := e.Roles().ListRoles(ctx(t))
			noErr(t, err)
			hasLen(t, list, 1)
			mutateRole(&list[0])
			requireRole(t, e, want)
		}},
	}
}

// mutateRole changes every slice and map of r in place.
func mutateRole(r *permissions.Role) {
	for i := range r.Base {
		r.Base[i] = "mutated"
	}
	for i := range r.Params {
		r.Params[i].Value = "mutated"
	}
	for i := range r.Specifics {
		r.Specifics[i] = "mutated"
	}
	for i := range r.Quotas {
		r.Quotas[i].PointsPerDay = -1
	}
	for k, ops := range r.Entities {
		for i := range ops {
			ops[i] = permissions.OpDelete
		}
		r.Entities[k] = append(ops, permissions.OpUpdate)
	}
	if r.Entities != nil {
		r.Entities["Added"] = []permissions.Op{permissions.OpRead}
	}
	for _, attrs := range r.Attributes {
		for k := range attrs {
			attrs[k] = permissions.Hidden
		}
		attrs["added"] = permissions.Modify
	}
	r.Title = "mutated"
}
