package permissions_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/permissions"
)

// jmixExample are roles for Jmix's worked example of /permissions: full access to
// Customer except delete; Product read-only with tags hidden.
func jmixExample() []P {
	return []P{{
		Code: "customer_manager",
		Entities: map[string][]permissions.Op{
			"rstex11_Customer": ops(C, R, U),
			"rstex11_Product":  ops(R),
		},
		Attributes: attrs{
			"rstex11_Customer": {"*": M},
			"rstex11_Product":  {"*": M, "tags": H},
		},
	}}
}

var jmixSchema = permissions.Schema{
	"rstex11_Customer": {"name", "type"},
	"rstex11_Product":  {"image", "price", "name", "tags"},
}

func TestDocumentJmixExample(t *testing.T) {
	raw, err := os.ReadFile("testdata/jmix-permissions.response.json")
	require.NoError(t, err)
	var want permissions.Document
	require.NoError(t, json.Unmarshal(raw, &want))
	require.NotEmpty(t, want.Entities)

	got := compile(t, jmixExample(), false, false).Document(jmixSchema)
	// Same targets in the same order as Jmix's example.
	assert.Equal(t, want.Entities, got.Entities)
	assert.Equal(t, want.EntityAttributes, got.EntityAttributes)
	assert.Empty(t, got.Specifics)

	// The encoded document has the example's keys, plus specifics as [].
	b, err := json.Marshal(got)
	require.NoError(t, err)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &keys))
	assert.Len(t, keys, 3)
	assert.JSONEq(t, "[]", string(keys["specifics"]))
	var example map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw, &example))
	assert.JSONEq(t, string(example["entities"]), string(keys["entities"]))
	assert.JSONEq(t, string(example["entityAttributes"]), string(keys["entityAttributes"]))
}

func TestDocumentOrderAndSpecifics(t *testing.T) {
	roles := []P{{
		Code:       "a",
		Entities:   map[string][]permissions.Op{"*": ops(R)},
		Attributes: attrs{"*": {"*": Rd}},
		Specifics:  []string{"user_lock", "*", "entity_publish"},
	}}
	schema := permissions.Schema{"B": {"z", "a", "z"}, "A": {"y"}}
	d := compile(t, roles, false, false).Document(schema)
	targets := func(vs []permissions.TargetValue) string {
		var s []string
		for _, v := range vs {
			s = append(s, v.String())
		}
		return strings.Join(s, " ")
	}
	assert.Equal(t, "A:create=0 A:read=1 A:update=0 A:delete=0 B:create=0 B:read=1 B:update=0 B:delete=0", targets(d.Entities))
	assert.Equal(t, "A:y=1 B:z=1 B:a=1", targets(d.EntityAttributes))
	assert.Equal(t, "entity_publish=1 user_lock=1", targets(d.Specifics), "* is enumerated, never listed")
	assert.Equal(t, "entity_publish=1 report_gen=1 user_lock=1", targets(compile(t, roles, false, false).Document(schema, "report_gen").Specifics),
		"and declared names are part of the catalogue")

	ro := compile(t, roles, true, false).Document(schema)
	assert.Equal(t, "entity_publish=0 user_lock=0", targets(ro.Specifics))

	// Deterministic: the same document every time.
	for range 10 {
		assert.Equal(t, d, compile(t, roles, false, false).Document(schema))
	}
}

func TestDocumentEmpty(t *testing.T) {
	b, err := json.Marshal(compile(t, nil, false, false).Document(nil))
	require.NoError(t, err)
	assert.JSONEq(t, `{"entities":[],"entityAttributes":[],"specifics":[]}`, string(b))
}
