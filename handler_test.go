package gatehouse_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/internal/randid"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var fixedNow = time.Date(2024, 2, 21, 9, 30, 0, 0, time.FixedZone("MSK", 3*3600))

// newTestGatehouse returns a Gatehouse over a fresh memory store whose log
// goes to logs.
func newTestGatehouse(t *testing.T, cfg gatehouse.Config) (*gatehouse.Gatehouse, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(&logs, nil))
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return fixedNow }
	}
	if cfg.Service.Name == "" {
		cfg.Service = gatehouse.Service{Name: "UNIVERSAL", Server: "server_name", Version: gatehouse.Version{Major: 4, Minor: 4, Build: "1754RC"}}
	}
	g, err := gatehouse.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { g.Close() })
	return g, &logs
}

func do(t *testing.T, h http.Handler, method, path string, body []byte, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) gatehouse.ErrorBody {
	t.Helper()
	var body gatehouse.ErrorBody
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&body), "error body must be exactly {tracedata, message}")
	return body
}

func TestHealth(t *testing.T) {
	g, _ := newTestGatehouse(t, gatehouse.Config{})
	rec := do(t, g.Handler(), http.MethodGet, "/health", nil, nil)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"health": 1}`, rec.Body.String())
	assert.Equal(t, "application/json; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.True(t, randid.IsUUID(rec.Header().Get("X-Trace-Code")))
}

// downStore is a memory store whose Ping fails, as a store that does not
// answer would.
type downStore struct{ storage.Store }

func (downStore) Ping(ctx context.Context) error { return errors.New("connection refused") }

func TestHealthWhenStoreIsDown(t *testing.T) {
	g, logs := newTestGatehouse(t, gatehouse.Config{Store: downStore{memstore.New(memstore.Config{})}})
	rec := do(t, g.Handler(), http.MethodGet, "/health", nil, nil)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"health": 0}`, rec.Body.String())
	assert.Contains(t, logs.String(), "connection refused")
}

// slowStore is a store whose Ping blocks until its context ends.
type slowStore struct{ storage.Store }

func (slowStore) Ping(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }

func TestHealthPingIsBounded(t *testing.T) {
	g, _ := newTestGatehouse(t, gatehouse.Config{Store: slowStore{memstore.New(memstore.Config{})}, HealthTimeout: 20 * time.Millisecond})
	rec := do(t, g.Handler(), http.MethodGet, "/health", nil, nil)
	assert.JSONEq(t, `{"health": 0}`, rec.Body.String())
}

func TestVersion(t *testing.T) {
	g, _ := newTestGatehouse(t, gatehouse.Config{})
	rec := do(t, g.Handler(), http.MethodGet, "/version", nil, nil)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"major": 4, "minor": 4, "build": "1754RC"}`, rec.Body.String())
}

func TestVersionDefaultAndValidation(t *testing.T) {
	g, err := gatehouse.New(gatehouse.Config{})
	require.NoError(t, err)
	defer g.Close()
	assert.Equal(t, gatehouse.Version{Major: 1, Minor: 0, Build: "dev"}, g.Service().Version)
	assert.Equal(t, "gatehouse", g.Service().Name)

	for name, v := range map[string]gatehouse.Version{
		"major 0":      {Major: 0, Minor: 1, Build: "x"},
		"major 101":    {Major: 101, Build: "x"},
		"minor -1":     {Major: 1, Minor: -1, Build: "x"},
		"minor 112":    {Major: 1, Minor: 112, Build: "x"},
		"empty build":  {Major: 1},
		"build 65 chr": {Major: 1, Build: strings.Repeat("b", 65)},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := gatehouse.New(gatehouse.Config{Service: gatehouse.Service{Version: v}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "version.")
		})
	}
	_, err = gatehouse.New(gatehouse.Config{MaxBodyBytes: -1})
	assert.Error(t, err)
}

func TestErrorBodyAndTraceCode(t *testing.T) {
	g, logs := newTestGatehouse(t, gatehouse.Config{})
	rec := do(t, g.Handler(), http.MethodGet, "/no/such/thing", nil, nil)
	require.Equal(t, http.StatusNotFound, rec.Code)
	body := decodeError(t, rec)
	trace := rec.Header().Get("X-Trace-Code")
	require.True(t, randid.IsUUID(trace))
	assert.Equal(t, trace, body.TraceData.Code, "the body and the header carry one trace code")
	assert.Equal(t, "server_name", body.TraceData.Server)
	assert.Equal(t, "UNIVERSAL", body.TraceData.Service)
	assert.Equal(t, "not_found", body.TraceData.Operation)
	assert.Equal(t, "2024-02-21T09:30:00+03:00", body.TraceData.Time)
	assert.NotEmpty(t, body.Message)
	assert.Contains(t, logs.String(), trace, "the trace code is logged")

	other := do(t, g.Handler(), http.MethodGet, "/no/such/thing", nil, nil)
	assert.NotEqual(t, trace, other.Header().Get("X-Trace-Code"), "a trace code per request")
}

func TestMethodNotAllowed(t *testing.T) {
	g, _ := newTestGatehouse(t, gatehouse.Config{})
	rec := do(t, g.Handler(), http.MethodPost, "/health", []byte(`{}`), map[string]string{"Content-Type": "application/json"})
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code)
	assert.Equal(t, "GET, HEAD", rec.Header().Get("Allow"))
	body := decodeError(t, rec)
	assert.Contains(t, body.Message, "POST")
}

func TestBodyOverLimit(t *testing.T) {
	g, _ := newTestGatehouse(t, gatehouse.Config{})
	big := bytes.Repeat([]byte("a"), gatehouse.DefaultMaxBodyBytes+1)
	for _, path := range []string{"/health", "/version", "/anything"} {
		t.Run(path, func(t *testing.T) {
			rec := do(t, g.Handler(), http.MethodPost, path, big, map[string]string{"Content-Type": "application/json"})
			require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
			body := decodeError(t, rec)
			assert.Contains(t, body.Message, "1048576")
		})
	}
	// Exactly at the limit is not refused for its size.
	rec := do(t, g.Handler(), http.MethodPost, "/health", big[:gatehouse.DefaultMaxBodyBytes], map[string]string{"Content-Type": "application/json"})
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)
}

func TestServerErrorsAreGeneric(t *testing.T) {
	g, logs := newTestGatehouse(t, gatehouse.Config{})
	h := gatehouse.ExportErrorHandler(g, errors.New(`pq: relation "users" does not exist at SELECT password_hash`))
	rec := do(t, h, http.MethodGet, "/fail", nil, nil)
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	body := decodeError(t, rec)
	assert.Equal(t, "internal error", body.Message)
	assert.NotContains(t, rec.Body.String(), "SELECT")
	assert.NotContains(t, rec.Body.String(), "pq:")
	assert.Contains(t, logs.String(), "does not exist", "the cause is logged")
}

func TestUnauthorizedAndRetryAfterHeaders(t *testing.T) {
	g, _ := newTestGatehouse(t, gatehouse.Config{})
	rec := do(t, gatehouse.ExportErrorHandler(g, &gatehouse.Error{Status: 401, Message: "unauthorized"}), "GET", "/fail", nil, nil)
	assert.Equal(t, http.StatusUnauthorized, rec.Code)
	assert.True(t, strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer"))

	rec = do(t, gatehouse.ExportErrorHandler(g, &gatehouse.Error{Status: 429, Message: "slow down", RetryAfter: 1500 * time.Millisecond}), "GET", "/fail", nil, nil)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "2", rec.Header().Get("Retry-After"), "rounded up to whole seconds")
}

func TestJWKS(t *testing.T) {
	ed, err := token.GenerateEd25519("ed-1")
	require.NoError(t, err)
	hs, err := token.NewHMACKey("hs-1", bytes.Repeat([]byte("s"), 32))
	require.NoError(t, err)
	keys, err := token.NewKeySet(ed, hs)
	require.NoError(t, err)
	g, _ := newTestGatehouse(t, gatehouse.Config{Keys: keys})
	rec := do(t, g.Handler(), http.MethodGet, "/.well-known/jwks.json", nil, nil)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/jwk-set+json", rec.Header().Get("Content-Type"))
	var doc struct {
		Keys []map[string]any `json:"keys"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	require.Len(t, doc.Keys, 1, "the HMAC secret is never published")
	k := doc.Keys[0]
	assert.Equal(t, "ed-1", k["kid"])
	assert.Equal(t, "EdDSA", k["alg"])
	assert.Equal(t, "OKP", k["kty"])
	assert.NotContains(t, k, "d", "no private material")
}

func TestGeneratedKeyWhenNoneConfigured(t *testing.T) {
	g, logs := newTestGatehouse(t, gatehouse.Config{})
	active := g.Keys().Active()
	require.NotNil(t, active)
	assert.Equal(t, "EdDSA", active.Algorithm())
	assert.Contains(t, logs.String(), "generated Ed25519 key")
}
