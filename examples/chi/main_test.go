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

	// sam may read, but the field guard hides email from him.
	rec = call(h, http.MethodGet, "/api/customers/", sam)
	require.Equal(t, http.StatusOK, rec.Code)
	var list []map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	require.Len(t, list, 2)
	assert.Equal(t, "Acme", list[0]["name"])
	assert.NotContains(t, list[0], "email")

	// mia sees every attribute.
	rec = call(h, http.MethodGet, "/api/customers/", mia)
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	assert.Equal(t, "info@acme.example", list[0]["email"])

	// Delete and export: mia yes, sam no.
	assert.Equal(t, http.StatusForbidden, call(h, http.MethodDelete, "/api/customers/1", sam).Code)
	assert.Equal(t, http.StatusNoContent, call(h, http.MethodDelete, "/api/customers/1", mia).Code)
	assert.Equal(t, http.StatusForbidden, call(h, http.MethodGet, "/api/customers/export", sam).Code)
	assert.Equal(t, http.StatusOK, call(h, http.MethodGet, "/api/customers/export", mia).Code)
}

func TestLoggedOutTokenIsRefusedOnHostRoutes(t *testing.T) {
	h := newTestRouter(t)
	mia := login(t, h, "mia", "manager-password")
	require.Equal(t, http.StatusOK, call(h, http.MethodGet, "/api/customers/", mia).Code)
	require.Equal(t, http.StatusNoContent, call(h, http.MethodPost, "/auth/logout", mia).Code)
	assert.Equal(t, http.StatusUnauthorized, call(h, http.MethodGet, "/api/customers/", mia).Code)
}
