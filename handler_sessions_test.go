package gatehouse_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type sessionListDoc struct {
	Sessions []struct {
		ID         string `json:"id"`
		CreatedAt  string `json:"created_at"`
		LastSeenAt string `json:"last_seen_at"`
		ExpiresAt  string `json:"expires_at"`
		IP         string `json:"ip"`
		UserAgent  string `json:"user_agent"`
		Current    bool   `json:"current"`
	} `json:"sessions"`
}

func TestSessionsList(t *testing.T) {
	e := newAdminEnv(t)
	first := e.LoginAs(t, "ann").Token
	e.Clock.Add(time.Minute)
	second := e.LoginAs(t, "ann").Token
	e.LoginAs(t, "max") // another user's session is not listed

	rec := e.callToken(t, e.Handler, first, http.MethodGet, "/sessions", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	list := decodeStrict[sessionListDoc](t, rec)
	require.Len(t, list.Sessions, 2)
	newest, oldest := list.Sessions[0], list.Sessions[1]
	assert.False(t, newest.Current, "newest first: the second login")
	assert.True(t, oldest.Current, "the caller's own")
	for _, s := range list.Sessions {
		assert.Len(t, s.ID, 64)
		for _, ts := range []string{s.CreatedAt, s.LastSeenAt, s.ExpiresAt} {
			_, err := time.Parse(time.RFC3339, ts)
			assert.NoError(t, err)
			assert.True(t, strings.HasSuffix(ts, "Z"), "UTC: %s", ts)
		}
		assert.NotContains(t, []string{first, second}, s.ID, "the id is no credential")
	}
	assert.Greater(t, newest.CreatedAt, oldest.CreatedAt)
}

func TestSessionsRevoke(t *testing.T) {
	e := newAdminEnv(t)
	mine := e.LoginAs(t, "ann").Token
	other := e.LoginAs(t, "ann").Token
	sessionsOf := func(tok string) sessionListDoc {
		rec := e.callToken(t, e.Handler, tok, http.MethodGet, "/sessions", "")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		return decodeStrict[sessionListDoc](t, rec)
	}
	var otherID string
	for _, s := range sessionsOf(mine).Sessions {
		if !s.Current {
			otherID = s.ID
		}
	}
	require.NotEmpty(t, otherID)
	maxTok := e.LoginAs(t, "max").Token
	maxID := sessionsOf(maxTok).Sessions[0].ID

	for _, tc := range []struct {
		name, id string
		status   int
	}{
		{"another user's session", maxID, http.StatusNotFound},
		{"not a session id", "nope", http.StatusNotFound},
		{"an unknown id", strings.Repeat("0", 64), http.StatusNotFound},
		{"revoke-others is not an id", "revoke-others", http.StatusMethodNotAllowed},
		{"the caller's other session", otherID, http.StatusNoContent},
		{"again", otherID, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.callToken(t, e.Handler, mine, http.MethodDelete, "/sessions/"+tc.id, "")
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			if tc.status >= 400 {
				assert.NotEmpty(t, errorMessage(t, rec))
			}
		})
	}
	assert.Equal(t, http.StatusUnauthorized, e.callToken(t, e.Handler, other, http.MethodGet, "/user", "").Code)
	assert.Equal(t, http.StatusOK, e.callToken(t, e.Handler, maxTok, http.MethodGet, "/user", "").Code, "max's session lives")
	assert.Len(t, sessionsOf(mine).Sessions, 1)

	// The caller's own session, with the cookie: 204, and the cookie is cleared.
	login := e.LoginAs(t, "ann")
	var myID string
	for _, s := range sessionsOf(login.Token).Sessions {
		if s.Current {
			myID = s.ID
		}
	}
	r := httptest.NewRequest(http.MethodDelete, "/sessions/"+myID, nil)
	r.AddCookie(login.Cookie)
	rec := e.Serve(nil, r)
	require.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Header().Get("Set-Cookie"), e.G.CookieName()+"=;")
	assert.Equal(t, http.StatusUnauthorized, e.callToken(t, e.Handler, login.Token, http.MethodGet, "/user", "").Code)
}

func TestSessionsRevokeOthers(t *testing.T) {
	e := newAdminEnv(t)
	mine := e.LoginAs(t, "ann").Token
	a := e.LoginAs(t, "ann").Token
	b := e.LoginAs(t, "ann").Token
	rec := e.callToken(t, e.Handler, mine, http.MethodPost, "/sessions/revoke-others", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"revoked":2}`, rec.Body.String())
	for _, tok := range []string{a, b} {
		assert.Equal(t, http.StatusUnauthorized, e.callToken(t, e.Handler, tok, http.MethodGet, "/user", "").Code)
	}
	assert.Equal(t, http.StatusOK, e.callToken(t, e.Handler, mine, http.MethodGet, "/user", "").Code)
	rec = e.callToken(t, e.Handler, mine, http.MethodPost, "/sessions/revoke-others", "")
	assert.JSONEq(t, `{"revoked":0}`, rec.Body.String())
}

// Read-only users may list and end their own sessions: they are their own
// credentials.
func TestSessionsReadOnlyUser(t *testing.T) {
	e := newAdminEnv(t)
	mine := e.LoginAs(t, "rob").Token
	e.LoginAs(t, "rob")
	rec := e.callToken(t, e.Handler, mine, http.MethodGet, "/sessions", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	list := decodeStrict[sessionListDoc](t, rec)
	require.Len(t, list.Sessions, 2)
	var other string
	for _, s := range list.Sessions {
		if !s.Current {
			other = s.ID
		}
	}
	assert.Equal(t, http.StatusNoContent, e.callToken(t, e.Handler, mine, http.MethodDelete, "/sessions/"+other, "").Code)
	e.LoginAs(t, "rob")
	rec = e.callToken(t, e.Handler, mine, http.MethodPost, "/sessions/revoke-others", "")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"revoked":1}`, rec.Body.String())
}

func TestSessionsNeedASession(t *testing.T) {
	e := newAdminEnv(t)
	for _, tc := range []struct{ method, target string }{
		{http.MethodGet, "/sessions"},
		{http.MethodDelete, "/sessions/" + strings.Repeat("0", 64)},
		{http.MethodPost, "/sessions/revoke-others"},
	} {
		rec := e.callToken(t, e.Handler, "", tc.method, tc.target, "")
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s %s", tc.method, tc.target)
		assert.NotEmpty(t, errorMessage(t, rec))
	}
	// A cookie without the cross-origin check's blessing is refused.
	r := e.WithCookie(t, httptest.NewRequest(http.MethodPost, "/sessions/revoke-others", nil), "ann")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, e.Serve(nil, r).Code)
}

// "/sessions/revoke-others" (POST) and "/sessions/{id}" (DELETE) overlap:
// each still answers 405 with its own Allow for other methods.
func TestSessionsMethodNotAllowed(t *testing.T) {
	e := newAdminEnv(t)
	tok := e.LoginAs(t, "ann").Token
	for _, tc := range []struct{ method, target, allow string }{
		{http.MethodGet, "/sessions/revoke-others", "POST"},
		{http.MethodDelete, "/sessions/revoke-others", "POST"},
		{http.MethodPut, "/sessions/" + strings.Repeat("0", 64), "DELETE"},
		{http.MethodPost, "/sessions", "GET, HEAD"},
	} {
		rec := e.callToken(t, e.Handler, tok, tc.method, tc.target, "")
		require.Equal(t, http.StatusMethodNotAllowed, rec.Code, "%s %s: %s", tc.method, tc.target, rec.Body.String())
		assert.Equal(t, tc.allow, rec.Header().Get("Allow"), "%s %s", tc.method, tc.target)
		assert.NotEmpty(t, errorMessage(t, rec))
	}
}

// The admin API authenticates as the API does: the cookie works, and an
// unsafe cross-origin request with it is refused.
func TestAdminWithTheCookie(t *testing.T) {
	e := newAdminEnv(t)
	r := e.WithCookie(t, httptest.NewRequest(http.MethodGet, "/users/ann", nil), "max")
	assert.Equal(t, http.StatusOK, e.Serve(e.admin, r).Code)
	r = e.WithCookie(t, httptest.NewRequest(http.MethodDelete, "/users/ann", nil), "max")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := e.Serve(e.admin, r)
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Contains(t, errorMessage(t, rec), "cross-origin")
	assert.Equal(t, http.StatusOK, e.call(t, e.admin, "max", http.MethodGet, "/users/ann", "").Code, "nothing deleted")
}
