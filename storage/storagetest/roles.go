package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
)

func putRole(t *testing.T, e *env, r permissions.Role) {
	t.Helper()
	require.NoError(t, e.store.Roles().PutRole(ctx(t), r), "PutRole(%q)", r.Code)
}

func requireRole(t *testing.T, e *env, want permissions.Role) {
	t.Helper()
	got, err := e.store.Roles().GetRole(ctx(t), want.Code)
	require.NoError(t, err, "GetRole(%q)", want.Code)
	require.Equal(t, normRole(want), normRole(got))
}

func roleChecks() []check {
	return []check{
		{"a store should change the policy version with every role put or deleted, and only then", func(t *testing.T, e *env) {
			roles := e.store.Roles()
			version := func() int64 {
				t.Helper()
				v, err := roles.PolicyVersion(ctx(t))
				require.NoError(t, err)
				return v
			}
			seen := map[int64]bool{}
			v0 := version()
			seen[v0] = true
			putRole(t, e, newRole("sales"))
			v1 := version()
			require.False(t, seen[v1], "a put must change the version")
			seen[v1] = true
			_, err := roles.GetRole(ctx(t), "sales")
			require.NoError(t, err)
			_, err = roles.ListRoles(ctx(t))
			require.NoError(t, err)
			require.Equal(t, v1, version(), "reads must not change the version")
			putRole(t, e, permissions.Role{Code: "sales", Title: "Changed"})
			v2 := version()
			require.False(t, seen[v2], "replacing a role must change the version")
			seen[v2] = true
			require.NoError(t, roles.DeleteRole(ctx(t), "sales"))
			v3 := version()
			require.False(t, seen[v3], "a delete must change the version")
			require.ErrorIs(t, roles.DeleteRole(ctx(t), "sales"), storage.ErrNotFound)
			require.Equal(t, v3, version(), "a failed delete must not change the version")
		}},
		{"a store should put a role and return it as it was put", func(t *testing.T, e *env) {
			r := newRole("sales")
			putRole(t, e, r)
			requireRole(t, e, r)
			bare := permissions.Role{Code: "bare"}
			putRole(t, e, bare)
			requireRole(t, e, bare)
		}},
		{"a store should replace a role put again with the same code", func(t *testing.T, e *env) {
			putRole(t, e, newRole("sales"))
			r := permissions.Role{Code: "sales", Title: "Replaced", Specifics: []string{"other"}}
			putRole(t, e, r)
			requireRole(t, e, r)
			list, err := e.store.Roles().ListRoles(ctx(t))
			require.NoError(t, err)
			require.Equal(t, []permissions.Role{normRole(r)}, normRoles(list))
		}},
		{"a store should list every role ordered by code", func(t *testing.T, e *env) {
			codes := []string{"viewer", "admin", "sales", "auditor", "sales_eu"}
			want := map[string]permissions.Role{}
			for _, c := range codes {
				want[c] = newRole(c)
				putRole(t, e, want[c])
			}
			list, err := e.store.Roles().ListRoles(ctx(t))
			require.NoError(t, err)
			var order []permissions.Role
			for _, c := range []string{"admin", "auditor", "sales", "sales_eu", "viewer"} {
				order = append(order, normRole(want[c]))
			}
			require.Equal(t, order, normRoles(list))
		}},
		{"a store should list no roles when none was put", func(t *testing.T, e *env) {
			list, err := e.store.Roles().ListRoles(ctx(t))
			require.NoError(t, err)
			require.Empty(t, list)
		}},
		{"a store should delete a role and return ErrNotFound for a missing one", func(t *testing.T, e *env) {
			putRole(t, e, newRole("sales"))
			putRole(t, e, newRole("viewer"))
			require.NoError(t, e.store.Roles().DeleteRole(ctx(t), "sales"))
			_, err := e.store.Roles().GetRole(ctx(t), "sales")
			require.ErrorIs(t, err, storage.ErrNotFound, "GetRole after delete")
			require.ErrorIs(t, e.store.Roles().DeleteRole(ctx(t), "sales"), storage.ErrNotFound, "second delete")
			_, err = e.store.Roles().GetRole(ctx(t), "nobody")
			require.ErrorIs(t, err, storage.ErrNotFound, "GetRole of a missing role")
			requireRole(t, e, newRole("viewer"))
		}},
		{"a store should reject a role with an empty code as ErrInvalid", func(t *testing.T, e *env) {
			require.ErrorIs(t, e.store.Roles().PutRole(ctx(t), permissions.Role{Title: "no code"}), storage.ErrInvalid)
			list, err := e.store.Roles().ListRoles(ctx(t))
			require.NoError(t, err)
			require.Empty(t, list)
		}},
		{"a store should store a role without validating its grants", func(t *testing.T, e *env) {
			r := permissions.Role{Code: "odd", Base: []string{"missing", "odd"}, Entities: map[string][]permissions.Op{"": {permissions.OpDelete}}}
			putRole(t, e, r)
			requireRole(t, e, r)
		}},
		{"a store should not let a caller change a role through a value passed in or returned", func(t *testing.T, e *env) {
			in := newRole("sales")
			want := newRole("sales")
			putRole(t, e, in)
			mutateRole(&in)
			requireRole(t, e, want)

			got, err := e.store.Roles().GetRole(ctx(t), "sales")
			require.NoError(t, err)
			mutateRole(&got)
			list, err := e.store.Roles().ListRoles(ctx(t))
			require.NoError(t, err)
			require.Len(t, list, 1)
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
