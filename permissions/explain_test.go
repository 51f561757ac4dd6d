package permissions_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

func explainRoles() []P {
	return []P{
		{Code: "sales", Base: []string{"viewer"},
			Entities:   map[string][]permissions.Op{"Customer": ops(C, R, U)},
			Attributes: attrs{"Customer": {"*": M}, "Product": {"*": M, "tags": H}},
			Specifics:  []string{"entity_export_to_file"}},
		{Code: "viewer",
			Entities:   map[string][]permissions.Op{"*": ops(R)},
			Attributes: attrs{"*": {"*": Rd}},
			Specifics:  []string{"*"}},
	}
}

func TestExplain(t *testing.T) {
	held := []string{"sales"}
	tests := []struct {
		name             string
		readOnly, admin  bool
		target           string
		value            int
		reason           permissions.Reason
		role, grant, str string
	}{
		{name: "entity grant", target: "Customer:update", value: 1, reason: permissions.ReasonGrant, role: "sales",
			grant: "Customer [create read update]",
			str:   `Customer:update = 1: grant Customer [create read update] of role "sales"`},
		{name: "wildcard entity grant of a base role", target: "Product:read", value: 1, reason: permissions.ReasonGrant,
			role: "viewer", grant: "* [read]"},
		{name: "default deny", target: "Customer:delete", value: 0, reason: permissions.ReasonDefaultDeny,
			str: "Customer:delete = 0: no grant allows it (default deny)"},
		{name: "another role lifts a hidden attribute", target: "Product:tags", value: 1, reason: permissions.ReasonGrant,
			role: "viewer", grant: "*:* read"},
		{name: "attribute capped by entity", target: "Product:price", value: 1, reason: permissions.ReasonEntityCap,
			role: "sales", grant: "Product:* modify",
			str: `Product:price = 1 (read): capped by the entity's operations (grant Product:* modify of role "sales" allows more)`},
		{name: "attribute granted", target: "Customer:name", value: 2, reason: permissions.ReasonGrant,
			role: "sales", grant: "Customer:* modify"},
		{name: "attribute read_only", readOnly: true, target: "Customer:name", value: 1, reason: permissions.ReasonReadOnly,
			role: "sales", grant: "Customer:* modify"},
		{name: "entity read_only", readOnly: true, target: "Customer:update", value: 0, reason: permissions.ReasonReadOnly,
			role: "sales", grant: "Customer [create read update]"},
		{name: "read_only keeps reads", readOnly: true, target: "Customer:read", value: 1, reason: permissions.ReasonGrant,
			role: "sales", grant: "Customer [create read update]"},
		{name: "specific by name", target: "entity_export_to_file", value: 1, reason: permissions.ReasonGrant,
			role: "sales", grant: "entity_export_to_file"},
		{name: "specific by wildcard", target: "report_gen", value: 1, reason: permissions.ReasonGrant,
			role: "viewer", grant: "*"},
		{name: "specific read_only", readOnly: true, target: "report_gen", value: 0, reason: permissions.ReasonReadOnly,
			role: "viewer", grant: "*"},
		{name: "admin", admin: true, target: "Customer:delete", value: 1, reason: permissions.ReasonAdmin,
			str: "Customer:delete = 1: admin user"},
		{name: "admin attribute", admin: true, target: "Product:tags", value: 2, reason: permissions.ReasonAdmin},
		{name: "admin read_only", admin: true, readOnly: true, target: "Product:tags", value: 1, reason: permissions.ReasonReadOnly},
		{name: "admin specific read_only", admin: true, readOnly: true, target: "x", value: 0, reason: permissions.ReasonReadOnly},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := permissions.Compile(permissions.CompileConfig{Roles: explainRoles(), Held: held, ReadOnly: tt.readOnly, Admin: tt.admin})
			require.NoError(t, err)
			e, err := s.Explain(tt.target)
			require.NoError(t, err)
			assert.Equal(t, tt.target, e.Target.String())
			assert.Equal(t, tt.value, e.Value)
			assert.Equal(t, tt.value > 0, e.Allowed())
			assert.Equal(t, tt.reason, e.Reason, e.String())
			assert.Equal(t, tt.role, e.Role)
			assert.Equal(t, tt.grant, e.Grant)
			if tt.str != "" {
				assert.Equal(t, tt.str, e.String())
			}
		})
	}
}

func TestExplainHiddenByGrant(t *testing.T) {
	s := compile(t, []P{{Code: "a", Entities: map[string][]permissions.Op{"Product": ops(R)},
		Attributes: attrs{"Product": {"*": Rd, "tags": H}}}}, false, false)
	e, err := s.Explain("Product:tags")
	require.NoError(t, err)
	assert.Equal(t, `Product:tags = 0 (hidden): grant Product:tags hidden of role "a"`, e.String())
	e, err = s.Explain("Product:other")
	require.NoError(t, err)
	assert.Equal(t, "Product:* read", e.Grant)
}

func TestExplainBadTarget(t *testing.T) {
	_, err := compile(t, nil, false, false).Explain("a:b:c")
	require.ErrorIs(t, err, permissions.ErrBadTarget)
}

func TestReasonString(t *testing.T) {
	assert.Equal(t, "default deny", permissions.ReasonDefaultDeny.String())
	assert.Equal(t, "entity cap", permissions.ReasonEntityCap.String())
	assert.Equal(t, "Reason(42)", permissions.Reason(42).String())
}
