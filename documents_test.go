package gatehouse_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/user"
)

// An admin, or a role granting "*", must see every specific permission of
// the deployment by name — every name a role grants and every name the
// data file declares — in GET /permissions and in the session document's
// bp_process_roles_list; "*" is never a target.
func TestDocumentsEnumerateTheSpecificsCatalogue(t *testing.T) {
	e := newAuthEnv(t, nil, nil, nil)
	d, err := datafile.Parse(edit(t, func(m map[string]any) {
		m["specifics"] = []any{"users_manage", "report_gen"}
		m["roles"] = append(list(m["roles"]), map[string]any{"code": "ops", "specifics": []any{"*"}})
		m["users"] = append(list(m["users"]), map[string]any{
			"username": "operator", "password": "operator-password", "company": "acme", "roles": []any{"ops"},
		})
	}))
	require.NoError(t, err)
	_, err = e.g.ApplyDataFile(context.Background(), d)
	require.NoError(t, err)

	catalogue := []string{"entity_export_to_file", "report_gen", "users_manage"}
	tests := []struct {
		username, password string
		allowed            []string
	}{
		{"admin", "admin-demo-password", catalogue},
		{"operator", "operator-password", catalogue},
		{"alice", "alice-demo-password", []string{"entity_export_to_file"}},
		{"auditor", "auditor-demo-password", []string{}}, // read-only
	}
	for _, tc := range tests {
		t.Run(tc.username, func(t *testing.T) {
			auth := bearer(e.token(t, tc.username, tc.password))

			rec := e.do(t, nil, req{method: "GET", path: "/session", header: auth})
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var sess struct {
				Info struct {
					Specifics []string `json:"bp_process_roles_list"`
				} `json:"sessioninfo"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &sess))
			assert.Equal(t, tc.allowed, sess.Info.Specifics)

			rec = e.do(t, nil, req{method: "GET", path: "/permissions", header: auth})
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			var doc permissions.Document
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
			want := make([]permissions.TargetValue, 0, len(catalogue))
			for _, n := range catalogue {
				v := 0
				for _, a := range tc.allowed {
					if a == n {
						v = 1
					}
				}
				want = append(want, permissions.TargetValue{Target: n, Value: v})
			}
			assert.Equal(t, want, doc.Specifics)
		})
	}
}

func TestParseDataFileDeclaredSpecifics(t *testing.T) {
	tests := []struct {
		name      string
		specifics any
		place     string // "" means valid
		msg       string
	}{
		{"names", []any{"report_gen", "users_manage"}, "", ""},
		{"duplicate", []any{"report_gen", "report_gen"}, "specifics[1]", `duplicate specific permission "report_gen" (also specifics[0])`},
		{"wildcard", []any{"report_gen", "*"}, "specifics[1]", "a wildcard is not allowed here"},
		{"malformed name", []any{"report gen"}, "specifics[0]", "malformed name"},
		{"not a list", "report_gen", "specifics", "must be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := datafile.Parse(edit(t, func(m map[string]any) { m["specifics"] = tc.specifics }))
			if tc.place == "" {
				require.NoError(t, err)
				assert.Equal(t, []string{"report_gen", "users_manage"}, d.Specifics)
				return
			}
			var de *datafile.Error
			require.ErrorAs(t, err, &de)
			assert.Equal(t, tc.place, de.Place)
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestConfigSpecificsJoinTheCatalogue(t *testing.T) {
	e := newAuthEnv(t, nil, nil, func(c *gatehouse.Config) { c.Specifics = []string{"audit_read_all"} })
	e.addUser(t, "root", "password1", func(u *user.User) { u.Admin = true })
	specifics := func() []string {
		rec := e.do(t, nil, req{method: "GET", path: "/session", header: bearer(e.token(t, "root", "password1"))})
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		var sess struct {
			Info struct {
				Specifics []string `json:"bp_process_roles_list"`
			} `json:"sessioninfo"`
		}
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &sess))
		return sess.Info.Specifics
	}
	assert.Equal(t, []string{"audit_read_all"}, specifics(), "an admin holds every declared name, never *")

	d, err := datafile.Parse([]byte(`{"specifics": ["report_gen"]}`))
	require.NoError(t, err)
	_, err = e.g.ApplyDataFile(context.Background(), d)
	require.NoError(t, err)
	assert.Equal(t, []string{"audit_read_all", "report_gen"}, specifics(), "the data file's names join the configured ones")

	_, err = gatehouse.New(gatehouse.Config{Specifics: []string{"*"}})
	assert.ErrorContains(t, err, "Specifics[0]")
}
