package permissions_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

var shopSchema = permissions.Schema{
	"Customer": {"name", "type", "credit_limit"},
	"Product":  {"image", "price", "name", "tags"},
}

func TestRoleValidateSchema(t *testing.T) {
	tests := []struct {
		name   string
		role   P
		schema permissions.Schema
		field  string // "" means valid
		msg    string
	}{
		{name: "declared names and wildcards", role: P{Code: "r",
			Entities:   map[string][]permissions.Op{"Customer": ops(R), "*": ops(R)},
			Attributes: attrs{"Customer": {"credit_limit": H, "*": Rd}, "*": {"price": Rd, "*": H}},
		}, schema: shopSchema},
		{name: "no schema: nothing to check", role: P{Code: "r",
			Attributes: attrs{"Custmer": {"creditlimit": H}},
		}},
		{name: "attribute typo", role: P{Code: "r",
			Attributes: attrs{"Customer": {"creditlimit": H, "*": Rd}},
		}, schema: shopSchema, field: "attributes.Customer.creditlimit",
			msg: `permissions: role "r": attributes.Customer.creditlimit: not in schema (did you mean credit_limit?)`},
		{name: "entity typo in entities", role: P{Code: "r",
			Entities: map[string][]permissions.Op{"Custmer": ops(R)},
		}, schema: shopSchema, field: "entities.Custmer", msg: "did you mean Customer?"},
		{name: "entity typo in attributes", role: P{Code: "r",
			Attributes: attrs{"Prodcut": {"*": Rd}},
		}, schema: shopSchema, field: "attributes.Prodcut", msg: "did you mean Product?"},
		{name: "entity differing in case", role: P{Code: "r",
			Entities: map[string][]permissions.Op{"customer": ops(R)},
		}, schema: shopSchema, field: "entities.customer", msg: "did you mean Customer?"},
		{name: "attribute of the wildcard entity declared nowhere", role: P{Code: "r",
			Attributes: attrs{"*": {"prise": Rd}},
		}, schema: shopSchema, field: "attributes.*.prise", msg: "did you mean price?"},
		{name: "attribute of another entity", role: P{Code: "r",
			Attributes: attrs{"Product": {"credit_limit": H}},
		}, schema: shopSchema, field: "attributes.Product.credit_limit",
			msg: "not in schema (it declares: image, name, price, tags)"},
		{name: "nothing close", role: P{Code: "r",
			Entities: map[string][]permissions.Op{"Invoice": ops(R)},
		}, schema: shopSchema, field: "entities.Invoice", msg: "not in schema (it declares: Customer, Product)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.role.ValidateSchema(tc.schema)
			if tc.field == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, permissions.ErrNotInSchema)
			var se *permissions.SchemaError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.field, se.Field)
			assert.Equal(t, "r", se.Role)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestOverriddenHidden(t *testing.T) {
	viewer := P{Code: "viewer", Entities: map[string][]permissions.Op{"*": ops(R)}, Attributes: attrs{"*": {"*": Rd}}}
	tests := []struct {
		name  string
		roles []P
		want  []permissions.HiddenOverride
	}{
		{
			name: "a base role's wildcard grant overrides a named hidden grant",
			roles: []P{viewer, {Code: "sales", Base: []string{"viewer"},
				Attributes: attrs{"Product": {"*": Rd, "tags": H}}}},
			want: []permissions.HiddenOverride{{Role: "sales", Entity: "Product", Attribute: "tags", By: "viewer", Grant: "*:* read", Access: Rd}},
		},
		{
			name: "transitively, capped by the operations",
			roles: []P{viewer, {Code: "mid", Base: []string{"viewer"}}, {Code: "top", Base: []string{"mid"},
				Entities: map[string][]permissions.Op{"Customer": ops(R, U)}, Attributes: attrs{"Customer": {"*": H}}},
				{Code: "boss", Base: []string{"top"}, Attributes: attrs{"*": {"*": H}}}},
			want: []permissions.HiddenOverride{
				{Role: "top", Entity: "Customer", Attribute: "*", By: "viewer", Grant: "*:* read", Access: Rd},
				{Role: "boss", Entity: "*", Attribute: "*", By: "viewer", Grant: "*:* read", Access: Rd},
			},
		},
		{
			name: "the hidden grant in the base role: effective",
			roles: []P{{Code: "viewer", Entities: map[string][]permissions.Op{"*": ops(R)},
				Attributes: attrs{"*": {"*": Rd}, "Product": {"*": Rd, "tags": H}}},
				{Code: "sales", Base: []string{"viewer"}, Attributes: attrs{"Customer": {"*": M}}}},
		},
		{
			name: "the base role hides it too",
			roles: []P{{Code: "viewer", Entities: map[string][]permissions.Op{"*": ops(R)},
				Attributes: attrs{"*": {"*": Rd}, "Product": {"tags": H}}},
				{Code: "sales", Base: []string{"viewer"}, Attributes: attrs{"Product": {"*": Rd, "tags": H}}}},
		},
		{
			name: "an entity nobody may read hides everything anyway",
			roles: []P{{Code: "base", Attributes: attrs{"*": {"*": Rd}}},
				{Code: "r", Base: []string{"base"}, Attributes: attrs{"Product": {"tags": H}}}},
		},
		{
			name:  "a role without base roles",
			roles: []P{{Code: "r", Entities: map[string][]permissions.Op{"*": ops(R)}, Attributes: attrs{"*": {"*": Rd, "tags": H}}}},
		},
		{
			name:  "an unresolvable role is skipped",
			roles: []P{{Code: "r", Base: []string{"ghost"}, Attributes: attrs{"*": {"tags": H}}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, permissions.OverriddenHidden(tc.roles))
		})
	}
}

func TestHiddenOverrideString(t *testing.T) {
	o := permissions.HiddenOverride{Role: "sales", Entity: "Product", Attribute: "tags", By: "viewer", Grant: "*:* read", Access: Rd}
	assert.Equal(t, "attributes.Product.tags", o.Field())
	assert.Equal(t, `role "sales": attributes.Product.tags: hidden has no effect: base role "viewer" grants *:* read and roles combine by union, so holders of "sales" get read`, o.String())
}
