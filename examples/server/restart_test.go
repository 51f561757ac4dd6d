package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeKey writes a new Ed25519 private key as PEM and returns its path.
func writeKey(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	return path
}

// send makes one request to the demo server; tok is sent as a bearer token
// and sid as the session cookie when set.
func send(t *testing.T, method, url, body, tok, sid string) *http.Response {
	t.Helper()
	r, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	if sid != "" {
		r.AddCookie(&http.Cookie{Name: "SID", Value: sid})
	}
	resp, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const adminLogin = `{"username":"admin","password":"admin-demo-password"}`

// loginToken logs the demo admin in with POST /token and returns the JWT.
func loginToken(t *testing.T, base string) string {
	t.Helper()
	resp := send(t, http.MethodPost, base+"/token", adminLogin, "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var tok string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	require.NotEmpty(t, tok)
	return tok
}

// loginCookie logs the demo admin in with POST /login and returns the
// session id of its cookie.
func loginCookie(t *testing.T, base string) string {
	t.Helper()
	resp := send(t, http.MethodPost, base+"/login", adminLogin, "", "")
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	for _, c := range resp.Cookies() {
		if c.Name == "SID" {
			return c.Value
		}
	}
	t.Fatal("POST /login set no SID cookie")
	return ""
}

// tokenValid answers POST /token/check's verdict on tok.
func tokenValid(t *testing.T, base, tok string) bool {
	t.Helper()
	resp := send(t, http.MethodPost, base+"/token/check", `"`+tok+`"`, "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var out struct {
		Valid bool `json:"valid"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out.Valid
}

// whoami returns the status of GET /user, an endpoint that needs a live
// session, and the login it names.
func whoami(t *testing.T, base, tok, sid string) (int, string) {
	t.Helper()
	resp := send(t, http.MethodGet, base+"/user", "", tok, sid)
	var doc struct {
		Login string `json:"login"`
	}
	if resp.StatusCode == http.StatusOK {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&doc))
	}
	return resp.StatusCode, doc.Login
}

// With -store sqlite:PATH and the same -key, a restart keeps the sessions:
// tokens and cookies issued before it still authenticate after it, and a
// session logged out before it stays ended.
func TestSQLiteRestartKeepsSessionsWithTheSameKey(t *testing.T) {
	args := []string{"-store", "sqlite:" + filepath.Join(t.TempDir(), "gh.db"), "-key", writeKey(t)}
	base, stop := serve(t, args...)
	tok := loginToken(t, base)
	sid := loginCookie(t, base)
	ended := loginToken(t, base)
	require.True(t, tokenValid(t, base, tok))
	require.Equal(t, http.StatusNoContent, send(t, http.MethodPost, base+"/logout", "", ended, "").StatusCode)
	stop()

	base, _ = serve(t, args...)
	assert.True(t, tokenValid(t, base, tok), "a token issued before the restart is refused")
	code, login := whoami(t, base, tok, "")
	assert.Equal(t, http.StatusOK, code, "GET /user refuses a token issued before the restart")
	assert.Equal(t, "admin", login)
	code, login = whoami(t, base, "", sid)
	assert.Equal(t, http.StatusOK, code, "GET /user refuses a cookie issued before the restart")
	assert.Equal(t, "admin", login)

	assert.False(t, tokenValid(t, base, ended), "a restart revived a logged-out session")
	code, _ = whoami(t, base, ended, "")
	assert.Equal(t, http.StatusUnauthorized, code)
}

// Without -key every start signs with a new generated key (the server logs a
// warning): tokens issued before a restart no longer verify, although their
// sessions are still in the database, so a session cookie still works.
func TestSQLiteRestartWithoutKeyRefusesOldTokens(t *testing.T) {
	args := []string{"-store", "sqlite:" + filepath.Join(t.TempDir(), "gh.db")}
	base, stop := serve(t, args...)
	tok := loginToken(t, base)
	sid := loginCookie(t, base)
	require.True(t, tokenValid(t, base, tok))
	stop()

	base, _ = serve(t, args...)
	assert.False(t, tokenValid(t, base, tok), "a token signed by the previous start's generated key is accepted")
	code, _ := whoami(t, base, tok, "")
	assert.Equal(t, http.StatusUnauthorized, code)
	code, login := whoami(t, base, "", sid)
	assert.Equal(t, http.StatusOK, code, "the cookie session did not survive the restart")
	assert.Equal(t, "admin", login)
	assert.True(t, tokenValid(t, base, loginToken(t, base)), "a token of the new key is refused")
}
