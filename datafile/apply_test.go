package datafile_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
)

// The tests of this file check who owns a role or parameter: the data file
// owns those it names and those it used to name; everything created at run
// time is the host's, and applying the file leaves it alone.

// withExtra is the test data file plus a role "extra" and a parameter
// "extra".
func withExtra(t *testing.T) *datafile.File {
	t.Helper()
	d, err := datafile.Parse(edit(t, func(m map[string]any) {
		m["roles"] = append(list(m["roles"]), map[string]any{"code": "extra", "title": "From the file", "specifics": []any{"report_gen"}})
		m["parameters"] = append(list(m["parameters"]), map[string]any{"code": "extra", "title": "From the file", "value": "file"})
	}))
	require.NoError(t, err)
	return d
}

func plain(t *testing.T) *datafile.File {
	t.Helper()
	d, err := datafile.Parse(readTestData(t))
	require.NoError(t, err)
	return d
}

func apply(t *testing.T, d *datafile.File, store storage.Store) datafile.Report {
	t.Helper()
	rep, err := d.Apply(context.Background(), store, testHasher(t), fixedNow)
	require.NoError(t, err)
	return rep
}

func getRole(t *testing.T, store storage.Store, code string) permissions.Role {
	t.Helper()
	r, err := store.Roles().GetRole(context.Background(), code)
	require.NoError(t, err, "role %q", code)
	return r
}

func getParameter(t *testing.T, store storage.Store, code string) (storage.Parameter, bool) {
	t.Helper()
	ps, err := store.Parameters().ListParameters(context.Background())
	require.NoError(t, err)
	for _, p := range ps {
		if p.Code == code {
			return p, true
		}
	}
	return storage.Parameter{}, false
}

func TestApplyMarksWhatTheFileNamesAsFromTheDataFile(t *testing.T) {
	store := memstore.New(memstore.Config{})
	d := plain(t)
	apply(t, d, store)
	roles, err := store.Roles().ListRoles(context.Background())
	require.NoError(t, err)
	require.Len(t, roles, 2)
	for _, r := range roles {
		assert.True(t, r.FromDataFile, "role %q", r.Code)
	}
	params, err := store.Parameters().ListParameters(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, params)
	for _, p := range params {
		assert.True(t, p.FromDataFile, "parameter %q", p.Code)
	}
	// Apply marks what it stores, not the file: the file is unchanged and
	// its JSON shape has no origin.
	for _, r := range d.Roles {
		assert.False(t, r.FromDataFile)
	}
	b, err := json.Marshal(permissions.Role{Code: "x", FromDataFile: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"code":"x"}`, string(b))
	b, err = json.Marshal(storage.Parameter{Code: "x", FromDataFile: true})
	require.NoError(t, err)
	assert.JSONEq(t, `{"code":"x","value":""}`, string(b))
	_, err = datafile.Parse(edit(t, func(m map[string]any) { obj(list(m["roles"])[0])["FromDataFile"] = false }))
	assert.Error(t, err, "the origin is not a field of the data file")
}

func TestApplyKeepsRolesAndParametersCreatedAtRunTime(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	apply(t, plain(t), store)
	custom := permissions.Role{Code: "custom", Title: "Made at run time", Base: []string{"viewer"}, Specifics: []string{"report_gen"}}
	require.NoError(t, store.Roles().PutRole(ctx, custom))
	param := storage.Parameter{Code: "custom", Value: "run time"}
	require.NoError(t, store.Parameters().PutParameter(ctx, param))

	for range 2 {
		rep := apply(t, plain(t), store)
		assert.Equal(t, datafile.Report{ParametersPut: 4, ParametersKept: 1, RolesPut: 2, RolesKept: 1, UsersKept: 3}, rep)
		assert.Equal(t, custom, getRole(t, store, "custom"), "a run-time role is neither deleted nor changed")
		p, ok := getParameter(t, store, "custom")
		assert.True(t, ok, "a run-time parameter is not deleted")
		assert.Equal(t, param, p)
	}
}

func TestApplyDeletesWhatTheFileNoLongerNames(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	apply(t, withExtra(t), store)
	assert.True(t, getRole(t, store, "extra").FromDataFile)
	v, err := store.Roles().PolicyVersion(ctx)
	require.NoError(t, err)

	rep := apply(t, plain(t), store)
	assert.Equal(t, datafile.Report{ParametersPut: 4, ParametersDeleted: 1, RolesPut: 2, RolesDeleted: 1, UsersKept: 3}, rep)
	_, err = store.Roles().GetRole(ctx, "extra")
	require.ErrorIs(t, err, storage.ErrNotFound, "a role the file used to name is deleted")
	_, ok := getParameter(t, store, "extra")
	assert.False(t, ok, "a parameter the file used to name is deleted")
	v2, err := store.Roles().PolicyVersion(ctx)
	require.NoError(t, err)
	assert.NotEqual(t, v, v2, "the policy version changes with the roles")
}

func TestApplyTakesOverARoleOrParameterItNames(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	apply(t, plain(t), store)
	require.NoError(t, store.Roles().PutRole(ctx, permissions.Role{Code: "extra", Title: "Made at run time"}))
	require.NoError(t, store.Parameters().PutParameter(ctx, storage.Parameter{Code: "extra", Value: "run time"}))

	d := withExtra(t)
	rep := apply(t, d, store)
	assert.Equal(t, 5, rep.ParametersPut)
	assert.Equal(t, 3, rep.RolesPut)
	assert.Zero(t, rep.RolesKept+rep.ParametersKept+rep.RolesDeleted+rep.ParametersDeleted)
	want := d.Roles[2]
	want.FromDataFile = true
	assert.Equal(t, want, getRole(t, store, "extra"), "the file owns the roles it names")
	p, _ := getParameter(t, store, "extra")
	assert.Equal(t, storage.Parameter{Code: "extra", Title: "From the file", Value: "file", FromDataFile: true}, p)
	var places []string
	for _, w := range rep.Warnings {
		places = append(places, w.Place)
		assert.Contains(t, w.Message, "created or changed at run time")
	}
	assert.ElementsMatch(t, []string{"parameters[4]", "roles[2]"}, places)

	// Now the file's, they go when the file drops them.
	rep = apply(t, plain(t), store)
	assert.Equal(t, 1, rep.RolesDeleted)
	assert.Equal(t, 1, rep.ParametersDeleted)
	_, err := store.Roles().GetRole(ctx, "extra")
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func TestApplyKeepsADroppedRoleThatARunTimeRoleIncludes(t *testing.T) {
	ctx := context.Background()
	store := memstore.New(memstore.Config{})
	d, err := datafile.Parse(edit(t, func(m map[string]any) {
		m["roles"] = append(list(m["roles"]),
			map[string]any{"code": "extra", "base": []any{"extra_base"}},
			map[string]any{"code": "extra_base", "specifics": []any{"report_gen"}},
			map[string]any{"code": "unused"})
	}))
	require.NoError(t, err)
	apply(t, d, store)
	require.NoError(t, store.Roles().PutRole(ctx, permissions.Role{Code: "custom", Base: []string{"extra"}}))

	rep := apply(t, plain(t), store)
	assert.Equal(t, 1, rep.RolesDeleted, "unused")
	assert.Equal(t, 3, rep.RolesKept, "custom, and extra and extra_base that it includes")
	require.Len(t, rep.Warnings, 2)
	for _, w := range rep.Warnings {
		assert.Contains(t, w.Message, `role "custom", created at run time, includes it`)
	}
	roles, err := store.Roles().ListRoles(ctx)
	require.NoError(t, err)
	require.NoError(t, permissions.ValidateRoles(roles), "every base role is still there")

	// Once custom no longer includes it, the file's dropped roles go.
	require.NoError(t, store.Roles().PutRole(ctx, permissions.Role{Code: "custom"}))
	rep = apply(t, plain(t), store)
	assert.Equal(t, 2, rep.RolesDeleted)
	assert.Equal(t, 1, rep.RolesKept)
	assert.Empty(t, rep.Warnings)
}
