package permissions_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in   string
		want permissions.Target
	}{
		{"Customer:create", permissions.EntityTarget("Customer", permissions.OpCreate)},
		{"rstex11_Customer:read", permissions.EntityTarget("rstex11_Customer", permissions.OpRead)},
		{"Customer:update", permissions.EntityTarget("Customer", permissions.OpUpdate)},
		{"Customer:delete", permissions.EntityTarget("Customer", permissions.OpDelete)},
		{"*:read", permissions.EntityTarget("*", permissions.OpRead)},
		{"Product:tags", permissions.AttributeTarget("Product", "tags")},
		{"Product:*", permissions.AttributeTarget("Product", "*")},
		{"*:name", permissions.AttributeTarget("*", "name")},
		{"*:*", permissions.AttributeTarget("*", "*")},
		{"Product:Read", permissions.AttributeTarget("Product", "Read")},
		{"entity_export_to_file", permissions.SpecificTarget("entity_export_to_file")},
		{"*", permissions.SpecificTarget("*")},
		{"sys$User:read", permissions.EntityTarget("sys$User", permissions.OpRead)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := permissions.ParseTarget(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.in, got.String())
		})
	}
}

func TestParseTargetErrors(t *testing.T) {
	tests := []struct {
		name, in string
		badName  bool
	}{
		{"empty", "", true},
		{"empty entity", ":read", true},
		{"empty attribute", "Customer:", true},
		{"only a colon", ":", true},
		{"extra colon", "Customer:name:read", false},
		{"two colons", "a::b", false},
		{"space in name", "Cus tomer:read", true},
		{"partial wildcard", "Cust*:read", true},
		{"wildcard inside attribute", "Customer:na*", true},
		{"comma", "a,b", true},
		{"quote", `a"b`, true},
		{"control character", "a\x00b", true},
		{"invalid UTF-8", "a\xffb:read", true},
		{"too long", string(make([]byte, permissions.MaxNameLen+1)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := permissions.ParseTarget(tt.in)
			require.ErrorIs(t, err, permissions.ErrBadTarget)
			assert.Equal(t, tt.badName, errorsIs(err, permissions.ErrBadName))
			assert.Contains(t, err.Error(), "permissions: ")
		})
	}
}

func TestTargetKindString(t *testing.T) {
	assert.Equal(t, "entity operation", permissions.TargetEntityOp.String())
	assert.Equal(t, "attribute", permissions.TargetAttribute.String())
	assert.Equal(t, "specific", permissions.TargetSpecific.String())
	assert.Equal(t, "TargetKind(9)", permissions.TargetKind(9).String())
}

// FuzzParseTarget checks that every target ParseTarget accepts formats back
// to the same string and parses again to the same Target.
func FuzzParseTarget(f *testing.F) {
	for _, s := range []string{"Customer:read", "Product:tags", "*:*", "*", "entity_export_to_file", "a:b:c", ":", "", "x:create"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := permissions.ParseTarget(s)
		if err != nil {
			if !errorsIs(err, permissions.ErrBadTarget) {
				t.Fatalf("ParseTarget(%q): error %v does not wrap ErrBadTarget", s, err)
			}
			return
		}
		if got := tg.String(); got != s {
			t.Fatalf("ParseTarget(%q).String() = %q", s, got)
		}
		again, err := permissions.ParseTarget(tg.String())
		if err != nil || again != tg {
			t.Fatalf("round trip of %q: %+v, %v; want %+v", s, again, err, tg)
		}
	})
}
