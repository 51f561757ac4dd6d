package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/gatehousetest"
	"github.com/gatehouse-go/gatehouse/session"
)

func newTestRouter(t *testing.T) http.Handler {
	t.Helper()
	g, err := setup(context.Background(), gatehouse.Config{Session: session.Config{Hasher: gatehousetest.Hasher()}})
	require.NoError(t, err)
	t.Cleanup(func() { g.Close() })
	return newRouter(g)
}

// login gets a token through the mounted gatehouse API.
func login(t *testing.T, h http.Handler, username, password string) string {
	t.Helper()
	body := `{"username":"` + username + `","password":"` + password + `"}`
	req := httptest.NewRequest(http.MethodPost, "/auth/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var tok string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tok))
	return tok
}

func call(h http.Handler, method, path, token string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestMountedAPIAndGuardedRoutes(t *testing.T) {
	h := newTestRouter(t)

	// gatehouse's own endpoints answer under the prefix.
	rec := call(h, http.MethodGet, "/auth/version", "")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"major":1,"minor":0,"build":"chi-example"}`, rec.Body.String())

	// Host routes need a session.
	rec = call(h, http.MethodGet, "/api/customers/", "")
	assert.Equal(t, http.StatusUnauthorized, rec.Code)

	sam := login(t, h, "sam", "support-password")
	mia := login(t, h, "mia", "manager-password")

	// sam may read every row, but the field guard hides email from him.
	list := customers(t, h, sam)
	assert.Equal(t, "SELECT * FROM customers c WHERE TRUE", list.Query)
	require.Len(t, list.Customers, 3)
	assert.Equal(t, "Acme", list.Customers[0]["name"])
	assert.NotContains(t, list.Customers[0], "email")

	// mia sees every attribute.
	list = customers(t, h, mia)
	assert.Equal(t, "info@acme.example", list.Customers[0]["email"])

	// Delete and export: mia yes, sam no.
	assert.Equal(t, http.StatusForbidden, call(h, http.MethodDelete, "/api/customers/1", sam).Code)
	assert.Equal(t, http.StatusNoContent, call(h, http.MethodDelete, "/api/customers/1", mia).Code)
	assert.Equal(t, http.StatusForbidden, call(h, http.MethodGet, "/api/customers/export", sam).Code)
	assert.Equal(t, http.StatusOK, call(h, http.MethodGet, "/api/customers/export", mia).Code)
}

type customerList struct {
	Query     string           `json:"query"`
	Args      []any            `json:"args"`
	Customers []map[string]any `json:"customers"`
}

func customers(t *testing.T, h http.Handler, token string) customerList {
	t.Helper()
	rec := call(h, http.MethodGet, "/api/customers/", token)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var list customerList
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	return list
}

func ids(list customerList) []any {
	var out []any
	for _, c := range list.Customers {
		out = append(out, c["id"])
	}
	return out
}

func put(h http.Handler, path, token, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPut, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestSalesSeesOnlyItsRows(t *testing.T) {
	h := newTestRouter(t)
	sol := login(t, h, "sol", "sales-password-1")

	// sol (dep_id 104) reads the customers of department 104 and those it
	// owns, and the WHERE says so with the values as arguments.
	list := customers(t, h, sol)
	assert.Equal(t, "SELECT * FROM customers c WHERE (c.dep_id = $1 OR c.owner = $2)", list.Query)
	assert.Equal(t, []any{"104", "sol"}, list.Args)
	assert.Equal(t, []any{"1", "2"}, ids(list), "not customer 3, of department 105 and owned by mia")

	// The write guard: sol updates its own customer, but can neither give
	// it away nor update one it only reads, and one it cannot read is not
	// there.
	assert.Equal(t, http.StatusNoContent, put(h, "/api/customers/2", sol, `{"name": "Bobby"}`).Code)
	rec := put(h, "/api/customers/2", sol, `{"owner": "mia"}`)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Contains(t, rec.Body.String(), "the row after the change matches no rule")
	assert.Contains(t, rec.Body.String(), `rows.Customer.update[0]`)
	rec = put(h, "/api/customers/1", sol, `{"name": "Acme Ltd"}`)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Contains(t, rec.Body.String(), "the row before the change")
	assert.Equal(t, http.StatusNotFound, put(h, "/api/customers/3", sol, `{"name": "x"}`).Code)
	assert.Equal(t, []any{"1", "2"}, ids(customers(t, h, sol)), "nothing moved")
	assert.Equal(t, "Bobby", customers(t, h, sol).Customers[1]["name"])

	// A manager updates any row.
	mia := login(t, h, "mia", "manager-password")
	assert.Equal(t, http.StatusNoContent, put(h, "/api/customers/3", mia, `{"dep_id": "104"}`).Code)
	assert.Equal(t, []any{"1", "2", "3"}, ids(customers(t, h, sol)), "customer 3 moved into sol's department")
}

// TestDocumentsKeepTheirShape compares the /permissions and /session
// documents of the sales user with and without its row rules: an operation
// allowed on some rows is 1, as in Jmix, and the session document does not
// change.
func TestDocumentsKeepTheirShape(t *testing.T) {
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m))
	for _, r := range m["roles"].([]any) {
		delete(r.(map[string]any), "rows")
	}
	plain, err := json.Marshal(m)
	require.NoError(t, err)
	require.NotContains(t, string(plain), `"rows"`)

	documents := func(b []byte) (perms, sess map[string]any) {
		g, err := setupFrom(context.Background(), gatehouse.Config{Session: session.Config{Hasher: gatehousetest.Hasher()}}, b)
		require.NoError(t, err)
		t.Cleanup(func() { g.Close() })
		h := newRouter(g)
		sol := login(t, h, "sol", "sales-password-1")
		rec := call(h, http.MethodGet, "/auth/permissions", sol)
		require.Equal(t, http.StatusOK, rec.Code)
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &perms))
		rec = call(h, http.MethodGet, "/auth/session", sol)
		require.Equal(t, http.StatusOK, rec.Code)
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &sess))
		// The session's own id differs between the two servers.
		delete(sess["sessioninfo"].(map[string]any), "id")
		return perms, sess
	}
	withRows, sessWithRows := documents(data)
	without, sessWithout := documents(plain)
	assert.Equal(t, without, withRows, "/permissions")
	assert.Equal(t, sessWithout, sessWithRows, "the session document")
	assert.Contains(t, withRows["entities"], map[string]any{"target": "Customer:read", "value": 1.0}, "read on some rows is 1")
	assert.Contains(t, withRows["entities"], map[string]any{"target": "Customer:update", "value": 1.0})
	assert.Contains(t, withRows["entities"], map[string]any{"target": "Customer:delete", "value": 0.0})
}

func TestLoggedOutTokenIsRefusedOnHostRoutes(t *testing.T) {
	h := newTestRouter(t)
	mia := login(t, h, "mia", "manager-password")
	require.Equal(t, http.StatusOK, call(h, http.MethodGet, "/api/customers/", mia).Code)
	require.Equal(t, http.StatusNoContent, call(h, http.MethodPost, "/auth/logout", mia).Code)
	assert.Equal(t, http.StatusUnauthorized, call(h, http.MethodGet, "/api/customers/", mia).Code)
}
