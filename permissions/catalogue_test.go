package permissions_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// The catalogue of specific permissions is every name a known role grants
// (held or not) plus the names the deployment declares; "*" (a wildcard
// grant or an admin) is enumerated as those names and never listed itself.
func TestSpecificsEnumerateTheCatalogue(t *testing.T) {
	known := []P{
		{Code: "a", Specifics: []string{"user_lock", "entity_export_to_file"}},
		{Code: "b", Specifics: []string{"report_gen"}},
		{Code: "wild", Specifics: []string{"*"}},
		{Code: "none"},
	}
	declared := []string{"files_upload", "report_gen", "*"}
	all := []string{"entity_export_to_file", "files_upload", "report_gen", "user_lock"}
	tests := []struct {
		name     string
		held     []string
		readOnly bool
		admin    bool
		want     []string // allowed, with the declared names
	}{
		{name: "a wildcard grant", held: []string{"wild"}, want: all},
		{name: "an admin without roles", admin: true, want: all},
		{name: "named grants", held: []string{"a"}, want: []string{"entity_export_to_file", "user_lock"}},
		{name: "no grant", held: []string{"none"}, want: []string{}},
		{name: "read-only wildcard", held: []string{"wild"}, readOnly: true, want: []string{}},
		{name: "read-only admin", admin: true, readOnly: true, want: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := permissions.Compile(permissions.CompileConfig{Roles: known, Held: tc.held, ReadOnly: tc.readOnly, Admin: tc.admin})
			require.NoError(t, err)
			assert.Equal(t, all, s.Catalogue(declared...))
			assert.Equal(t, tc.want, s.Specifics(declared...))
			d := s.Document(nil, declared...)
			require.Len(t, d.Specifics, len(all))
			for i, v := range d.Specifics {
				assert.Equal(t, all[i], v.Target, "every name of the catalogue, sorted; never *")
				assert.Equal(t, boolInt(slices.Contains(tc.want, v.Target)), v.Value, v.Target)
			}
			assert.NotContains(t, s.Specifics(), "*")
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
