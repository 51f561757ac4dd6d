package datafile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
)

// rowsFile is a data file whose role restricts Customer to rows; role
// is spliced into its roles list.
func rowsFile(role string) []byte {
	return []byte(`{
  "service": {"name": "crm"},
  "schema": {"Customer": ["name", "dep_id", "owner_id"], "Order": ["status", "company"]},
  "roles": [` + role + `],
  "users": [{"username": "ann", "password": "ann-password-1", "company": "acme", "roles": ["sales"],
             "attributes": {"dep_id": "104"}}]
}`)
}

const salesRole = `{"code": "sales", "entities": {"Customer": ["read", "update"], "Order": ["read"]},
  "rows": {"Customer": {"read": [{"dep_id": "$user.dep_id"}, {"owner_id": "$user.id"}],
                        "update": [{"owner_id": "$user.id"}]},
           "Order": {"read": [{"status": ["open", "paid"], "company": "$user.company"}]}}}`

func TestRowsFlowThrough(t *testing.T) {
	d, err := datafile.Parse(rowsFile(salesRole))
	require.NoError(t, err)
	rows := d.Roles[0].Rows
	require.Len(t, rows["Customer"]["read"], 2)
	assert.Equal(t, permissions.Condition{"dep_id": permissions.RowUser("dep_id")}, rows["Customer"]["read"][0])
	assert.Equal(t, permissions.Condition{"status": permissions.RowOneOf(permissions.RowText("open"), permissions.RowText("paid")),
		"company": permissions.RowUser("company")}, rows["Order"]["read"][0])

	store := memstore.New(memstore.Config{})
	_, err = d.Apply(context.Background(), store, testHasher(t), fixedNow)
	require.NoError(t, err)
	got, err := store.Roles().GetRole(context.Background(), "sales")
	require.NoError(t, err)
	assert.Equal(t, rows, got.Rows, "the store keeps the rows")

	set, err := permissions.Compile(permissions.CompileConfig{Roles: d.Roles, Held: []string{"sales"}})
	require.NoError(t, err)
	f := set.Rows("Customer", permissions.OpRead, permissions.Subject{ID: "u1", Attributes: map[string]string{"dep_id": "104"}})
	assert.True(t, f.Match(map[string]any{"dep_id": "104"}))
	assert.False(t, f.Match(map[string]any{"dep_id": "105"}))
}

func TestRowsErrorsNameThePlace(t *testing.T) {
	cases := []struct {
		name, role, place, msg string
	}{
		{"bad value", `{"code": "sales", "entities": {"Customer": ["read"]},
		  "rows": {"Customer": {"read": [{"owner_id": "$user.id"}, {"dep_id": 1.5}]}}}`,
			"roles[0].rows.Customer.read[1].dep_id", "must be an integer"},
		{"bad list member", `{"code": "sales", "entities": {"Customer": ["read"]},
		  "rows": {"Customer": {"read": [{"dep_id": ["1", "$user.dep_id"]}]}}}`,
			"roles[0].rows.Customer.read[0].dep_id[1]", "not references"},
		{"unknown $ reference", `{"code": "sales", "entities": {"Customer": ["read"]},
		  "rows": {"Customer": {"read": [{"dep_id": "$dep_id"}]}}}`,
			"roles[0].rows.Customer.read[0].dep_id", "$user.<name>"},
		{"unknown operation", `{"code": "sales", "entities": {"Customer": ["read"]},
		  "rows": {"Customer": {"reed": [{"dep_id": "1"}]}}}`,
			"roles[0].rows.Customer.reed", "unknown operation"},
		{"operation not granted", `{"code": "sales", "entities": {"Customer": ["read"]},
		  "rows": {"Customer": {"update": [{"dep_id": "1"}]}}}`,
			"roles[0].rows.Customer.update", "does not grant Customer:update"},
		{"rows on *", `{"code": "sales", "entities": {"*": ["read"]},
		  "rows": {"*": {"read": [{"dep_id": "1"}]}}}`,
			"roles[0].rows.*", `not "*"`},
		{"empty condition", `{"code": "sales", "entities": {"Customer": ["read"]},
		  "rows": {"Customer": {"read": [{}]}}}`,
			"roles[0].rows.Customer.read[0]", "match every row"},
		{"field not in schema", `{"code": "sales", "entities": {"Customer": ["read"]},
		  "rows": {"Customer": {"read": [{"ownerid": "$user.id"}]}}}`,
			"roles[0].rows.Customer.read[0].ownerid", "did you mean owner_id?"},
		{"entity not in schema", `{"code": "sales", "entities": {"*": ["read"]},
		  "rows": {"Custmer": {"read": [{"dep_id": "1"}]}}}`,
			"roles[0].rows.Custmer", "did you mean Customer?"},
		{"field given twice up to case", `{"code": "sales", "entities": {"Customer": ["read"]},
		  "rows": {"Customer": {"read": [{"dep_id": "1", "DEP_ID": "2"}]}}}`,
			"roles[0].rows.Customer.read[0]", "DEP_ID"},
		{"rows of the wrong type", `{"code": "sales", "entities": {"Customer": ["read"]},
		  "rows": {"Customer": {"read": {"dep_id": "1"}}}}`,
			"roles[0].rows", "must be an array"}, // encoding/json names no map key
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := datafile.Parse(rowsFile(tc.role))
			var de *datafile.Error
			require.ErrorAs(t, err, &de)
			assert.True(t, strings.HasPrefix(de.Place, tc.place), "place %q, want %q (%v)", de.Place, tc.place, err)
			assert.Contains(t, err.Error(), tc.msg)
			assert.Contains(t, err.Error(), "data file: "+tc.place)
		})
	}
}
