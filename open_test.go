package gatehouse_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage/memstore"
	"github.com/gatehouse-go/gatehouse/user"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const openData = `{
  "service": {"name": "billing", "server": "node-7", "version": {"major": 3, "minor": 1, "build": "42"}},
  "roles": [{"code": "viewer", "entities": {"*": ["read"]}}],
  "users": [{"username": "ann", "password": "ann-password", "company": "acme", "roles": ["viewer"]}]
}`

func TestOpenTakesTheServiceFromTheDataFile(t *testing.T) {
	data, err := datafile.Parse([]byte(openData))
	require.NoError(t, err)
	g, err := gatehouse.Open(context.Background(), gatehouse.Config{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Session: session.Config{Hasher: plainHasher{}},
	}, data)
	require.NoError(t, err)
	defer g.Close()
	assert.Equal(t, gatehouse.Service{Name: "billing", Server: "node-7", Version: gatehouse.Version{Major: 3, Minor: 1, Build: "42"}}, g.Service())

	rec := httptest.NewRecorder()
	g.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/version", nil))
	assert.JSONEq(t, `{"major":3,"minor":1,"build":"42"}`, rec.Body.String())

	rec = httptest.NewRecorder()
	g.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/user", nil))
	require.Equal(t, http.StatusUnauthorized, rec.Code)
	var body gatehouse.ErrorBody
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, "billing", body.TraceData.Service)
	assert.Equal(t, "node-7", body.TraceData.Server)

	_, err = g.Sessions().Login(context.Background(), session.LoginRequest{Username: "ann", Password: "ann-password"})
	assert.NoError(t, err, "the file's users were applied")
}

func TestOpenMergesTheServiceSection(t *testing.T) {
	data, err := datafile.Parse([]byte(openData))
	require.NoError(t, err)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	t.Run("a field only the config sets is kept", func(t *testing.T) {
		d := *data
		d.Service.Server = ""
		g, err := gatehouse.Open(context.Background(), gatehouse.Config{Logger: quiet, Service: gatehouse.Service{Server: "pod-3"}}, &d)
		require.NoError(t, err)
		defer g.Close()
		assert.Equal(t, "pod-3", g.Service().Server)
		assert.Equal(t, "billing", g.Service().Name)
	})
	t.Run("the same value in both is fine", func(t *testing.T) {
		g, err := gatehouse.Open(context.Background(), gatehouse.Config{Logger: quiet, Service: gatehouse.Service{Name: "billing"}}, data)
		require.NoError(t, err)
		_ = g.Close()
	})
	for _, svc := range []gatehouse.Service{
		{Name: "other"},
		{Server: "node-8"},
		{Version: gatehouse.Version{Major: 3, Minor: 2, Build: "42"}},
	} {
		_, err := gatehouse.Open(context.Background(), gatehouse.Config{Logger: quiet, Service: svc}, data)
		assert.ErrorContains(t, err, "differ", "%+v", svc)
	}
	_, err = gatehouse.Open(context.Background(), gatehouse.Config{Logger: quiet}, nil)
	assert.Error(t, err)
}

func TestOpenClosesWhatItOpenedWhenApplyFails(t *testing.T) {
	data, err := datafile.Parse([]byte(openData))
	require.NoError(t, err)
	store := memstore.New(memstore.Config{})
	defer store.Close()
	_, err = gatehouse.Open(context.Background(), gatehouse.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Store: store, Session: session.Config{Hasher: brokenHasher{}}}, data)
	require.Error(t, err)
	roles, err := store.Roles().ListRoles(context.Background())
	require.NoError(t, err)
	assert.Empty(t, roles, "nothing of the file was written")
}

// brokenHasher fails every hash, as a broken random source would.
type brokenHasher struct{ user.Hasher }

func (brokenHasher) Hash(string) (string, error) { return "", errors.New("entropy exhausted") }
