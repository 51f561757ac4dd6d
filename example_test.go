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
)

// Embed gatehouse in an application: create it, seed it from a data file
// and mount its HTTP API under a prefix of the host's own mux.
func ExampleNew() {
	g, err := gatehouse.New(gatehouse.Config{
		Service: gatehouse.Service{Name: "billing", Version: gatehouse.Version{Major: 2, Minor: 1, Build: "42"}},
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		panic(err)
	}
	defer g.Close()

	data, err := datafile.Parse([]byte(`{
		"roles": [{"code": "viewer", "entities": {"*": ["read"]}}],
		"users": [{"username": "alice", "password": "correct horse battery", "company": "acme", "roles": ["viewer"]}]
	}`))
	if err != nil {
		panic(err)
	}
	report, err := g.ApplyDataFile(context.Background(), data)
	if err != nil {
		panic(err)
	}
	fmt.Println("users created:", report.UsersCreated)

	mux := http.NewServeMux()
	mux.Handle("/auth/", http.StripPrefix("/auth", g.Handler()))

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/auth/version", nil))
	fmt.Print(rec.Code, " ", rec.Body.String())
	// Output:
	// users created: 1
	// 200 {"major":2,"minor":1,"build":"42"}
}
