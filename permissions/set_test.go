package permissions_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name  string
		roles []P
		held  []string
		is    error
		names string
	}{
		{"unknown held role", []P{{Code: "a"}}, []string{"a", "ghost"}, permissions.ErrUnknownRole, `"ghost"`},
		{"unknown base role", []P{{Code: "a", Base: []string{"ghost"}}}, []string{"a"}, permissions.ErrUnknownRole, `role "a": base`},
		{"cycle", []P{{Code: "a", Base: []string{"b"}}, {Code: "b", Base: []string{"c"}}, {Code: "c", Base: []string{"a"}}},
			[]string{"a"}, permissions.ErrCycle, "a -> b -> c -> a"},
		{"self include", []P{{Code: "a", Base: []string{"a"}}}, []string{"a"}, permissions.ErrCycle, `role "a"`},
		{"duplicate code", []P{{Code: "a"}, {Code: "a"}}, []string{"a"}, permissions.ErrDuplicateRole, `role "a"`},
		{"invalid reached role", []P{{Code: "a", Base: []string{"b"}}, {Code: "b", Entities: map[string][]permissions.Op{"": ops(R)}}},
			[]string{"a"}, permissions.ErrBadName, `role "b"`},
		{"unknown op in reached role", []P{{Code: "a", Entities: map[string][]permissions.Op{"X": {permissions.Op(9)}}}},
			[]string{"a"}, permissions.ErrUnknownOp, `role "a"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := permissions.Compile(permissions.CompileConfig{Roles: tt.roles, Held: tt.held})
			require.ErrorIs(t, err, tt.is)
			assert.Nil(t, s)
			assert.Contains(t, err.Error(), tt.names)
		})
	}
}

func TestCompileIgnoresRolesNotReached(t *testing.T) {
	roles := []P{
		{Code: "a", Entities: map[string][]permissions.Op{"X": ops(R)}},
		{Code: "broken", Base: []string{"ghost"}},
	}
	s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"a"}})
	require.NoError(t, err)
	assert.True(t, s.Can("X", R))
}

func TestCompileDiamondAndRepeatedHeld(t *testing.T) {
	roles := []P{
		{Code: "top", Base: []string{"left", "right"}},
		{Code: "left", Base: []string{"root"}},
		{Code: "right", Base: []string{"root"}},
		{Code: "root", Entities: map[string][]permissions.Op{"X": ops(R)}},
	}
	s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"top", "top", "root"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"top", "left", "root", "right"}, s.Roles())
	assert.True(t, s.Can("X", R))
}

func TestSetIsImmutable(t *testing.T) {
	roles := []P{{Code: "a", Entities: map[string][]permissions.Op{"X": ops(R)},
		Attributes: attrs{"X": {"n": M}}, Params: []permissions.Param{{Code: "p", Value: "1"}},
		Specifics: []string{"s"}}}
	s := compile(t, roles, false, false)
	roles[0].Entities["X"][0] = D
	roles[0].Entities["Y"] = ops(R)
	roles[0].Attributes["X"]["n"] = H
	roles[0].Params[0].Value = "2"
	roles[0].Specifics[0] = "t"
	s.Params()[0].Value = "3"
	s.Roles()[0] = "z"

	assert.True(t, s.Can("X", R))
	assert.False(t, s.Can("Y", R))
	assert.False(t, s.Can("X", D))
	e, err := s.Explain("X:read")
	require.NoError(t, err)
	assert.Equal(t, "X [read]", e.Grant)
	assert.Equal(t, []permissions.Param{{Code: "p", Value: "1"}}, s.Params())
	assert.Equal(t, []string{"a"}, s.Roles())
	assert.Equal(t, []string{"s"}, s.Specifics())
}

func TestParams(t *testing.T) {
	roles := []P{
		{Code: "first", Base: []string{"base"}, Params: []permissions.Param{{Code: "a", Value: "first"}, {Code: "a", Value: "again"}}},
		{Code: "base", Params: []permissions.Param{{Code: "a", Value: "base"}, {Code: "b", Value: "base"}}},
		{Code: "second", Params: []permissions.Param{{Code: "b", Value: "second"}, {Code: "c", Value: "second"}}},
	}
	s, err := permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"first", "second"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"first", "base", "second"}, s.Roles())
	assert.Equal(t, []permissions.Param{
		{Code: "a", Value: "first"}, {Code: "b", Value: "base"}, {Code: "c", Value: "second"},
	}, s.Params())

	// Held order decides.
	s, err = permissions.Compile(permissions.CompileConfig{Roles: roles, Held: []string{"second", "first"}})
	require.NoError(t, err)
	assert.Equal(t, []permissions.Param{
		{Code: "b", Value: "second"}, {Code: "c", Value: "second"}, {Code: "a", Value: "first"},
	}, s.Params())
}

func TestSpecifics(t *testing.T) {
	roles := []P{
		{Code: "a", Specifics: []string{"user_lock", "entity_export_to_file"}},
		{Code: "b", Specifics: []string{"report_gen", "user_lock"}},
	}
	s := compile(t, roles, false, false)
	assert.Equal(t, []string{"entity_export_to_file", "report_gen", "user_lock"}, s.Specifics())
	assert.Empty(t, compile(t, roles, true, false).Specifics(), "read-only users have no specific permissions")
	assert.Equal(t, []string{"entity_export_to_file", "report_gen", "user_lock"}, compile(t, roles, false, true).Specifics(),
		"an admin gets every name of the catalogue, never *")
	assert.Empty(t, compile(t, nil, false, true).Specifics(), "an empty catalogue has nothing to list")
	assert.Empty(t, compile(t, nil, false, false).Specifics())
}

func TestQuotas(t *testing.T) {
	q := func(svc, group string, req, day, win, conc int64) permissions.Quota {
		return permissions.Quota{Service: svc, MethodGroup: group, PointsPerRequest: req, PointsPerDay: day,
			PointsPerDateWindow: win, MaxConcurrentExecution: conc}
	}
	roles := []P{
		{Code: "a", Quotas: []permissions.Quota{q("UNIVERSAL", "PLAN", 15, 1500, 1500, 5), q("X", "A", 1, 1, 1, 1)}},
		{Code: "b", Quotas: []permissions.Quota{q("UNIVERSAL", "PLAN", 10, 3000, 0, 2)}},
		{Code: "c", Quotas: []permissions.Quota{q("UNIVERSAL", "AUDIT", 1, 2, 3, 4)}},
	}
	s := compile(t, roles, false, false)
	assert.Equal(t, []permissions.Quota{
		q("UNIVERSAL", "AUDIT", 1, 2, 3, 4),
		q("UNIVERSAL", "PLAN", 15, 3000, 0, 5),
		q("X", "A", 1, 1, 1, 1),
	}, s.Quotas())
}

func TestAccessors(t *testing.T) {
	assert.True(t, compile(t, nil, true, false).ReadOnly())
	assert.False(t, compile(t, nil, false, false).ReadOnly())
	assert.True(t, compile(t, nil, false, true).Admin())
	assert.False(t, compile(t, nil, false, false).Admin())
}

func TestChecksDoNotAllocate(t *testing.T) {
	roles := []P{{
		Code:       "a",
		Entities:   map[string][]permissions.Op{"Customer": ops(C, R, U), "*": ops(R)},
		Attributes: attrs{"Customer": {"*": M}, "Product": {"*": Rd, "tags": H}, "*": {"name": Rd}},
		Specifics:  []string{"report_gen"},
	}}
	s := compile(t, roles, false, false)
	rec := map[string]any{"name": "x", "type": "y"}
	entity, other, attr := "Customer", "Unnamed", "tags"
	checks := map[string]func(){
		"Can named":        func() { _ = s.Can(entity, U) },
		"Can wildcard":     func() { _ = s.Can(other, R) },
		"Attribute named":  func() { _ = s.Attribute("Product", attr) },
		"Attribute other":  func() { _ = s.Attribute(other, attr) },
		"Specific allowed": func() { _ = s.Specific("report_gen") },
		"Specific denied":  func() { _ = s.Specific("user_lock") },
		"CheckWrite ok":    func() { _ = s.CheckWrite(entity, rec) },
		"FilterRecord":     func() { _ = s.FilterRecord(entity, rec) },
	}
	for name, f := range checks {
		t.Run(name, func(t *testing.T) {
			assert.Zero(t, testing.AllocsPerRun(100, f))
		})
	}
}
