package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The demo mounts the admin API at /admin/: the demo admin (an admin holds
// every permission) creates a user there, who then logs in.
func TestDemoAdminCreatesAUser(t *testing.T) {
	base := start(t)
	admin := loginToken(t, base)

	resp := send(t, http.MethodPost, base+"/admin/users",
		`{"username":"bob","password":"bob-demo-password","name":"Bob Builder","roles":["viewer"]}`, admin, "")
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var created struct {
		Login      string   `json:"login"`
		CompanyKey string   `json:"company_key"`
		Roles      []string `json:"roles"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&created))
	assert.Equal(t, "bob", created.Login)
	assert.Equal(t, "acme", created.CompanyKey, "the admin's company")
	assert.Equal(t, []string{"viewer"}, created.Roles)

	// Taken, up to case.
	resp = send(t, http.MethodPost, base+"/admin/users", `{"username":"BOB"}`, admin, "")
	assert.Equal(t, http.StatusConflict, resp.StatusCode)

	// bob logs in with the password the admin gave.
	resp = send(t, http.MethodPost, base+"/token", `{"username":"bob","password":"bob-demo-password"}`, "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var bob string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&bob))
	status, login := whoami(t, base, bob, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "bob", login)

	// bob sees his own session, and may not manage users.
	resp = send(t, http.MethodGet, base+"/sessions", "", bob, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var list struct {
		Sessions []struct {
			Current bool `json:"current"`
		} `json:"sessions"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	require.Len(t, list.Sessions, 1)
	assert.True(t, list.Sessions[0].Current)
	assert.Equal(t, http.StatusForbidden, send(t, http.MethodGet, base+"/admin/users", "", bob, "").StatusCode)

	// The admin ends bob's sessions; his token dies.
	resp = send(t, http.MethodDelete, base+"/admin/users/bob/sessions", "", admin, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	status, _ = whoami(t, base, bob, "")
	assert.Equal(t, http.StatusUnauthorized, status)
}
