package sqlstore_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
	"github.com/gatehouse-go/gatehouse/storage"
	"github.com/gatehouse-go/gatehouse/storage/sqlstore"
	"github.com/gatehouse-go/gatehouse/token"
	"github.com/gatehouse-go/gatehouse/user"
)

// restartFile is the data file of the restart test's first start: a viewer
// role, a role "legacy" and an admin. restartFile2, the second start's,
// drops legacy.
const restartFile = `{
  "service": {"name": "restart"},
  "schema": {"Customer": ["name"], "Order": ["total"]},
  "specifics": ["report_gen"],
  "parameters": [{"code": "show_header", "value": "1"}],
  "roles": [
    {"code": "viewer", "entities": {"Customer": ["read"]}},
    {"code": "legacy", "entities": {"Order": ["read"]}}
  ],
  "users": [{"username": "admin", "password": "admin-password-1", "company": "acme", "admin": true}]
}`

const restartFile2 = `{
  "service": {"name": "restart"},
  "schema": {"Customer": ["name"], "Order": ["total"]},
  "specifics": ["report_gen"],
  "parameters": [{"code": "show_header", "value": "1"}],
  "roles": [{"code": "viewer", "entities": {"Customer": ["read"]}}],
  "users": [{"username": "admin", "password": "admin-password-1", "company": "acme", "admin": true}]
}`

// start opens the SQLite database at dsn and a Gatehouse on it with the
// data file applied, as a process does at every start. stop closes both.
func start(t *testing.T, dsn, file string, keys *token.KeySet) (in *instance, stop func()) {
	t.Helper()
	d, err := datafile.Parse([]byte(file))
	require.NoError(t, err)
	store, err := sqlstore.Open(t.Context(), dsn, sqlstore.Config{})
	require.NoError(t, err)
	g, err := gatehouse.Open(t.Context(), gatehouse.Config{
		Store:   store,
		Keys:    keys,
		Logger:  slog.New(slog.DiscardHandler),
		Session: session.Config{Hasher: plainHasher},
	}, d)
	require.NoError(t, err)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "ok") })
	mux := http.NewServeMux()
	mux.Handle("/", g.Handler())
	mux.Handle("GET /host/customers", g.Authenticate(g.RequireEntity("Customer", permissions.OpRead)(ok)))
	mux.Handle("GET /host/orders", g.Authenticate(g.RequireEntity("Order", permissions.OpRead)(ok)))
	mux.Handle("GET /host/report", g.Authenticate(g.RequireSpecific("report_gen")(ok)))
	return &instance{name: "restart", store: store, g: g, h: mux}, func() {
		require.NoError(t, g.Close())
		require.NoError(t, store.Close())
	}
}

// TestRunTimeRoleSurvivesARestart is the issue's "a role created at run
// time survives a restart with the data file re-applied": a role created at
// run time, and a user holding it, outlive the process; a role the data
// file dropped does not.
func TestRunTimeRoleSurvivesARestart(t *testing.T) {
	ctx := context.Background()
	dsn := sqliteDSN(t)
	key, err := token.GenerateEd25519("")
	require.NoError(t, err)
	keys, err := token.NewKeySet(key)
	require.NoError(t, err)

	in, stop := start(t, dsn, restartFile, keys)
	// Created at run time (FromDataFile false), as the management API
	// stores roles.
	custom := permissions.Role{Code: "custom", Title: "Made at run time", Base: []string{"viewer"}, Specifics: []string{"report_gen"}}
	require.NoError(t, in.store.Roles().PutRole(ctx, custom))
	require.NoError(t, in.store.Parameters().PutParameter(ctx, storage.Parameter{Code: "run_time", Value: "1"}))
	_, err = in.store.Users().CreateUser(ctx, user.User{
		ID: "id-bob", Username: "bob", Company: "acme", PasswordHash: testHash("password1"), Roles: []string{"custom"},
	})
	require.NoError(t, err)
	tok := in.token(t, "bob", "password1")
	for _, path := range []string{"/host/customers", "/host/report"} {
		require.Equal(t, http.StatusOK, in.do(t, http.MethodGet, path, tok, "").Code, path)
	}
	require.Equal(t, http.StatusForbidden, in.do(t, http.MethodGet, "/host/orders", tok, "").Code)
	stop()

	// The next start's file drops legacy.
	in, stop = start(t, dsn, restartFile2, keys)
	defer stop()
	got, err := in.store.Roles().GetRole(ctx, "custom")
	require.NoError(t, err, "the run-time role died with the restart")
	assert.Equal(t, custom, got)
	_, err = in.store.Roles().GetRole(ctx, "legacy")
	require.ErrorIs(t, err, storage.ErrNotFound, "a role the file dropped is deleted")
	viewer, err := in.store.Roles().GetRole(ctx, "viewer")
	require.NoError(t, err)
	assert.True(t, viewer.FromDataFile)
	params, err := in.store.Parameters().ListParameters(ctx)
	require.NoError(t, err)
	assert.Equal(t, []storage.Parameter{{Code: "run_time", Value: "1"}, {Code: "show_header", Value: "1", FromDataFile: true}}, params)

	// bob, holding custom, keeps its permissions: the token of the first
	// start and a new login both grant Customer (through viewer) and
	// report_gen, and nothing else.
	for _, tok := range []string{tok, in.token(t, "bob", "password1")} {
		assert.Equal(t, http.StatusOK, in.do(t, http.MethodGet, "/host/customers", tok, "").Code)
		assert.Equal(t, http.StatusOK, in.do(t, http.MethodGet, "/host/report", tok, "").Code)
		assert.Equal(t, http.StatusForbidden, in.do(t, http.MethodGet, "/host/orders", tok, "").Code)
	}
}
