// Command chi mounts gatehouse on a github.com/go-chi/chi router: the
// gatehouse API under /auth, and the host's own routes guarded by its
// middleware.
//
// The customer list is filtered by the caller's row-level permissions: the
// sales role of data.json reads only the customers of the user's
// department (dep_id) and those the user owns, and updates only its own.
// The list answers with the WHERE a SQL store would run
// (session.Auth.Rows(…).SQL) and the rows that Match lets through; a PUT
// passes the write guard (the row must be the caller's before and after).
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
	"errors"
	"log"
	"maps"
	"net/http"
	"slices"
	"sync"
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

	db := &customerTable{rows: []map[string]any{
		{"id": "1", "name": "Acme", "type": "company", "email": "info@acme.example", "dep_id": "104", "owner": "mia"},
		{"id": "2", "name": "Bob", "type": "person", "email": "bob@example.com", "dep_id": "105", "owner": "sol"},
		{"id": "3", "name": "Globex", "type": "company", "email": "hq@globex.example", "dep_id": "105", "owner": "mia"},
	}}
	r.Route("/api/customers", func(r chi.Router) {
		r.Use(g.Authenticate)
		r.With(g.RequireEntity("Customer", permissions.OpRead)).Get("/", db.list)
		r.With(g.RequireEntity("Customer", permissions.OpUpdate)).Put("/{id}", db.update)
		r.With(g.RequireEntity("Customer", permissions.OpDelete)).Delete("/{id}", deleteCustomer)
		r.With(g.RequireSpecific("entity_export_to_file")).Get("/export", exportCustomers)
	})
	return r
}

// customerColumns maps the Customer attributes that row rules name to the
// columns of a customers table. Its values are trusted identifiers, never
// user input.
var customerColumns = map[string]string{"dep_id": "c.dep_id", "owner": "c.owner"}

// customerTable stands in for the application's database.
type customerTable struct {
	mu   sync.Mutex
	rows []map[string]any
}

// list writes the customers the caller's row rules let it read, with the
// attributes it may not see removed by the field guard, and the WHERE that
// selects the same rows from a SQL table.
func (db *customerTable) list(w http.ResponseWriter, r *http.Request) {
	auth, ok := session.FromContext(r.Context())
	if !ok { // not behind Authenticate: a wiring mistake
		http.Error(w, "no session", http.StatusInternalServerError)
		return
	}
	rows := auth.Rows("Customer", permissions.OpRead)
	where, args, err := rows.SQL(customerColumns, permissions.Dollar)
	if err != nil { // a column missing from customerColumns
		http.Error(w, "row rules need a column", http.StatusInternalServerError)
		return
	}
	out := struct {
		Query     string           `json:"query"`
		Args      []any            `json:"args"`
		Customers []map[string]any `json:"customers"`
	}{Query: "SELECT * FROM customers c WHERE " + where, Args: args, Customers: []map[string]any{}}
	db.mu.Lock()
	for _, c := range db.rows {
		if rows.Match(c) {
			out.Customers = append(out.Customers, auth.Set.FilterRecord("Customer", maps.Clone(c)))
		}
	}
	db.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// update applies a JSON object of changed attributes to a customer, when
// the field guard lets the caller modify them and the row guard lets it
// update the row as it is and as it will be.
func (db *customerTable) update(w http.ResponseWriter, r *http.Request) {
	auth, _ := session.FromContext(r.Context())
	var changes map[string]any
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&changes); err != nil {
		http.Error(w, "body: a JSON object of changed attributes", http.StatusBadRequest)
		return
	}
	if err := auth.Set.CheckWrite("Customer", changes); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden)
		return
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	i := slices.IndexFunc(db.rows, func(c map[string]any) bool { return c["id"] == chi.URLParam(r, "id") })
	rows := auth.Rows("Customer", permissions.OpRead)
	if i < 0 || !rows.Match(db.rows[i]) { // a row the caller cannot see does not exist for it
		http.Error(w, "no such customer", http.StatusNotFound)
		return
	}
	after := maps.Clone(db.rows[i])
	maps.Copy(after, changes)
	after["id"] = db.rows[i]["id"]
	if err := auth.Rows("Customer", permissions.OpUpdate).CheckUpdate(db.rows[i], after); err != nil {
		if errors.Is(err, permissions.ErrRowDenied) {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		http.Error(w, "update refused", http.StatusInternalServerError)
		return
	}
	db.rows[i] = after
	w.WriteHeader(http.StatusNoContent)
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
	return setupFrom(ctx, cfg, data)
}

// setupFrom returns a gatehouse seeded with the data file b.
func setupFrom(ctx context.Context, cfg gatehouse.Config, b []byte) (*gatehouse.Gatehouse, error) {
	d, err := datafile.Parse(b)
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
