package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse/session"
)

// start runs the server on a free loopback port until the test ends and
// returns its base URL (see serve).
func start(t *testing.T, args ...string) string {
	t.Helper()
	base, _ := serve(t, args...)
	return base
}

func getJSON(t *testing.T, url string, v any) int {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
	return resp.StatusCode
}

func TestDemoServesHealthAndVersion(t *testing.T) {
	base := start(t)
	var health map[string]float64
	require.Equal(t, 200, getJSON(t, base+"/health", &health))
	assert.Equal(t, map[string]float64{"health": 1}, health)

	var version map[string]any
	require.Equal(t, 200, getJSON(t, base+"/version", &version))
	assert.Equal(t, map[string]any{"major": 1.0, "minor": 0.0, "build": "dev"}, version)
}

func TestDemoRefusesHugeBodies(t *testing.T) {
	base := start(t)
	body := strings.NewReader(strings.Repeat("a", 1<<20+1))
	resp, err := http.Post(base+"/health", "application/json", body)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	var e struct {
		TraceData map[string]string `json:"tracedata"`
		Message   string            `json:"message"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	assert.Equal(t, resp.Header.Get("X-Trace-Code"), e.TraceData["code"])
	assert.Equal(t, "demo", e.TraceData["service"])
	assert.Equal(t, "node-1", e.TraceData["server"])
}

func TestDemoWithOwnDataFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "data.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"service":{"name":"mine","version":{"major":7,"minor":3,"build":"b1"}}}`), 0o600))
	base := start(t, "-data", path)
	var version map[string]any
	require.Equal(t, 200, getJSON(t, base+"/version", &version))
	assert.Equal(t, map[string]any{"major": 7.0, "minor": 3.0, "build": "b1"}, version)
}

func TestDemoServesTheKeyItWasGiven(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "key.pem")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	base := start(t, "-key", path)
	var jwks struct {
		Keys []map[string]any `json:"keys"`
	}
	require.Equal(t, 200, getJSON(t, base+"/.well-known/jwks.json", &jwks))
	require.Len(t, jwks.Keys, 1)
	assert.Equal(t, base64.RawURLEncoding.EncodeToString(pub), jwks.Keys[0]["x"], "the published key is the one in -key")
}

func TestDemoExitsOneOnMistakes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	badEmail := write("bad.json", `{"users":[{"username":"ab","password":"12345678","company":"abc"},
		{"username":"cd","password":"12345678","company":"abc","email":"nope"}]}`)
	cycle := write("cycle.json", `{"roles":[{"code":"a","base":["b"]},{"code":"b","base":["a"]}]}`)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"bad email", []string{"-data", badEmail}, "users[1].email"},
		{"cycle", []string{"-data", cycle}, "cycle"},
		{"missing file", []string{"-data", filepath.Join(dir, "nope.json")}, "no such file"},
		{"unknown flag", []string{"-nope"}, "flag provided but not defined"},
		{"stray argument", []string{"extra"}, "unexpected arguments"},
		{"missing key", []string{"-key", filepath.Join(dir, "nokey.pem")}, "-key"},
		{"weak bcrypt cost", []string{"-bcrypt-cost", "4"}, "-bcrypt-cost"},
		{"short secret", []string{"-key", write("short.key", "too-short-for-hs256")}, "-key"},
		{"bad address", []string{"-addr", "256.0.0.1:80"}, "server:"},
		{"negative idle timeout", []string{"-idle-timeout", "-5m"}, "-idle-timeout"},
		{"idle timeout without unit", []string{"-idle-timeout", "30"}, "-idle-timeout"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr strings.Builder
			code := run(context.Background(), tc.args, io.Discard, &stderr)
			assert.Equal(t, 1, code)
			assert.Contains(t, stderr.String(), tc.want)
		})
	}
}

// -idle-timeout sets the idle timeout of cookie sessions (issue 11, item 10).
func TestDemoIdleTimeoutFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want time.Duration
	}{
		{"default", nil, session.DefaultIdleTimeout},
		{"two hours", []string{"-idle-timeout", "2h"}, 2 * time.Hour},
		{"ninety seconds", []string{"-idle-timeout", "90s"}, 90 * time.Second},
		{"zero disables", []string{"-idle-timeout", "0"}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseFlags(tc.args, io.Discard)
			require.NoError(t, err)
			cfg := sessionConfig(o, nil)
			assert.Equal(t, tc.want, cfg.IdleTimeout)
			assert.Zero(t, cfg.TokenIdleTimeout, "tokens keep no idle timeout")
		})
	}
	// A short timeout is a valid configuration (the touch interval follows).
	base := start(t, "-idle-timeout", "30s")
	var health map[string]float64
	require.Equal(t, 200, getJSON(t, base+"/health", &health))
}

func TestDemoCookieNameFlag(t *testing.T) {
	base := start(t, "-cookie-name", "__Host-SID")
	resp, err := http.Post(base+"/login", "application/json", strings.NewReader(`{"username":"admin","password":"admin-demo-password"}`))
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusNoContent, resp.StatusCode)
	require.Len(t, resp.Cookies(), 1)
	assert.Equal(t, "__Host-SID", resp.Cookies()[0].Name)
	assert.True(t, resp.Cookies()[0].Secure)
}

func TestDemoTakesTheServiceFromItsDataFile(t *testing.T) {
	base := start(t)
	resp, err := http.Get(base + "/user")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	var e struct {
		TraceData struct{ Service, Server string } `json:"tracedata"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&e))
	assert.Equal(t, "demo", e.TraceData.Service, "demo.json's service.name")
}
