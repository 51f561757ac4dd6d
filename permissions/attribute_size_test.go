package permissions_test

import (
	"fmt"
	"testing"

	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An entity's named attributes are kept inline up to a few and in a map
// beyond: both must answer alike, for each count around the limit.
func TestAttributeAnswersAlikeForFewAndManyNamedAttributes(t *testing.T) {
	for n := 0; n <= 7; n++ {
		t.Run(fmt.Sprintf("%d named", n), func(t *testing.T) {
			attrs := map[string]permissions.Access{"*": permissions.Read}
			want := map[string]permissions.Access{}
			for i := range n {
				name := fmt.Sprintf("a%d", i)
				a := permissions.Access(i % 3) // hidden, read, modify in turn
				attrs[name] = a
				want[name] = a
			}
			set, err := permissions.Compile(permissions.CompileConfig{
				Roles: []permissions.Role{{
					Code:       "r",
					Entities:   map[string][]permissions.Op{"E": {permissions.OpRead, permissions.OpUpdate}, "*": {permissions.OpRead}},
					Attributes: map[string]map[string]permissions.Access{"E": attrs, "*": {"*": permissions.Read, "w0": permissions.Hidden}},
				}},
				Held: []string{"r"},
			})
			require.NoError(t, err)
			for name, a := range want {
				assert.Equal(t, a, set.Attribute("E", name), name)
			}
			assert.Equal(t, permissions.Read, set.Attribute("E", "unnamed"), "the entity's * grant")
			assert.Equal(t, permissions.Read, set.Attribute("Other", "x"), "the * entity")
			assert.Equal(t, permissions.Hidden, set.Attribute("Other", "w0"))
			rec := map[string]any{"unnamed": 1}
			for name := range want {
				rec[name] = 1
			}
			set.FilterRecord("E", rec)
			for name, a := range want {
				_, kept := rec[name]
				assert.Equal(t, a != permissions.Hidden, kept, name)
			}
		})
	}
}
