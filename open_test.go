package gatehouse_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
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
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Session: session.Config{Hasher: plainHasher},
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

func readTestData(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "datafile.json"))
	require.NoError(t, err)
	return b
}

// edit decodes the test data file into a generic map, lets fn change it,
// and encodes it again.
func edit(t *testing.T, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(readTestData(t), &m))
	fn(m)
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return b
}

func obj(v any) map[string]any { return v.(map[string]any) }
func list(v any) []any         { return v.([]any) }

func TestGatehouseApplyDataFileUsesTheSessionHasher(t *testing.T) {
	ctx := context.Background()
	pepper := []byte("a pepper the default hasher does not know")
	h, err := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: 10, Pepper: pepper}})
	require.NoError(t, err)
	g, _ := newTestGatehouse(t, gatehouse.Config{Session: session.Config{Hasher: h}})
	d, err := datafile.Parse(readTestData(t))
	require.NoError(t, err)
	_, err = g.ApplyDataFile(ctx, d)
	require.NoError(t, err)

	alice, err := g.Store().Users().GetUserByUsername(ctx, "alice")
	require.NoError(t, err)
	ok, _, err := h.Verify(alice.PasswordHash, "alice-demo-password")
	require.NoError(t, err)
	assert.True(t, ok, "hashed with the peppered session hasher")
	plain, err := user.NewHasher(user.HasherConfig{Bcrypt: user.BcryptConfig{Cost: 10}})
	require.NoError(t, err)
	ok, _, _ = plain.Verify(alice.PasswordHash, "alice-demo-password")
	assert.False(t, ok, "a hasher without the pepper does not verify it")
	assert.Equal(t, fixedNow, alice.PasswordChangedAt, "the gatehouse clock is used")
}

func TestApplyDataFileLogsItsWarnings(t *testing.T) {
	overridden := func(m map[string]any) {
		// The viewer role shows every attribute, so sales's own "tags
		// hidden" hides nothing from its holders.
		obj(list(m["roles"])[0])["attributes"] = map[string]any{"*": map[string]any{"*": "read"}}
	}
	want := []datafile.Warning{{
		Place:   "roles[1].attributes.Product.tags",
		Message: `hidden has no effect: base role "viewer" grants *:* read (roles[0]) and roles combine by union, so holders of "sales" get read; hide it in "viewer" too or grant less there`,
	}}
	tests := []struct {
		name string
		edit func(m map[string]any)
		want []datafile.Warning
	}{
		{"overridden by the base role", overridden, want},
		{"hidden in the base role too", func(map[string]any) {}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := datafile.Parse(edit(t, tc.edit))
			require.NoError(t, err, "a warning does not stop the file")

			g, logs := newTestGatehouse(t, gatehouse.Config{})
			rep, err := g.ApplyDataFile(context.Background(), d)
			require.NoError(t, err)
			assert.Equal(t, tc.want, rep.Warnings)
			if tc.want == nil {
				assert.NotContains(t, logs.String(), "data file")
				return
			}
			var rec map[string]any
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				if strings.Contains(line, "data file") {
					require.Nil(t, rec, "one record per warning: %s", logs)
					require.NoError(t, json.Unmarshal([]byte(line), &rec))
				}
			}
			require.NotNil(t, rec, "logged: %s", logs)
			assert.Equal(t, "WARN", rec["level"])
			assert.Equal(t, "roles[1].attributes.Product.tags", rec["place"])
			assert.Equal(t, "gatehouse: data file: "+tc.want[0].Message, rec["msg"])
		})
	}
	assert.Equal(t, `data file: roles[1].attributes.Product.tags: hidden has no effect: base role "viewer" grants *:* read (roles[0]) and roles combine by union, so holders of "sales" get read; hide it in "viewer" too or grant less there`, want[0].String())
}
