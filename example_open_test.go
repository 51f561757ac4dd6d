package gatehouse_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/token"
)

// Start from a data file: its service section names the service (error
// bodies, GET /version), its roles and users are applied. The signing key
// is made here; a real deployment loads one it keeps (token.LoadKeyFile),
// so that tokens survive a restart and every instance verifies them.
func ExampleOpen() {
	// The kid names the key in every token's header ("" derives one from
	// the key); a key set verifies with every key it holds, so keys rotate
	// without logging anyone out.
	key, err := token.GenerateEd25519("2026-12")
	if err != nil {
		panic(err)
	}
	keys, err := token.NewKeySet(key)
	if err != nil {
		panic(err)
	}

	data, err := datafile.Parse([]byte(`{
		"service": {"name": "billing", "version": {"major": 2, "minor": 1, "build": "42"}},
		"roles": [{"code": "viewer", "entities": {"*": ["read"]}}],
		"users": [{"username": "alice", "password": "correct horse battery", "company": "acme", "roles": ["viewer"]}]
	}`))
	if err != nil {
		panic(err) // names the place, e.g. roles[0].base[0]: unknown role "ghost"
	}
	g, err := gatehouse.Open(context.Background(), gatehouse.Config{
		Keys:   keys,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, data)
	if err != nil {
		panic(err)
	}
	defer g.Close()

	rec := httptest.NewRecorder()
	g.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/version", nil))
	fmt.Println(g.Service().Name, rec.Body.String())
	// Output:
	// billing {"major":2,"minor":1,"build":"42"}
}
