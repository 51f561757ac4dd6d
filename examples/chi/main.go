// Command chi mounts gatehouse on a github.com/go-chi/chi router: the
// gatehouse API under /auth, and the host's own routes guarded by its
// middleware.
//
//	go run ./examples/chi
//
// chi routes on the full path, while gatehouse's handler routes on its own
// paths, so the API is mounted with http.StripPrefix; host routes use
// Authenticate first, then the permission checks.
package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"log"
	"maps"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/gatehouse-go/gatehouse"
	"github.com/gatehouse-go/gatehouse/datafile"
	"github.com/gatehouse-go/gatehouse/permissions"
	"github.com/gatehouse-go/gatehouse/session"
)

//go:embed data.json
var data []byte

// newRouter builds the application: gatehouse's API under /auth and a small
// customer API whose routes need a session and a permission each.
func newRouter(g *gatehouse.Gatehouse) http.Handler {
	r := chi.NewRouter()
	r.Mount("/auth", http.StripPrefix("/auth", g.Handler()))

	r.Route("/api/customers", func(r chi.Router) {
		r.Use(g.Authenticate)
		r.With(g.RequireEntity("Customer", permissions.OpRead)).Get("/", listCustomers)
		r.With(g.RequireEntity("Customer", permissions.OpDelete)).Delete("/{id}", deleteCustomer)
		r.With(g.RequireSpecific("entity_export_to_file")).Get("/export", exportCustomers)
	})
	return r
}

var customers = []map[string]any{
	{"id": "1", "name": "Acme", "type": "company", "email": "info@acme.example"},
	{"id": "2", "name": "Bob", "type": "person", "email": "bob@example.com"},
}

// listCustomers writes the customers, with the attributes the caller may
// not see removed by the field guard.
func listCustomers(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok { // not behind Authenticate: a wiring mistake
		http.Error(w, "no session", http.StatusInternalServerError)
		return
	}
	out := make([]map[string]any, 0, len(customers))
	for _, c := range customers {
		rec := maps.Clone(c)
		auth.Set.FilterRecord("Customer", rec)
		out = append(out, rec)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func deleteCustomer(w http.ResponseWriter, r *http.Request) {
	w.WriteHeader(http.StatusNoContent)
}

func exportCustomers(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/csv")
	_, _ = w.Write([]byte("id,name\n1,Acme\n2,Bob\n"))
}

// setup returns a gatehouse seeded with data.json.
func setup(ctx context.Context, cfg gatehouse.Config) (*gatehouse.Gatehouse, error) {
	d, err := datafile.Parse(data)
	if err != nil {
		return nil, err
	}
	// Open takes the file's service section and applies the file.
	return gatehouse.Open(ctx, cfg, d)
}

func main() {
	g, err := setup(context.Background(), gatehouse.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer g.Close()
	srv := &http.Server{Addr: "127.0.0.1:8081", Handler: newRouter(g), ReadHeaderTimeout: 5 * time.Second}
	log.Printf("listening on http://%s (POST /auth/token, GET /api/customers)", srv.Addr)
	log.Fatal(srv.ListenAndServe())
}
